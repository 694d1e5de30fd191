"""Handler of `service` steps: run the named action, store its outputs, move the case on."""

from __future__ import annotations

import asyncio

from prefect import task

from adapters.db.case_repository import SYSTEM_ACTOR
from process_definitions import model as m
from tasks.actions import ActionContext, run_action
from tasks.case_store import advance
from tasks.case_view import CaseView
from tasks.retry import retry_transient_only
from tasks.services import CaseServices, get_services
from tasks.step_task import STEP_TASK_OPTIONS, StepCall, after_advance, as_step_task


def _run(services: CaseServices, view: CaseView, step: m.ServiceStep) -> CaseView | None:
    started = services.clock()
    values = {**view.form_data, **view.variables}
    context = ActionContext(
        params={param: values.get(variable) for param, variable in step.params.items()},
        variables=view.variables,
        sdp=services.sdp,
        today=started.date(),
    )
    result = run_action(step.action, context)
    advanced = advance(
        services.engine,
        case_id=view.case_id,
        step_id=step.id,
        started_at=started,
        now=services.clock(),
        outcome=result.outcome,
        actor=SYSTEM_ACTOR,
        outputs=result.outputs,
    )
    return after_advance(view, advanced)


@task(
    name="service",
    retries=3,
    retry_delay_seconds=[1, 5, 15],
    retry_condition_fn=retry_transient_only,
    **STEP_TASK_OPTIONS,
)
async def service_task(call: StepCall) -> CaseView | None:
    """Outputs stay in the case database; the result is the new case view (not persisted)."""
    assert isinstance(call.step, m.ServiceStep)
    return await asyncio.to_thread(_run, get_services(), call.view, call.step)


async def handle_service(view: CaseView, step: m.StepDefinition) -> CaseView | None:
    assert isinstance(step, m.ServiceStep)
    result: CaseView | None = await as_step_task(service_task, step)(StepCall(view, step))
    return result
