"""Load a case for the flow and mark it running (plain function, not a task: no side effect
beyond the status a run owns)."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel
from sqlalchemy import Engine

from adapters.db import case_repository as repo
from adapters.db.case_tables import CaseStatus
from adapters.db.engine import session_scope
from tasks.case_view import CaseView
from tasks.services import get_services


class StartInput(BaseModel):
    case_id: str
    flow_run_id: str | None = None  # set on the first load of a run


def load_case_view(engine: Engine, start: StartInput, now_status: CaseStatus | None) -> CaseView:
    with session_scope(engine) as session:
        case = repo.get_case(
            session, case_id=start.case_id, for_update=start.flow_run_id is not None
        )
        loaded = repo.loaded_definition_of(case)
        claim = start.flow_run_id and case.finished_at is None and now_status is not None
        if (
            claim
            and now_status
            and (case.status != now_status.value or case.flow_run_id != start.flow_run_id)
        ):
            repo.set_status(
                session,
                case=case,
                status=now_status,
                now=get_services().clock(),
                flow_run_id=start.flow_run_id,
            )
        return CaseView.of(case, loaded=loaded)


async def start_case_run(start: StartInput) -> CaseView:
    """The case as stored; on a run's first load it becomes `running` under this flow run."""
    return await asyncio.to_thread(load_case_view, get_services().engine, start, CaseStatus.RUNNING)


def reference_of_case(case_id: str) -> str:
    with session_scope(get_services().engine) as session:
        return repo.get_case(session, case_id=case_id).reference
