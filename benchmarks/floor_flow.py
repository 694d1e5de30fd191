"""Prefect's floor for the shape of a case: the same flow executions, task runs and
suspensions as `run_case`, with bodies that do nothing. `benchmarks/case_throughput.py` deploys
it on the same pool and runs it with the same runners, so the difference is sopflow's own cost.

`segments[i]` is the number of task runs in the i-th execution of the run; every execution but
the last ends in a suspension. Each execution first reads where the run stands (the answers it
has: one request, as `run_case` reads its case row), then the answer that resumed it (as
`run_case` does when it re-runs from the top). `run_count` cannot tell: resumed executions do
not increment it.
"""

from __future__ import annotations

from typing import Literal

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.flow_runs import asuspend_flow_run
from prefect.input import RunInput
from prefect.runtime import flow_run


class FloorAnswer(RunInput):
    ok: Literal["ya"]


@task(name="noop", persist_result=False, cache_policy=NO_CACHE)
async def noop(index: int) -> int:
    return index


async def _wait(segment: int) -> None:
    form = FloorAnswer.with_initial_data(description=f"floor segment {segment}")
    await asuspend_flow_run(wait_for_input=form, key=f"segment-{segment}", timeout=3600)


async def _answered_segments() -> int:
    from prefect import get_client

    async with get_client() as client:
        inputs = await client.filter_flow_run_input(
            flow_run_id=flow_run.id, key_prefix="suspended-segment-", limit=100, exclude_keys=set()
        )
    return sum(1 for item in inputs if item.key.endswith("-response"))


@flow(name="floor-case", persist_result=False, log_prints=False)
async def floor_case(segments: list[int]) -> int:
    segment = await _answered_segments()
    if segment > 0:
        await _wait(segment - 1)  # returns the answer at once, as run_case's re-run does
    for index in range(segments[segment]):
        await noop.with_options(task_run_name=f"noop-{segment}-{index}")(index)
    if segment + 1 < len(segments):
        await _wait(segment)
    return segment
