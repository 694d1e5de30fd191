"""The case store: where a run reads its case and records each step, one transaction each.

- `load_for_run` reads the case and claims it for a flow run;
- `begin_wait` opens an operator step's record and marks the case `waiting`;
- `advance` records a finished step (outcome, outputs, decision, actor), moves the case to the
  next step, settles what follows without anyone (gateways route, end steps close the case) and
  returns the new case view: no reload;
- `mark_stalled` / `clear_stalled` park a case that cannot go on, and let it continue.

Every write checks, under the case row's lock, that the step is still the case's current step:
a re-run that finds the case moved on changes nothing (this is what makes re-runs safe).
Sync (SQLAlchemy); the flow and tasks call it in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from adapters.db import case_repository as repo
from adapters.db.audit import append_audit
from adapters.db.case_tables import Case, CaseStatus, StepRecord
from adapters.db.engine import session_scope
from flows.interpreter import RUNNABLE_IN_FLOW, condition_variables, route
from process_definitions import model as m
from process_definitions.loader import LoadedDefinition
from tasks.case_view import CaseView

STALLED_FLAG = "macet"


@dataclass(frozen=True)
class DecisionEntry:
    """What an operator decided: opaque choices and their NIP (recorded with the step)."""

    values: dict[str, Any]
    operator_nip: str


@dataclass(frozen=True)
class Advanced:
    view: CaseView
    records: list[StepRecord] = field(default_factory=list)  # finished here, in order


def _is_current(case: Case, step_id: str) -> bool:
    return case.current_step == step_id and case.finished_at is None


def load_for_run(
    engine: Engine, *, case_id: str, flow_run_id: str | None, now: datetime
) -> CaseView:
    """The case as stored; an open case becomes `running` under this flow run."""
    with session_scope(engine) as session:
        case = repo.get_case(session, case_id=case_id, for_update=flow_run_id is not None)
        loaded = repo.loaded_definition_of(case)
        stalled = case.status == CaseStatus.STALLED.value  # waits for `case retry`
        claim = flow_run_id is not None and case.finished_at is None and not stalled
        if claim and (case.status != CaseStatus.RUNNING.value or case.flow_run_id != flow_run_id):
            repo.set_status(
                session, case=case, status=CaseStatus.RUNNING, now=now, flow_run_id=flow_run_id
            )
        return CaseView.of(case, loaded=loaded)


def begin_wait(engine: Engine, *, case_id: str, step_id: str, now: datetime) -> CaseView | None:
    """Open the operator step's record (once per visit) and mark the case waiting."""
    with session_scope(engine) as session:
        case = repo.get_case(session, case_id=case_id, for_update=True)
        if not _is_current(case, step_id):
            return None
        loaded = repo.loaded_definition_of(case)
        record = repo.open_step(session, case=case, step=loaded.definition.step(step_id), now=now)
        opened_now = repo.utc(record.started_at) == repo.utc(now)
        if case.status != CaseStatus.WAITING.value:
            repo.set_status(session, case=case, status=CaseStatus.WAITING, now=now)
        view = CaseView.of(case, loaded=loaded, visit=record.visit, started_at=record.started_at)
        return replace(view, newly_waiting=opened_now)


def advance(
    engine: Engine,
    *,
    case_id: str,
    step_id: str,
    started_at: datetime,
    now: datetime,
    outcome: str,
    actor: str,
    outputs: dict[str, Any] | None = None,
    decision: DecisionEntry | None = None,
) -> Advanced | None:
    """Finish `step_id`, then settle gateways and end steps; None if the case moved on."""
    with session_scope(engine) as session:
        case = repo.get_case(session, case_id=case_id, for_update=True)
        if not _is_current(case, step_id):
            return None
        loaded = repo.loaded_definition_of(case)
        step = loaded.definition.step(step_id)
        record = repo.open_step(session, case=case, step=step, now=started_at)
        if decision is not None:
            repo.record_decision(
                session,
                case=case,
                step_id=step.id,
                visit=record.visit,
                values=decision.values,
                operator_nip=decision.operator_nip,
                at=now,
            )
        next_step = step.next if isinstance(step, RUNNABLE_IN_FLOW) else None
        repo.complete_step(
            session,
            case=case,
            record=record,
            now=now,
            outcome=outcome,
            actor=actor,
            next_step=next_step,
            outputs=outputs,
        )
        records = [record, *_settle(session, case, loaded, now)]
        return Advanced(CaseView.of(case, loaded=loaded), records)


def _settle(
    session: Session, case: Case, loaded: LoadedDefinition, now: datetime
) -> list[StepRecord]:
    """Gateways and end steps need nobody: route and close in the same transaction."""
    settled: list[StepRecord] = []
    while case.current_step is not None and case.finished_at is None:
        step = loaded.definition.step(case.current_step)
        if isinstance(step, m.GatewayStep):
            taken = route(loaded, step, condition_variables(case.form_data, case.variables))
            label = "default" if taken.branch is None else f"cabang {taken.branch + 1}"
            record = repo.open_step(session, case=case, step=step, now=now)
            repo.complete_step(
                session,
                case=case,
                record=record,
                now=now,
                outcome=f"{label} -> {taken.next_step}",
                actor=repo.SYSTEM_ACTOR,
                next_step=taken.next_step,
            )
        elif isinstance(step, m.EndStep):
            record = repo.open_step(session, case=case, step=step, now=now)
            repo.complete_step(
                session,
                case=case,
                record=record,
                now=now,
                outcome=step.outcome,
                actor=repo.SYSTEM_ACTOR,
                next_step=None,
                status=CaseStatus.COMPLETED,
                case_outcome=step.outcome,
            )
        else:
            break
        settled.append(record)
    return settled


def settle_current(engine: Engine, *, case_id: str, now: datetime) -> CaseView:
    """Settle a case whose current step is a gateway or an end (a case created right before
    one, or an older case stopped there)."""
    with session_scope(engine) as session:
        case = repo.get_case(session, case_id=case_id, for_update=True)
        loaded = repo.loaded_definition_of(case)
        _settle(session, case, loaded, now)
        return CaseView.of(case, loaded=loaded)


def mark_stalled(engine: Engine, *, case_id: str, reason: str, now: datetime) -> CaseView:
    """Park the case with its reason (no personal data): shown in the case file and reports."""
    with session_scope(engine) as session:
        case = repo.get_case(session, case_id=case_id, for_update=True)
        loaded = repo.loaded_definition_of(case)
        flag = f"{STALLED_FLAG}: {case.current_step}: {reason}"[:200]
        case.flags = [f for f in case.flags if not f.startswith(f"{STALLED_FLAG}:")] + [flag]
        repo.set_status(session, case=case, status=CaseStatus.STALLED, now=now)
        append_audit(
            session,
            at=now,
            actor=repo.SYSTEM_ACTOR,
            action="case.stalled",
            case_id=case.id,
            details={"step": case.current_step, "reason": reason[:200]},
        )
        return CaseView.of(case, loaded=loaded)


def clear_stalled(engine: Engine, *, case_id: str, actor: str, now: datetime) -> CaseView:
    """`case retry`: the case goes back to `submitted`, to be started again."""
    with session_scope(engine) as session:
        case = repo.get_case(session, case_id=case_id, for_update=True)
        loaded = repo.loaded_definition_of(case)
        case.flags = [f for f in case.flags if not f.startswith(f"{STALLED_FLAG}:")]
        repo.set_status(session, case=case, status=CaseStatus.SUBMITTED, now=now)
        append_audit(
            session,
            at=now,
            actor=actor,
            action="case.retried",
            case_id=case.id,
            details={"step": case.current_step},
        )
        return CaseView.of(case, loaded=loaded)
