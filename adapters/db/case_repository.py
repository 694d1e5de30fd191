"""Keyword-only repository functions over the case tables. Callers own the transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from adapters.db.audit import append_audit
from adapters.db.case_tables import Case, CaseStatus, Decision, ReferenceCounter, StepRecord
from adapters.db.errors import CaseNotFoundError, FormDataError
from process_definitions import model as m
from process_definitions.loader import LoadedDefinition
from process_definitions.snapshots import from_snapshot, to_snapshot

PUBLIC_ACTOR = "publik"
SYSTEM_ACTOR = "sistem"


def utc(value: datetime) -> datetime:
    """Datetimes from SQLite come back naive; everything here is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def next_reference(session: Session, *, prefix: str, year: int) -> str:
    """`LII-2026-000123`: a per-prefix, per-year serial, locked against concurrent callers."""
    counter = session.exec(
        select(ReferenceCounter)
        .where(ReferenceCounter.prefix == prefix, ReferenceCounter.year == year)
        .with_for_update()
    ).first()
    if counter is None:
        counter = ReferenceCounter(prefix=prefix, year=year, last=0)
        session.add(counter)
    counter.last += 1
    session.flush()
    return f"{prefix}-{year}-{counter.last:06d}"


def _check_form_data(definition: m.ProcessDefinition, form_data: dict[str, Any]) -> None:
    fields = {f.id: f for f in definition.form_fields()}
    unknown = sorted(form_data.keys() - fields.keys())
    missing = sorted(
        f.id for f in fields.values() if f.required and form_data.get(f.id) in (None, "", False)
    )
    if unknown or missing:
        raise FormDataError(
            f"form data does not match the form: unknown {unknown}, missing {missing}"
        )


def create_case(
    session: Session,
    *,
    loaded: LoadedDefinition,
    form_data: dict[str, Any],
    submitted_at: datetime,
    opened_at: datetime | None = None,
    case_id: str | None = None,
) -> Case:
    """Store a submitted case pinned to its definition; the public steps are recorded done."""
    definition = loaded.definition
    _check_form_data(definition, form_data)
    submitted_at = utc(submitted_at)
    opened = utc(opened_at) if opened_at else submitted_at
    case = Case(
        id=case_id or str(uuid.uuid4()),
        reference=next_reference(
            session, prefix=definition.reference_prefix, year=submitted_at.year
        ),
        definition_id=definition.id,
        definition_version=definition.version,
        definition_hash=loaded.content_hash,
        definition_snapshot=to_snapshot(loaded),
        status=CaseStatus.SUBMITTED.value,
        form_data=form_data,
        variables={},
        flags=[],
        opened_at=opened_at and opened,
        submitted_at=submitted_at,
        created_at=submitted_at,
        updated_at=submitted_at,
    )
    session.add(case)
    step: m.StepDefinition = definition.start
    while isinstance(step, m.PublicActionStep | m.FormStep):
        started = opened
        finished = submitted_at if isinstance(step, m.FormStep) else opened
        _add_record(
            session,
            case=case,
            step=step,
            started=started,
            finished=finished,
            outcome="selesai",
            actor=PUBLIC_ACTOR,
        )
        step = definition.step(step.next)
    case.current_step = step.id
    append_audit(
        session,
        at=submitted_at,
        actor=PUBLIC_ACTOR,
        action="case.submitted",
        case_id=case.id,
        details={
            "reference": case.reference,
            "definition": definition.id,
            "version": definition.version,
            "hash": loaded.content_hash,
            "next_step": step.id,
        },
    )
    session.flush()
    return case


def _budget_seconds(step: m.StepDefinition) -> float | None:
    return step.budget.total_seconds() if step.budget else None


def _add_record(
    session: Session,
    *,
    case: Case,
    step: m.StepDefinition,
    started: datetime,
    finished: datetime | None,
    outcome: str | None,
    actor: str | None,
    visit: int = 1,
) -> StepRecord:
    record = StepRecord(
        case_id=case.id,
        step_id=step.id,
        visit=visit,
        sop_step=step.sop_step,
        lane=step.lane,
        kind=step.kind,
        started_at=started,
        budget_seconds=_budget_seconds(step),
        budget_exceeded=False,
    )
    if finished is not None:
        _finish(record, finished=finished, outcome=outcome, actor=actor)
    session.add(record)
    return record


def _finish(
    record: StepRecord, *, finished: datetime, outcome: str | None, actor: str | None
) -> None:
    record.finished_at = finished
    record.duration_seconds = (utc(finished) - utc(record.started_at)).total_seconds()
    record.outcome = outcome
    record.actor = actor
    record.budget_exceeded = bool(
        record.budget_seconds is not None and record.duration_seconds > record.budget_seconds
    )


def get_case(session: Session, *, case_id: str, for_update: bool = False) -> Case:
    # The pinned snapshot (tens of KB of JSON) is read only when its hash is not loaded yet.
    statement = select(Case).where(Case.id == case_id).options(defer(Case.definition_snapshot))  # type: ignore[arg-type]
    if for_update:
        statement = statement.with_for_update()
    case = session.exec(statement).first()
    if case is None:
        raise CaseNotFoundError(case_id)
    return case


def get_case_by_reference(session: Session, *, reference: str) -> Case | None:
    return session.exec(select(Case).where(Case.reference == reference)).first()


_LOADED: dict[str, LoadedDefinition] = {}


def loaded_definition_of(case: Case) -> LoadedDefinition:
    """The definition the case is pinned to (parsed once per process and content hash)."""
    loaded = _LOADED.get(case.definition_hash)
    if loaded is None:
        loaded = from_snapshot(case.definition_snapshot)
        if len(_LOADED) >= 64:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[case.definition_hash] = loaded
    return loaded


def step_records(session: Session, *, case_id: str) -> list[StepRecord]:
    return list(
        session.exec(
            select(StepRecord).where(StepRecord.case_id == case_id).order_by(col(StepRecord.id))
        )
    )


def open_step(session: Session, *, case: Case, step: m.StepDefinition, now: datetime) -> StepRecord:
    """The unfinished record of the case's current visit to `step`, created if needed."""
    records = session.exec(
        select(StepRecord)
        .where(StepRecord.case_id == case.id, StepRecord.step_id == step.id)
        .order_by(col(StepRecord.visit).desc())
    ).all()
    if records and records[0].finished_at is None:
        return records[0]
    visit = records[0].visit + 1 if records else 1
    record = _add_record(
        session,
        case=case,
        step=step,
        started=utc(now),
        finished=None,
        outcome=None,
        actor=None,
        visit=visit,
    )
    session.flush()
    return record


def complete_step(
    session: Session,
    *,
    case: Case,
    record: StepRecord,
    now: datetime,
    outcome: str,
    actor: str,
    next_step: str | None,
    outputs: dict[str, Any] | None = None,
    status: CaseStatus = CaseStatus.RUNNING,
    case_outcome: str | None = None,
) -> StepRecord:
    """Finish a step and move the case on, atomically (one transaction with the audit entry)."""
    _finish(record, finished=utc(now), outcome=outcome, actor=actor)
    if outputs:
        case.variables = {**case.variables, **outputs}
    case.current_step = next_step
    case.status = status.value
    case.updated_at = utc(now)
    if status is CaseStatus.COMPLETED:
        case.finished_at = utc(now)
        case.outcome = case_outcome
    session.add(case)
    session.add(record)
    append_audit(
        session,
        at=utc(now),
        actor=actor,
        action="step.completed",
        case_id=case.id,
        details={
            "step": record.step_id,
            "visit": record.visit,
            "outcome": outcome,
            "next": next_step,
            "duration_s": round(record.duration_seconds or 0.0, 3),
            "budget_s": record.budget_seconds,
            "budget_exceeded": record.budget_exceeded,
        },
    )
    session.flush()
    return record


def set_status(
    session: Session,
    *,
    case: Case,
    status: CaseStatus,
    now: datetime,
    flow_run_id: str | None = None,
) -> None:
    case.status = status.value
    case.updated_at = utc(now)
    if flow_run_id:
        case.flow_run_id = flow_run_id
    session.add(case)
    session.flush()


def add_flag(session: Session, *, case: Case, flag: str, now: datetime, actor: str) -> None:
    if flag in case.flags:
        return
    case.flags = [*case.flags, flag]
    session.add(case)
    append_audit(
        session,
        at=utc(now),
        actor=actor,
        action="case.flagged",
        case_id=case.id,
        details={"flag": flag},
    )
    session.flush()


def record_decision(
    session: Session,
    *,
    case: Case,
    step_id: str,
    visit: int,
    values: dict[str, Any],
    operator_nip: str,
    at: datetime,
) -> Decision:
    decision = Decision(
        case_id=case.id,
        step_id=step_id,
        visit=visit,
        values=values,
        operator_nip=operator_nip,
        decided_at=utc(at),
    )
    session.add(decision)
    append_audit(
        session,
        at=utc(at),
        actor=operator_nip,
        action="decision.recorded",
        case_id=case.id,
        details={"step": step_id, "visit": visit, "values": values},
    )
    session.flush()
    return decision


def find_decision(session: Session, *, case_id: str, step_id: str, visit: int) -> Decision | None:
    return session.exec(
        select(Decision).where(
            Decision.case_id == case_id, Decision.step_id == step_id, Decision.visit == visit
        )
    ).first()


def cases_in_status(
    session: Session, *, status: CaseStatus, older_than: datetime | None = None, limit: int = 500
) -> list[Case]:
    statement = select(Case).where(Case.status == status.value)
    if older_than is not None:
        statement = statement.where(col(Case.updated_at) < older_than)
    return list(session.exec(statement.order_by(col(Case.created_at)).limit(limit)))


def elapsed(since: datetime, now: datetime) -> timedelta:
    return utc(now) - utc(since)
