"""The in-process case runner (`sopflow runner`'s loop) on its own thread and event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect.settings import PREFECT_API_URL, temporary_settings


@contextmanager
def running_case_runner(api_url: str) -> Iterator[None]:
    """Runs `run-case` (and the supervisor alert) deployments' runs until the block ends."""
    from flows.case_flow import run_case
    from flows.runner import CaseRunner, resolve_deployments
    from flows.supervisor_alert_flow import alert_supervisor

    holder: dict[str, Any] = {}
    ready = threading.Event()

    def main() -> None:
        async def go() -> None:
            flows = await resolve_deployments(
                {
                    "run-case/run-case": run_case,
                    "alert-supervisor/alert-supervisor": alert_supervisor,
                }
            )
            holder["runner"] = CaseRunner(flows, poll_interval=0.2)
            holder["loop"] = asyncio.get_running_loop()
            ready.set()
            await holder["runner"].run()

        with temporary_settings({PREFECT_API_URL: api_url}):
            asyncio.run(go())

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    if not ready.wait(30):
        raise RuntimeError("the case runner did not start")
    try:
        yield
    finally:
        holder["loop"].call_soon_threadsafe(holder["runner"].stop)
        thread.join(30)
