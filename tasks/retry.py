"""Retry only what retrying can fix: transient adapter errors, never bad data or bugs."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.exc import OperationalError

from adapters.notify.errors import TransientDeliveryError
from adapters.prefect.brief_pause import BriefPauseError
from adapters.sdp.errors import SdpUnavailableError

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    SdpUnavailableError,
    TransientDeliveryError,
    OperationalError,
    ConnectionError,
    TimeoutError,
    httpx.TransportError,  # the Prefect API restarting or away
    BriefPauseError,  # a run late to leave its brief pause: a new run continues the case
)


def is_transient(error: BaseException | None) -> bool:
    """Also the Prefect API away or failing (a restart, its database down): connection errors
    and 5xx answers. A 4xx answer is a bug or bad data, as anything else is."""
    if isinstance(error, TRANSIENT_ERRORS):
        return True
    return isinstance(error, httpx.HTTPStatusError) and error.response.status_code >= 500


def retry_transient_only(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect `retry_condition_fn`: retry when the task failed on a transient error."""
    try:
        state.result()
    except Exception as error:  # the task's exception, re-raised by result()
        return is_transient(error)
    return False
