"""Task for `service` steps: run the named action, store its outputs, move the case on."""

from __future__ import annotations

import asyncio

from prefect import task
from pydantic import BaseModel

from adapters.db.case_repository import SYSTEM_ACTOR
from adapters.db.case_tables import CaseStatus
from process_definitions import model as m
from tasks.actions import ActionContext, run_action
from tasks.events import emit_budget_exceeded
from tasks.retry import retry_transient_only
from tasks.services import CaseServices, get_services
from tasks.step_state import begin_step, finish_step

ALREADY_DONE = "sudah selesai"


class ServiceStepInput(BaseModel):
    case_id: str
    step_id: str
    next_step: str


def _run(services: CaseServices, step_input: ServiceStepInput) -> str:
    view = begin_step(
        services.engine,
        case_id=step_input.case_id,
        step_id=step_input.step_id,
        now=services.clock(),
        status=CaseStatus.RUNNING,
    )
    if view is None:
        return ALREADY_DONE
    step = view.loaded.definition.step(step_input.step_id)
    assert isinstance(step, m.ServiceStep)
    values = {**view.form_data, **view.variables}
    context = ActionContext(
        params={param: values.get(variable) for param, variable in step.params.items()},
        variables=view.variables,
        sdp=services.sdp,
        today=services.clock().date(),
    )
    result = run_action(step.action, context)
    finished = finish_step(
        services.engine,
        case_id=step_input.case_id,
        step_id=step.id,
        now=services.clock(),
        outcome=result.outcome,
        actor=SYSTEM_ACTOR,
        next_step=step_input.next_step,
        outputs=result.outputs,
    )
    if finished is None:
        return ALREADY_DONE
    if finished.record.budget_exceeded:
        emit_budget_exceeded(
            case_id=step_input.case_id,
            reference=finished.reference,
            definition_id=finished.definition_id,
            record=finished.record,
        )
    return result.outcome


@task(
    name="service",
    persist_result=False,
    retries=3,
    retry_delay_seconds=[1, 5, 15],
    retry_condition_fn=retry_transient_only,
)
async def run_service_step(step_input: ServiceStepInput) -> str:
    """Returns a short outcome (e.g. `3 kandidat`); outputs stay in the case database."""
    return await asyncio.to_thread(_run, get_services(), step_input)
