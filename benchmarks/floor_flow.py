"""Prefect's floor for the shape of a case: the same flow executions, task runs, pauses and
suspensions as `run_case`, with bodies that do nothing. `benchmarks/case_throughput.py` deploys
it on the same pool and runs it with the same runners, so the difference is sopflow's own cost.

`segments[i]` is the number of task runs between the i-th and the (i+1)-th wait; every segment
but the last ends in a wait. A wait is what `run_case` does at an operator step: a brief
in-process pause of `grace` seconds (adapters/prefect/brief_pause.py), then, without an answer,
a suspension (the run re-runs from the top when resumed). Each execution first reads where the
run stands (its run inputs: one request, as `run_case` reads its case row); a re-run after a
suspension then reads the answer that resumed it, as `run_case` does.
"""

from __future__ import annotations

import json
from typing import Literal

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.flow_runs import asuspend_flow_run
from prefect.input import RunInput
from prefect.runtime import flow_run

from adapters.prefect.brief_pause import answer_in_process, is_answer


class FloorAnswer(RunInput):
    ok: Literal["ya"]


@task(name="noop", persist_result=False, cache_policy=NO_CACHE)
async def noop(index: int) -> int:
    return index


async def _wait(segment: int, *, grace: float, poll: float) -> None:
    form = FloorAnswer.with_initial_data(description=f"floor segment {segment}")
    key = f"segment-{segment}"
    if grace > 0 and await answer_in_process(form, key=key, grace=grace, poll=poll) is not None:
        return
    await asuspend_flow_run(wait_for_input=form, key=key, timeout=3600)


async def _answered_waits() -> int:
    from prefect import get_client

    async with get_client() as client:
        inputs = await client.filter_flow_run_input(
            flow_run_id=flow_run.id, key_prefix="", limit=200, exclude_keys=set()
        )
    return sum(
        1 for item in inputs if item.key.endswith("-response") and is_answer(json.loads(item.value))
    )


@flow(name="floor-case", persist_result=False, log_prints=False)
async def floor_case(segments: list[int], grace: float = 0.0, poll: float = 0.1) -> int:
    segment = await _answered_waits()
    if segment > 0:  # a re-run after a suspension: the answer that resumed it, at once
        await asuspend_flow_run(
            wait_for_input=FloorAnswer, key=f"segment-{segment - 1}", timeout=3600
        )
    while True:
        for index in range(segments[segment]):
            await noop.with_options(task_run_name=f"noop-{segment}-{index}")(index)
        if segment + 1 >= len(segments):
            return segment
        await _wait(segment, grace=grace, poll=poll)
        segment += 1
