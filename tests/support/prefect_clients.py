"""Flush what this process's Prefect clients still hold (events, logs) while the server is up.

Prefect ships events and logs from background workers and drains them at interpreter exit; a test
that stops its server first leaves those workers retrying a dead address at exit. Drain them
before stopping a server, and once more (bounded) when the session ends.
"""

from __future__ import annotations

from prefect.events.worker import EventsWorker
from prefect.logging.handlers import APILogWorker


def drain_prefect_clients(timeout: float = 10.0) -> None:
    EventsWorker.drain_all(timeout=timeout)
    APILogWorker.drain_all(timeout=timeout)
