"""Begin and finish a step against the case row: the guard that makes re-runs safe.

A step is only begun or finished while it is the case's current step, under a row lock; a
re-run that finds the case moved on does nothing. Sync (SQLAlchemy); tasks call it in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from adapters.db import case_repository as repo
from adapters.db.case_tables import CaseStatus, StepRecord
from adapters.db.engine import session_scope
from tasks.case_view import CaseView


@dataclass(frozen=True)
class FinishedStep:
    record: StepRecord
    reference: str
    definition_id: str


def begin_step(
    engine: Engine, *, case_id: str, step_id: str, now: datetime, status: CaseStatus
) -> CaseView | None:
    with session_scope(engine) as session:
        case = repo.get_case(session, case_id=case_id, for_update=True)
        if case.current_step != step_id or case.finished_at is not None:
            return None
        loaded = repo.loaded_definition_of(case)
        record = repo.open_step(session, case=case, step=loaded.definition.step(step_id), now=now)
        if case.status != status.value:
            repo.set_status(session, case=case, status=status, now=now)
        return CaseView.of(case, loaded=loaded, visit=record.visit, started_at=record.started_at)


def finish_step(
    engine: Engine,
    *,
    case_id: str,
    step_id: str,
    now: datetime,
    outcome: str,
    actor: str,
    next_step: str | None,
    outputs: dict[str, Any] | None = None,
    status: CaseStatus = CaseStatus.RUNNING,
    case_outcome: str | None = None,
) -> FinishedStep | None:
    with session_scope(engine) as session:
        case = repo.get_case(session, case_id=case_id, for_update=True)
        if case.current_step != step_id or case.finished_at is not None:
            return None
        loaded = repo.loaded_definition_of(case)
        record = repo.open_step(session, case=case, step=loaded.definition.step(step_id), now=now)
        repo.complete_step(
            session,
            case=case,
            record=record,
            now=now,
            outcome=outcome,
            actor=actor,
            next_step=next_step,
            outputs=outputs,
            status=status,
            case_outcome=case_outcome,
        )
        return FinishedStep(
            record=record, reference=case.reference, definition_id=case.definition_id
        )
