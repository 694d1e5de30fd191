"""Handler of `user_task` steps: wait for an operator, check the answer, record it.

Waiting suspends the run when it runs from a deployment (it holds no process and re-runs from
the top on resume) and pauses it otherwise (the process waits in place). On a re-run the same
pause key returns the answer already given, so the handler continues where it stood. The answer
is recorded by a task named after the step, with the decision, in one transaction.
"""

from __future__ import annotations

import asyncio
from typing import Any

from prefect import task
from prefect.context import FlowRunContext
from prefect.flow_runs import apause_flow_run, asuspend_flow_run

from adapters.prefect.events import emit_step_decided, emit_step_waiting
from process_definitions import model as m
from process_definitions.units import format_duration
from tasks.case_store import DecisionEntry, advance, begin_wait
from tasks.case_view import CaseView
from tasks.operator_input import build_operator_input, choice_values, describe, operator_nip
from tasks.services import CaseServices, get_services
from tasks.step_task import STEP_TASK_OPTIONS, StepCall, after_advance, as_step_task

MAX_DECISION_ATTEMPTS = 5


class DecisionRejectedError(ValueError):
    """The answer does not fit the step (stale key, NIP not in the lane's roster…)."""


def check_decision(
    step: m.UserTaskStep,
    values: dict[str, Any],
    *,
    variables: dict[str, Any],
    roster_nips: list[str],
) -> None:
    for task_input in step.inputs:
        value = values.get(task_input.id)
        if isinstance(task_input, m.ChoiceInput):
            allowed = [v for v, _ in choice_values(task_input, variables)]
            if value not in allowed:
                raise DecisionRejectedError(f"{task_input.id}: pilihan tidak sah")
        elif isinstance(task_input, m.OperatorInput):
            if value not in roster_nips:
                raise DecisionRejectedError(f"{task_input.id}: NIP tidak terdaftar di {step.lane}")
        elif task_input.required and not str(value or "").strip():
            raise DecisionRejectedError(f"{task_input.id}: wajib diisi")


def running_from_deployment() -> bool:
    context = FlowRunContext.get()
    return bool(context and context.flow_run and context.flow_run.deployment_id)


async def wait_for_operator(
    view: CaseView, step: m.UserTaskStep, services: CaseServices, *, attempt: int
) -> dict[str, Any]:
    model = build_operator_input(
        step, variables=view.variables, roster_nips=services.roster.nips(step.lane)
    )
    description = describe(
        step,
        reference=view.reference,
        case_file_url=services.links.url(view.case_id, now=services.clock(), ttl=services.link_ttl),
        variables=view.variables,
        budget_text=format_duration(step.budget) if step.budget else "-",
    )
    form = model.with_initial_data(description=description)
    key = f"{step.id.replace('_', '-')}-{view.visit}-{attempt}"  # lowercase, dashes
    timeout = int(services.operator_wait_timeout.total_seconds())
    if running_from_deployment():
        answer = await asuspend_flow_run(wait_for_input=form, key=key, timeout=timeout)
    else:
        answer = await apause_flow_run(
            wait_for_input=form,
            key=key,
            timeout=timeout,
            poll_interval=int(max(1, services.pause_poll_seconds)),
        )
    return dict(answer.model_dump())


def _record(
    services: CaseServices, view: CaseView, step: m.UserTaskStep, values: dict[str, Any]
) -> CaseView | None:
    check_decision(
        step, values, variables=view.variables, roster_nips=services.roster.nips(step.lane)
    )
    nip = operator_nip(step, values)
    choices = {i.id: values[i.id] for i in step.inputs if isinstance(i, m.ChoiceInput)}
    notes = {i.id: values.get(i.id, "") for i in step.inputs if isinstance(i, m.TextInput)}
    assert view.started_at is not None
    advanced = advance(
        services.engine,
        case_id=view.case_id,
        step_id=step.id,
        started_at=view.started_at,
        now=services.clock(),
        outcome=",".join(str(v) for v in choices.values()),
        actor=nip,
        outputs={**choices, **notes},
        decision=DecisionEntry(values=choices, operator_nip=nip),
    )
    if advanced is not None:
        emit_step_decided(
            case_id=view.case_id,
            reference=view.reference,
            step_id=step.id,
            definition_id=view.loaded.definition.id,
            definition_hash=view.loaded.content_hash,
        )
    return after_advance(view, advanced)


class _DecisionCall(StepCall):
    __slots__ = ("values",)

    def __init__(self, view: CaseView, step: m.StepDefinition, values: dict[str, Any]) -> None:
        super().__init__(view, step)
        self.values = values


@task(name="decision", **STEP_TASK_OPTIONS)
async def decision_task(call: _DecisionCall) -> CaseView | None:
    """Checks and records the operator's answer; the result is the new case view."""
    assert isinstance(call.step, m.UserTaskStep)
    return await asyncio.to_thread(_record, get_services(), call.view, call.step, call.values)


async def handle_user_task(view: CaseView, step: m.StepDefinition) -> CaseView | None:
    assert isinstance(step, m.UserTaskStep)
    services = get_services()
    for attempt in range(MAX_DECISION_ATTEMPTS):
        waiting = await asyncio.to_thread(
            begin_wait,
            services.engine,
            case_id=view.case_id,
            step_id=step.id,
            now=services.clock(),
        )
        if waiting is None:
            return None  # another run moved the case on
        if waiting.newly_waiting:
            emit_step_waiting(
                case_id=view.case_id,
                reference=view.reference,
                step_id=step.id,
                definition_id=view.loaded.definition.id,
                definition_hash=view.loaded.content_hash,
            )
        answer = await wait_for_operator(waiting, step, services, attempt=attempt)
        try:
            result: CaseView | None = await as_step_task(decision_task, step)(
                _DecisionCall(waiting, step, answer)
            )
            return result
        except DecisionRejectedError:
            if attempt + 1 >= MAX_DECISION_ATTEMPTS:
                raise
    raise DecisionRejectedError(f"{step.id}: {MAX_DECISION_ATTEMPTS} jawaban ditolak")
