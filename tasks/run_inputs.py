"""Prefect run inputs of an operator step: the answer a re-run finds, and their removal.

Prefect keeps every run input (the form's description with its case-file link, its schema and
the operator's response, notes included) in its database, under `<state>-<pause key>-<part>`
(`state` is `suspended` for a run from a deployment, `paused` otherwise). A run from a
deployment first waits briefly in process under the key's brief twin (`paused-<key>-live-<part>`,
adapters/prefect/brief_pause.py). A re-run after a resume reads the response directly, without
building the form again. After a decision is recorded, the inputs of that step visit are
deleted, all attempts at once (a suspended run replays refused attempts on re-run, so they are
kept until the accepted one is recorded).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from uuid import UUID

import httpx
from prefect.client.orchestration import get_client
from prefect.context import FlowRunContext

from adapters.prefect.brief_pause import brief_key, is_answer

logger = logging.getLogger("sopflow.run_inputs")
# Prefect prefixes a pause key with how the run waits: in process (paused) or suspended.
PAUSED, SUSPENDED = "paused", "suspended"
PAUSE_STATES = (PAUSED, SUSPENDED)
PARTS = ("description", "schema", "response")


def _current_run_id() -> UUID | None:
    context = FlowRunContext.get()
    return context.flow_run.id if context and context.flow_run else None


def _missing(error: httpx.HTTPStatusError) -> bool:
    return error.response.status_code == 404


def _answered_keys(state: str, key: str) -> list[str]:
    """Where an answer to this pause key can be: a suspended run's brief pause comes first."""
    own = f"{state}-{key}-response"
    return [f"{PAUSED}-{brief_key(key)}-response", own] if state == SUSPENDED else [own]


async def given_answer(state: str, key: str) -> dict[str, Any] | None:
    """The response already given for this pause key of the current run, if any."""
    run_id = _current_run_id()
    if run_id is None:
        return None
    async with get_client() as client:
        for input_key in _answered_keys(state, key):
            try:
                value = await client.read_flow_run_input(run_id, input_key)
            except httpx.HTTPStatusError as error:
                if _missing(error):
                    continue
                raise
            answer = json.loads(value)
            if isinstance(answer, dict) and is_answer(answer):
                return answer
    return None


def input_keys(
    state: str, key_prefix: str, attempts: int, *, brief_only: bool = False
) -> list[str]:
    """Every input key of a step visit's first `attempts` pause keys, with their brief twins
    (only those when every attempt was answered in its brief pause: nothing was suspended)."""
    if state != SUSPENDED:
        bases = [f"{state}-{key_prefix}{n}" for n in range(attempts)]
    else:
        bases = [f"{PAUSED}-{brief_key(f'{key_prefix}{n}')}" for n in range(attempts)]
        if not brief_only:
            bases += [f"{state}-{key_prefix}{n}" for n in range(attempts)]
    return [f"{base}-{part}" for base in bases for part in PARTS]


async def delete_inputs(flow_run_id: UUID, keys: list[str]) -> int:
    """Delete these run inputs (concurrently); how many there were."""
    async with get_client() as client:

        async def delete(key: str) -> int:
            try:
                await client.delete_flow_run_input(flow_run_id, key)
            except httpx.HTTPStatusError as error:
                if _missing(error):  # never written, or another run of the case was first
                    return 0
                raise
            return 1

        return sum(await asyncio.gather(*(delete(key) for key in keys)))


async def forget_answers(
    state: str, key_prefix: str, *, attempts: int, brief_only: bool = False
) -> None:
    """Delete this flow run's inputs for a recorded decision. A failure is logged, not raised:
    the decision is recorded and the case moves on (no personal data in the message)."""
    run_id = _current_run_id()
    if run_id is None:
        return
    try:
        await delete_inputs(run_id, input_keys(state, key_prefix, attempts, brief_only=brief_only))
    except Exception as error:
        logger.warning("run inputs %s* not deleted (%s)", key_prefix, type(error).__name__)
