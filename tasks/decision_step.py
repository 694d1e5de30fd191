"""Task for `user_task` steps once the operator has answered: check, record, move on."""

from __future__ import annotations

import asyncio
from typing import Any

from prefect import task
from pydantic import BaseModel

from adapters.db import case_repository as repo
from adapters.db.engine import session_scope
from process_definitions import model as m
from tasks.events import emit_budget_exceeded, emit_step_decided
from tasks.operator_input import choice_values, operator_nip
from tasks.services import CaseServices, get_services

ALREADY_DONE = "sudah selesai"


class DecisionRejectedError(ValueError):
    """The answer does not fit the step (stale key, NIP not in the lane's roster…)."""


class DecisionInput(BaseModel):
    case_id: str
    step_id: str
    next_step: str
    values: dict[str, Any]


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


def _record(services: CaseServices, decision: DecisionInput) -> str:
    now = services.clock()
    with session_scope(services.engine) as session:
        case = repo.get_case(session, case_id=decision.case_id, for_update=True)
        if case.current_step != decision.step_id or case.finished_at is not None:
            return ALREADY_DONE
        loaded = repo.loaded_definition_of(case)
        step = loaded.definition.step(decision.step_id)
        assert isinstance(step, m.UserTaskStep)
        check_decision(
            step,
            decision.values,
            variables=case.variables,
            roster_nips=services.roster.nips(step.lane),
        )
        record = repo.open_step(session, case=case, step=step, now=now)
        nip = operator_nip(step, decision.values)
        choices = {i.id: decision.values[i.id] for i in step.inputs if isinstance(i, m.ChoiceInput)}
        notes = {
            i.id: decision.values.get(i.id, "") for i in step.inputs if isinstance(i, m.TextInput)
        }
        repo.record_decision(
            session,
            case=case,
            step_id=step.id,
            visit=record.visit,
            values=choices,
            operator_nip=nip,
            at=now,
        )
        repo.complete_step(
            session,
            case=case,
            record=record,
            now=now,
            outcome=",".join(str(v) for v in choices.values()),
            actor=nip,
            next_step=decision.next_step,
            outputs={**choices, **notes},
        )
        reference, definition_id = case.reference, case.definition_id
    emit_step_decided(
        case_id=decision.case_id,
        reference=reference,
        step_id=decision.step_id,
        definition_id=definition_id,
    )
    if record.budget_exceeded:
        emit_budget_exceeded(
            case_id=decision.case_id,
            reference=reference,
            definition_id=definition_id,
            record=record,
        )
    return str(record.outcome)


@task(name="decision", persist_result=False)
async def record_decision_step(decision: DecisionInput) -> str:
    """Returns the chosen opaque values (e.g. `K1`), never names."""
    return await asyncio.to_thread(_record, get_services(), decision)
