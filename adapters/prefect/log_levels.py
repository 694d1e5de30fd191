"""Prefect's flow engine logs "Finished in state Suspended(...)" at ERROR level: for sopflow a
suspension is the normal way a case waits for an operator. This filter lowers that one line
(and its Paused twin) to INFO before any handler, the API's included, sees it."""

from __future__ import annotations

import logging

WAITING_STATES = ("Finished in state Suspended(", "Finished in state Paused(")


class SuspensionIsNotAnError(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING and str(record.msg).startswith(WAITING_STATES):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def install() -> None:
    """Idempotent: attach the filter to the flow-run logger once."""
    flow_runs = logging.getLogger("prefect.flow_runs")
    if not any(isinstance(f, SuspensionIsNotAnError) for f in flow_runs.filters):
        flow_runs.addFilter(SuspensionIsNotAnError())
