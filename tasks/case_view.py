"""A detached, read-only view of a case for tasks and the flow (no ORM object crosses threads)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.db.case_repository import utc
from adapters.db.case_tables import Case
from process_definitions.loader import LoadedDefinition


@dataclass(frozen=True)
class CaseView:
    case_id: str
    reference: str
    status: str
    current_step: str | None
    finished: bool
    outcome: str | None
    form_data: dict[str, Any]
    variables: dict[str, Any]
    loaded: LoadedDefinition
    visit: int = 1
    started_at: datetime | None = None
    newly_waiting: bool = False  # an operator step's wait began in this call

    @classmethod
    def of(
        cls,
        case: Case,
        *,
        loaded: LoadedDefinition,
        visit: int = 1,
        started_at: datetime | None = None,
    ) -> CaseView:
        return cls(
            case_id=case.id,
            reference=case.reference,
            status=case.status,
            current_step=case.current_step,
            finished=case.finished_at is not None,
            outcome=case.outcome,
            form_data=dict(case.form_data),
            variables=dict(case.variables),
            loaded=loaded,
            visit=visit,
            started_at=utc(started_at) if started_at else None,
        )

    @property
    def tags(self) -> list[str]:
        definition = self.loaded.definition
        return [f"definition:{definition.id}", f"version:{definition.version}"]
