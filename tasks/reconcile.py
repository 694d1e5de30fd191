"""Tasks of the reconciler: start submitted cases without a flow run, report stuck cases."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from prefect import task

from adapters.db import case_repository as repo
from adapters.db.case_tables import CaseStatus
from adapters.db.engine import session_scope
from adapters.orchestrator import CaseStarter, OrchestratorUnavailableError
from tasks.services import CaseServices, get_services


@dataclass(frozen=True)
class Orphan:
    case_id: str
    reference: str
    tags: list[str]


@dataclass(frozen=True)
class StuckCase:
    reference: str
    status: str
    step: str | None
    waiting_seconds: float
    budget_seconds: float


def find_orphans(services: CaseServices, *, grace: timedelta) -> list[Orphan]:
    cutoff = services.clock() - grace
    with session_scope(services.engine) as session:
        cases = repo.cases_in_status(session, status=CaseStatus.SUBMITTED, older_than=cutoff)
        return [
            Orphan(
                c.id,
                c.reference,
                [f"definition:{c.definition_id}", f"version:{c.definition_version}"],
            )
            for c in cases
            if c.flow_run_id is None
        ]


def find_stuck(services: CaseServices) -> list[StuckCase]:
    """Open cases whose current step has been open longer than its budget."""
    now = services.clock()
    stuck: list[StuckCase] = []
    with session_scope(services.engine) as session:
        for status in (CaseStatus.RUNNING, CaseStatus.WAITING):
            for case in repo.cases_in_status(session, status=status):
                records = [
                    r
                    for r in repo.step_records(session, case_id=case.id)
                    if r.step_id == case.current_step and r.finished_at is None
                ]
                if not records or records[-1].budget_seconds is None:
                    continue
                open_for = repo.elapsed(records[-1].started_at, now).total_seconds()
                if open_for > records[-1].budget_seconds:
                    stuck.append(
                        StuckCase(
                            case.reference,
                            case.status,
                            case.current_step,
                            open_for,
                            records[-1].budget_seconds,
                        )
                    )
    return stuck


@task(name="start-orphans", persist_result=False)
async def start_orphans(grace_seconds: float = 30) -> list[str]:
    """Start each orphan; returns the references started (Prefect down: try next time)."""
    services = get_services()
    starter: CaseStarter = services.starter
    orphans = await asyncio.to_thread(
        find_orphans, services, grace=timedelta(seconds=grace_seconds)
    )
    started: list[str] = []
    for orphan in orphans:
        try:
            await starter.start_case(
                case_id=orphan.case_id, reference=orphan.reference, tags=orphan.tags
            )
        except OrchestratorUnavailableError:
            break
        started.append(orphan.reference)
    return started


@task(name="report-stuck", persist_result=False)
async def report_stuck() -> list[StuckCase]:
    return await asyncio.to_thread(find_stuck, get_services())
