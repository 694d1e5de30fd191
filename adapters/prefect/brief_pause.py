"""A short in-process pause before a run suspends: an answer that comes at once (an operator
who has the case open, an automated decider) continues the same execution, without a second
poll, claim and engine start.

Prefect cannot turn a blocking pause into a suspension: a run leaves Paused only for Running
(or Scheduled), and a pause key fires once. So the brief pause has its own key, and when no
answer came in time the run closes that key before leaving the pause: it writes its own
"no answer" response. A run input key is unique, and Prefect stores an operator's answer in
the transaction that resumes the run, so exactly one of the two is stored: a resume that
comes second fails and changes nothing (the run is about to wait again under its suspension
key, where the operator answers). Then the run resumes itself (Paused -> Running) and the
caller suspends it.

A worker that dies during the pause leaves the run Paused with heartbeats stopped: the lost-run
automation reschedules it (Prefect clears a blocking pause's keys when it does); the pause's
own timeout (`grace` plus a margin) fails it otherwise, and the reconciler starts a new run.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, cast

import httpx
from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.objects import State
from prefect.context import FlowRunContext
from prefect.input import RunInput
from prefect.input.run_input import Keyset, keyset_from_paused_state
from prefect.states import Paused, Running
from prefect.utilities.engine import propose_state

NO_ANSWER = {"sopflow_no_answer": True}  # the response a run writes to close its brief pause
TIMEOUT_MARGIN_SECONDS = 60  # how long after `grace` Prefect fails a pause left behind


class BriefPauseError(RuntimeError):
    """The server did not let the run leave its brief pause (e.g. the pause expired first)."""


def brief_key(key: str) -> str:
    """The brief pause's own key, beside the suspension's `key`."""
    return f"{key}-live"


async def _response(client: PrefectClient, run_id: Any, keyset: Keyset) -> dict[str, Any] | None:
    try:
        value = await client.read_flow_run_input(run_id, keyset["response"])
    except httpx.HTTPStatusError as error:
        if error.response.status_code == 404:
            return None
        raise
    answer = json.loads(value)
    return answer if isinstance(answer, dict) else None


def is_answer(response: dict[str, Any] | None) -> bool:
    return response is not None and response != NO_ANSWER


async def answer_in_process(
    form: type[RunInput], *, key: str, grace: float, poll: float
) -> dict[str, Any] | None:
    """Pause the current run in process under `brief_key(key)` for up to `grace` seconds; the
    answer given meanwhile, or None (the run is Running again and no answer can come under
    this key any more)."""
    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        raise RuntimeError("a brief pause needs a flow run")
    run_id = context.flow_run.id
    state: State[Any] = Paused(
        timeout_seconds=int(grace) + TIMEOUT_MARGIN_SECONDS,
        reschedule=False,
        pause_key=brief_key(key),
    )
    keyset = keyset_from_paused_state(state)
    state.state_details.run_input_keyset = cast(dict[str, str], keyset)
    async with get_client() as client:
        proposed = await propose_state(client, state, flow_run_id=run_id)
        if proposed.is_running():  # this key fired in an earlier execution of the run
            given = await _response(client, run_id, keyset)
            return given if is_answer(given) else None
        if not proposed.is_paused():
            raise BriefPauseError(f"run not paused: {proposed.type.value}")
        await form.asave(keyset)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            await asyncio.sleep(poll)
            given = await _response(client, run_id, keyset)
            if given is not None:  # stored by the resume that made the run Running
                return given
        try:
            await client.create_flow_run_input(run_id, keyset["response"], json.dumps(NO_ANSWER))
        except httpx.HTTPStatusError as error:
            if error.response.status_code != 409:
                raise
            given = await _response(client, run_id, keyset)  # the operator was first
            if is_answer(given):
                return given
        resumed = await propose_state(client, Running(), flow_run_id=run_id)
        if not resumed.is_running():
            raise BriefPauseError(f"run did not leave its brief pause: {resumed.type.value}")
    return None
