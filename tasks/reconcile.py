"""The reconciler, run by the worker in the background (not as flow runs: routine maintenance
does not fill the Runs list). A submitted case is never lost, a stuck case is never silent:

- a case stored while Prefect was down has no flow run: start one;
- a case whose run ended without finishing it (failed on a database outage, cancelled) gets a
  new run, which continues where the case stands (stalled cases wait for `case retry`);
- cases waiting past their step's budget are listed for the stuck-cases artifact.
Runs whose worker died are rescheduled by Prefect itself (heartbeats and an automation).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from adapters.db import case_repository as repo
from adapters.db.case_tables import CaseStatus
from adapters.db.engine import session_scope
from adapters.prefect.runs import ENDED_WITHOUT_FINISHING
from adapters.prefect.starter import OrchestratorUnavailableError
from tasks.services import CaseServices

RunStates = Callable[[list[str]], Awaitable[dict[str, str]]]


@dataclass(frozen=True)
class OpenCase:
    case_id: str
    reference: str
    status: str
    flow_run_id: str | None
    tags: list[str]


@dataclass(frozen=True)
class StuckCase:
    reference: str
    status: str
    step: str | None
    waiting_seconds: float
    budget_seconds: float


@dataclass
class ReconcileReport:
    started: list[str] = field(default_factory=list)
    restarted: list[str] = field(default_factory=list)
    stuck: list[StuckCase] = field(default_factory=list)


def open_cases(services: CaseServices, *, grace: timedelta) -> list[OpenCase]:
    """Open cases not touched for `grace` (a run just started is left alone)."""
    cutoff = services.clock() - grace
    found: list[OpenCase] = []
    with session_scope(services.engine) as session:
        for status in (CaseStatus.SUBMITTED, CaseStatus.RUNNING):
            for c in repo.cases_in_status(session, status=status, older_than=cutoff):
                tags = [f"definition:{c.definition_id}", f"version:{c.definition_version}"]
                found.append(OpenCase(c.id, c.reference, c.status, c.flow_run_id, tags))
    return found


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


async def reconcile(
    services: CaseServices, *, run_states: RunStates, grace: timedelta = timedelta(seconds=30)
) -> ReconcileReport:
    report = ReconcileReport()
    cases = await asyncio.to_thread(open_cases, services, grace=grace)
    states = await run_states([c.flow_run_id for c in cases if c.flow_run_id])
    try:
        for case in cases:
            if case.flow_run_id is None:
                await services.starter.start_case(
                    case_id=case.case_id, reference=case.reference, tags=case.tags
                )
                report.started.append(case.reference)
            elif states.get(case.flow_run_id, "MISSING") in ENDED_WITHOUT_FINISHING | {"MISSING"}:
                await services.starter.start_case(
                    case_id=case.case_id,
                    reference=case.reference,
                    tags=case.tags,
                    after_run=case.flow_run_id,
                )
                report.restarted.append(case.reference)
    except OrchestratorUnavailableError:
        pass  # Prefect is down: next time
    report.stuck = await asyncio.to_thread(find_stuck, services)
    return report
