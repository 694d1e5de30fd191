"""What counts as transient: a run failing on it is retried, never parked as stalled."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.exc import OperationalError

from tasks.retry import is_transient

REQUEST = httpx.Request("POST", "http://127.0.0.1:4200/api/flow_runs/x/set_state")


def _status(code: int) -> httpx.HTTPStatusError:
    return httpx.HTTPStatusError(
        "", request=REQUEST, response=httpx.Response(code, request=REQUEST)
    )


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("refused", request=REQUEST),  # Prefect restarting
        httpx.ReadError("", request=REQUEST),
        _status(503),
        _status(500),  # its database down
        OperationalError("SELECT 1", {}, Exception("server closed the connection")),
        ConnectionError(),
        TimeoutError(),
    ],
)
def test_a_part_away_or_failing_is_transient(error: BaseException) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error", [_status(404), _status(422), ValueError("bad data"), KeyError("step"), None]
)
def test_bad_data_and_bugs_are_not(error: BaseException | None) -> None:
    assert not is_transient(error)
