"""The case worker (`sopflow runner`'s loop) on its own thread and event loop, with the test's
services entered (the same as test_case_runtime's WorkerThread, without its claim recording)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
    PREFECT_WORKER_QUERY_SECONDS,
    temporary_settings,
)

from tasks.services import CaseServices, entered_services


@contextmanager
def running_case_worker(api_url: str, services: CaseServices) -> Iterator[None]:
    """Runs the `run-case` (and supervisor alert) deployments' runs until the block ends."""
    from adapters.prefect.deploy import WORK_POOL
    from adapters.prefect.worker import CaseWorker
    from flows.case_flow import run_case
    from flows.supervisor_alert_flow import alert_supervisor

    state: dict[str, Any] = {}
    ready = threading.Event()

    async def go() -> None:
        state["loop"], state["task"] = asyncio.get_running_loop(), asyncio.current_task()
        worker = CaseWorker(
            WORK_POOL,
            name=f"test-{uuid.uuid4().hex[:6]}",
            flows={
                "flows/case_flow.py:run_case": run_case,
                "flows/supervisor_alert_flow.py:alert_supervisor": alert_supervisor,
            },
            prefetch_seconds=1,
        )
        ready.set()
        await worker.start()

    def main() -> None:
        settings = {
            PREFECT_API_URL: api_url,
            PREFECT_WORKER_QUERY_SECONDS: 0.2,
            PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 30,
        }
        with (
            temporary_settings(settings),
            entered_services(services),
            contextlib.suppress(asyncio.CancelledError),
        ):
            asyncio.run(go())

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    if not ready.wait(30):
        raise RuntimeError("the case worker did not start")
    try:
        yield
    finally:
        state["loop"].call_soon_threadsafe(state["task"].cancel)
        thread.join(30)
