"""`run_case(case_id)`: the generic interpreter of any process definition, as a Prefect flow.

The case row is the source of truth. Each pass asks the pure interpreter what comes next, runs
that step's task (named after the step, tagged with its lane) and repeats until an end step. The
flow can be re-run from the top at any time (suspend/resume, crashes, the reconciler): finished
steps are never repeated, because a step only runs while it is the case's current step.
"""

from __future__ import annotations

import asyncio
from typing import Any

from prefect import flow, get_run_logger
from prefect.context import FlowRunContext

from adapters.db.case_tables import CaseStatus
from flows.interpreter import (
    Done,
    Finish,
    InterpreterError,
    Route,
    RunStep,
    condition_variables,
    next_action,
)
from flows.operator_wait import wait_for_operator
from process_definitions import model as m
from tasks.case_view import CaseView
from tasks.decision_step import DecisionInput, DecisionRejectedError, record_decision_step
from tasks.events import emit_step_waiting
from tasks.notify_step import NotifyInput, run_notify_step
from tasks.route_steps import EndInput, RouteInput, end_case_step, route_gateway_step
from tasks.service_step import ServiceStepInput, run_service_step
from tasks.services import get_services
from tasks.start_case import StartInput, reference_of_case, start_case_run
from tasks.step_state import begin_step

MAX_TRANSITIONS = 200  # a guard against a definition that loops forever
MAX_DECISION_ATTEMPTS = 5


def _as_step_task(task: Any, step: m.StepDefinition) -> Any:
    return task.with_options(name=step.id, task_run_name=step.id, tags={f"lane:{step.lane}"})


def _current_flow_run_id() -> str | None:
    context = FlowRunContext.get()
    return str(context.flow_run.id) if context and context.flow_run else None


def _run_name() -> str:
    """Flow runs are named after the case reference (never after a person)."""
    from prefect.runtime import flow_run

    return reference_of_case(str(flow_run.parameters["case_id"]))


@flow(name="run-case", flow_run_name=_run_name, persist_result=False, log_prints=False)
async def run_case(case_id: str) -> str | None:
    """Run one case to its end, or until it waits for an operator. Takes the case id only."""
    logger = get_run_logger()
    view: CaseView = await start_case_run(
        StartInput(case_id=case_id, flow_run_id=_current_flow_run_id())
    )
    logger.info("case %s at step %s", view.reference, view.current_step)
    attempts: dict[str, int] = {}
    for _ in range(MAX_TRANSITIONS):
        action = next_action(
            view.loaded,
            current_step=view.current_step,
            finished=view.finished,
            outcome=view.outcome,
            variables=condition_variables(view.form_data, view.variables),
        )
        if isinstance(action, Done):
            return action.outcome
        if isinstance(action, Finish):
            await _as_step_task(end_case_step, action.step)(
                EndInput(case_id=case_id, step_id=action.step.id, outcome=action.outcome)
            )
            logger.info("case %s finished: %s", view.reference, action.outcome)
            return action.outcome
        if isinstance(action, Route):
            await _as_step_task(route_gateway_step, action.step)(
                RouteInput(
                    case_id=case_id,
                    step_id=action.step.id,
                    next_step=action.next_step,
                    branch=action.branch,
                )
            )
        elif isinstance(action.step, m.ServiceStep):
            await _as_step_task(run_service_step, action.step)(
                ServiceStepInput(
                    case_id=case_id, step_id=action.step.id, next_step=action.next_step
                )
            )
        elif isinstance(action.step, m.NotifyStep):
            await _as_step_task(run_notify_step, action.step)(
                NotifyInput(case_id=case_id, step_id=action.step.id, next_step=action.next_step)
            )
        else:
            await _operator_step(view, action, attempts)
        view = await start_case_run(StartInput(case_id=case_id, flow_run_id=None))
    raise InterpreterError(f"case {view.reference}: more than {MAX_TRANSITIONS} transitions")


async def _operator_step(view: CaseView, action: RunStep, attempts: dict[str, int]) -> None:
    step = action.step
    assert isinstance(step, m.UserTaskStep)
    services = get_services()
    waiting = await asyncio.to_thread(
        begin_step,
        services.engine,
        case_id=view.case_id,
        step_id=step.id,
        now=services.clock(),
        status=CaseStatus.WAITING,
    )
    if waiting is None:
        return  # another run moved the case on
    emit_step_waiting(
        case_id=view.case_id,
        reference=view.reference,
        step_id=step.id,
        definition_id=view.loaded.definition.id,
    )
    attempt = attempts.get(step.id, 0)
    answer = await wait_for_operator(waiting, step, services, attempt=attempt)
    try:
        await _as_step_task(record_decision_step, step)(
            DecisionInput(
                case_id=view.case_id, step_id=step.id, next_step=action.next_step, values=answer
            )
        )
    except DecisionRejectedError:
        attempts[step.id] = attempt + 1
        if attempts[step.id] >= MAX_DECISION_ATTEMPTS:
            raise
