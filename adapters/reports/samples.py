"""Read a period's cases from the case database into plain, frozen samples.

Reports are computed from these samples only (pure code, testable without a database). A case
belongs to the period in which it was submitted. Definitions come from the snapshot pinned to
each case, so a report shows the names and budgets the case actually ran under.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from adapters.db.case_repository import PUBLIC_ACTOR, SYSTEM_ACTOR, utc
from adapters.db.case_tables import Case, Decision, StepRecord
from adapters.reports.period import Period
from process_definitions import model as m

NON_OPERATORS = frozenset({PUBLIC_ACTOR, SYSTEM_ACTOR})


@dataclass(frozen=True)
class StepSample:
    """One visit to one step (finished or not)."""

    step_id: str
    sop_step: int
    lane: str
    kind: str
    started_at: datetime
    finished_at: datetime | None
    duration_seconds: float | None
    budget_seconds: float | None
    exceeded: bool
    actor: str | None


@dataclass(frozen=True)
class CaseSample:
    case_id: str
    reference: str
    status: str
    outcome: str | None
    submitted_at: datetime
    finished_at: datetime | None
    steps: tuple[StepSample, ...]
    operators: tuple[str, ...] = ()  # NIPs that acted on or decided the case
    form_data: dict[str, Any] = field(default_factory=dict)  # only loaded for the register
    purged: bool = False


@dataclass(frozen=True)
class DefinitionCases:
    """The cases of one definition id in a period, with the newest version's definition."""

    definition: m.ProcessDefinition
    cases: tuple[CaseSample, ...]


def definition_of(case: Case, cache: dict[str, m.ProcessDefinition]) -> m.ProcessDefinition:
    """The model pinned to the case (validated once per snapshot hash)."""
    if case.definition_hash not in cache:
        snapshot = case.definition_snapshot["definition"]
        cache[case.definition_hash] = m.ProcessDefinition.model_validate(snapshot)
    return cache[case.definition_hash]


def cases_in(
    session: Session,
    period: Period,
    definition_id: str | None = None,
    *,
    include_demo: bool = False,
) -> list[Case]:
    """The cases submitted in the period; demo cases (`sopflow demo`) only when asked."""
    statement = select(Case).where(
        col(Case.submitted_at) >= period.start, col(Case.submitted_at) < period.end
    )
    if definition_id:
        statement = statement.where(Case.definition_id == definition_id)
    if not include_demo:
        statement = statement.where(col(Case.is_demo).is_(False))
    return list(session.exec(statement.order_by(col(Case.submitted_at), col(Case.reference))))


def records_by_case(session: Session, case_ids: list[str]) -> dict[str, list[StepRecord]]:
    grouped: dict[str, list[StepRecord]] = {case_id: [] for case_id in case_ids}
    for chunk in _chunks(case_ids):
        statement = select(StepRecord).where(col(StepRecord.case_id).in_(chunk))
        for record in session.exec(statement.order_by(col(StepRecord.id))):
            grouped[record.case_id].append(record)
    return grouped


def _decision_nips(session: Session, case_ids: list[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {case_id: [] for case_id in case_ids}
    for chunk in _chunks(case_ids):
        statement = select(Decision).where(col(Decision.case_id).in_(chunk))
        for decision in session.exec(statement.order_by(col(Decision.id))):
            grouped[decision.case_id].append(decision.operator_nip)
    return grouped


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _step(record: StepRecord) -> StepSample:
    return StepSample(
        step_id=record.step_id,
        sop_step=record.sop_step,
        lane=record.lane,
        kind=record.kind,
        started_at=utc(record.started_at),
        finished_at=utc(record.finished_at) if record.finished_at else None,
        duration_seconds=record.duration_seconds,
        budget_seconds=record.budget_seconds,
        exceeded=record.budget_exceeded,
        actor=record.actor,
    )


def load_samples(
    session: Session,
    period: Period,
    *,
    definition_id: str | None = None,
    with_form_data: bool = False,
    include_demo: bool = False,
) -> list[DefinitionCases]:
    """The period's cases grouped per definition id (sorted by id)."""
    cases = cases_in(session, period, definition_id, include_demo=include_demo)
    ids = [case.id for case in cases]
    records = records_by_case(session, ids)
    decisions = _decision_nips(session, ids)
    cache: dict[str, m.ProcessDefinition] = {}
    grouped: dict[str, list[CaseSample]] = {}
    newest: dict[str, m.ProcessDefinition] = {}
    for case in cases:
        definition = definition_of(case, cache)
        current = newest.get(case.definition_id)
        if current is None or definition.version >= current.version:
            newest[case.definition_id] = definition
        actors = [r.actor for r in records[case.id] if r.actor and r.actor not in NON_OPERATORS]
        grouped.setdefault(case.definition_id, []).append(
            CaseSample(
                case_id=case.id,
                reference=case.reference,
                status=case.status,
                outcome=case.outcome,
                submitted_at=utc(case.submitted_at),
                finished_at=utc(case.finished_at) if case.finished_at else None,
                steps=tuple(_step(r) for r in records[case.id]),
                operators=tuple(dict.fromkeys([*actors, *decisions[case.id]])),
                form_data=dict(case.form_data) if with_form_data else {},
                purged=case.purged_at is not None,
            )
        )
    return [
        DefinitionCases(definition=newest[key], cases=tuple(grouped[key]))
        for key in sorted(grouped)
    ]
