"""Reading flow-run states for the reconciler (one request for many runs)."""

from __future__ import annotations

from uuid import UUID

PAGE = 200
ENDED_WITHOUT_FINISHING = frozenset({"FAILED", "CRASHED", "CANCELLED", "COMPLETED"})


async def run_states(flow_run_ids: list[str]) -> dict[str, str]:
    """flow run id -> state type (`RUNNING`, `PAUSED`...); runs Prefect lost are absent."""
    if not flow_run_ids:
        return {}
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    states: dict[str, str] = {}
    async with get_client() as client:
        for start in range(0, len(flow_run_ids), PAGE):  # the API caps a page at 200
            ids = [UUID(i) for i in flow_run_ids[start : start + PAGE]]
            runs = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)), limit=len(ids)
            )
            states.update({str(r.id): r.state.type.value for r in runs if r.state is not None})
    return states
