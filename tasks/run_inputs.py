"""Remove an operator's answers from Prefect once the case database holds them.

Prefect keeps every run input (the form's description with its case-file link, its schema and
the operator's response, notes included) in its database. After a decision is recorded, the
inputs of that step visit are deleted: keys `paused-<step>-<visit>-<attempt>-…` or
`suspended-…`, all attempts at once (a suspended run replays refused attempts on re-run, so
they are kept until the accepted one is recorded).
"""

from __future__ import annotations

import logging
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.context import FlowRunContext
from prefect.exceptions import ObjectNotFound

logger = logging.getLogger("sopflow.run_inputs")
PAUSE_STATES = ("paused", "suspended")  # Prefect prefixes the pause key with the state's name


async def delete_inputs(flow_run_id: UUID, key_prefix: str) -> int:
    """Delete the run inputs whose key starts with `<state>-<key_prefix>`; how many were."""
    deleted = 0
    async with get_client() as client:
        for state in PAUSE_STATES:
            inputs = await client.filter_flow_run_input(
                flow_run_id, key_prefix=f"{state}-{key_prefix}", limit=200, exclude_keys=set()
            )
            for run_input in inputs:
                try:
                    await client.delete_flow_run_input(flow_run_id, run_input.key)
                    deleted += 1
                except ObjectNotFound:
                    pass  # another run of this case deleted it first
    return deleted


async def forget_answers(key_prefix: str) -> None:
    """Delete this flow run's inputs for a recorded decision. A failure is logged, not raised:
    the decision is recorded and the case moves on (no personal data in the message)."""
    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return
    try:
        await delete_inputs(context.flow_run.id, key_prefix)
    except Exception as error:
        logger.warning("run inputs %s* not deleted (%s)", key_prefix, type(error).__name__)
