"""Tasks for `gateway` and `end` steps: record the route taken, or close the case."""

from __future__ import annotations

import asyncio

from prefect import task
from pydantic import BaseModel

from adapters.db.case_repository import SYSTEM_ACTOR
from adapters.db.case_tables import CaseStatus
from tasks.case_summary import publish_case_summary
from tasks.services import CaseServices, get_services
from tasks.step_state import begin_step, finish_step

ALREADY_DONE = "sudah selesai"


class RouteInput(BaseModel):
    case_id: str
    step_id: str
    next_step: str
    branch: int | None


class EndInput(BaseModel):
    case_id: str
    step_id: str
    outcome: str


def _route(services: CaseServices, route: RouteInput) -> str:
    now = services.clock()
    if (
        begin_step(
            services.engine,
            case_id=route.case_id,
            step_id=route.step_id,
            now=now,
            status=CaseStatus.RUNNING,
        )
        is None
    ):
        return ALREADY_DONE
    label = "default" if route.branch is None else f"cabang {route.branch + 1}"
    finished = finish_step(
        services.engine,
        case_id=route.case_id,
        step_id=route.step_id,
        now=now,
        outcome=f"{label} -> {route.next_step}",
        actor=SYSTEM_ACTOR,
        next_step=route.next_step,
    )
    return route.next_step if finished else ALREADY_DONE


def _end(services: CaseServices, end: EndInput) -> str:
    now = services.clock()
    if (
        begin_step(
            services.engine,
            case_id=end.case_id,
            step_id=end.step_id,
            now=now,
            status=CaseStatus.RUNNING,
        )
        is None
    ):
        return ALREADY_DONE
    finished = finish_step(
        services.engine,
        case_id=end.case_id,
        step_id=end.step_id,
        now=now,
        outcome=end.outcome,
        actor=SYSTEM_ACTOR,
        next_step=None,
        status=CaseStatus.COMPLETED,
        case_outcome=end.outcome,
    )
    return end.outcome if finished else ALREADY_DONE


@task(name="gateway", persist_result=False)
async def route_gateway_step(route: RouteInput) -> str:
    return await asyncio.to_thread(_route, get_services(), route)


@task(name="end", persist_result=False)
async def end_case_step(end: EndInput) -> str:
    """Close the case and publish its summary artifact."""
    outcome = await asyncio.to_thread(_end, get_services(), end)
    await publish_case_summary(end.case_id)
    return outcome
