"""The runner's composition root: settings -> services, entered; the worker and its maintenance.

with entered_services(services):  # flows and tasks below see these services
    CaseWorker(...).start()       # a Prefect worker on the `sopflow` pool
    maintenance loop              # the reconciler and the work lists, every `maintenance_seconds`
    work-list publisher           # the lists, shortly after cases start or stop waiting
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket

from adapters.prefect.deploy import WORK_POOL
from adapters.prefect.runs import run_states

logger = logging.getLogger("sopflow.runner")
HEARTBEAT_SECONDS = 30  # flow-run heartbeats: what the lost-run automation watches
MAINTENANCE_SECONDS = 30.0


async def maintenance_loop(stop: asyncio.Event, *, interval: float = MAINTENANCE_SECONDS) -> None:
    from tasks.case_summary import publish_stuck_cases
    from tasks.reconcile import reconcile
    from tasks.services import get_services
    from tasks.work_list import WORK_LISTS

    last_stuck: list[str] = []
    while not stop.is_set():
        try:
            report = await reconcile(get_services(), run_states=run_states)
            for reference in report.started:
                logger.info("started case %s (submitted, no flow run)", reference)
            for reference in report.restarted:
                logger.info("restarted case %s (its run ended before the case did)", reference)
            stuck = sorted(s.reference for s in report.stuck)
            if stuck != last_stuck:  # the artifact changes only when the list does
                await publish_stuck_cases(report.stuck)
                last_stuck = stuck
            # Operators' lists (when they changed) and fresh case-file links on waiting forms.
            await WORK_LISTS.refresh(get_services(), renew_links=True)
        except Exception:  # the API or database briefly down must not end the runner
            logger.warning("maintenance pass failed; next in %.0fs", interval, exc_info=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


async def run_worker(
    *,
    api_url: str,
    limit: int,
    poll: float,
    name: str | None,
    maintenance_seconds: float = MAINTENANCE_SECONDS,
) -> None:
    from prefect.context import AsyncClientContext
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        PREFECT_WORKER_QUERY_SECONDS,
        temporary_settings,
    )

    from adapters.settings import get_settings
    from tasks.services import entered_services
    from tasks.services_from_settings import services_from_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # httpx logs every request at INFO: the pool's polls alone were a line every poll interval.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = get_settings()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with (
        temporary_settings(
            {
                PREFECT_API_URL: api_url,
                PREFECT_WORKER_QUERY_SECONDS: poll,
                PREFECT_FLOWS_HEARTBEAT_FREQUENCY: HEARTBEAT_SECONDS,
            }
        ),
        entered_services(services_from_settings(settings)),
    ):
        # One API client for the whole process: Prefect's engine takes the context's client for
        # every flow run executed here, and so do the maintenance pass and the work lists (a
        # new client builds its TLS context, about 30 ms of CPU, even for a plain-HTTP API).
        async with AsyncClientContext.get_or_create():
            await _serve(name=name, limit=limit, stop=stop, maintenance_seconds=maintenance_seconds)


async def _serve(
    *, name: str | None, limit: int, stop: asyncio.Event, maintenance_seconds: float
) -> None:
    """The worker, its maintenance and the work-list publisher, until `stop`."""
    from adapters.prefect.worker import CaseWorker
    from tasks.services import get_services
    from tasks.work_list import WORK_LISTS

    worker = CaseWorker(
        WORK_POOL,
        name=name or f"sopflow-{socket.gethostname()}-{os.getpid()}",
        limit=limit,
        prefetch_seconds=1,
    )
    worker_task = asyncio.create_task(worker.start(printer=lambda text: _announce(text)))
    worker_task.add_done_callback(lambda task: _worker_ended(task, stop))
    maintenance = asyncio.create_task(maintenance_loop(stop, interval=maintenance_seconds))
    publisher = asyncio.create_task(WORK_LISTS.keep_current(get_services(), stop))
    await stop.wait()
    publisher.cancel()
    worker_task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await worker_task
    await maintenance
    if not worker_task.cancelled() and worker_task.exception() is not None:
        raise SystemExit(1)


def _worker_ended(task: asyncio.Task[None], stop: asyncio.Event) -> None:
    """The worker must not end while the runner lives: say why and stop (serve restarts it)."""
    if not task.cancelled() and task.exception() is not None:
        logger.error("worker stopped: %r", task.exception(), exc_info=task.exception())
        stop.set()


def _announce(text: str) -> None:
    logger.info("%s", text)
    if text.endswith("started!"):
        print("runner ready", flush=True)  # serve and the tests wait for this line
