"""Task of the daily SLA summary: yesterday's figures as Prefect artifacts for auditors.

Artifacts carry case references and durations only (no personal data).
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from prefect import task
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact

from adapters.db.audit import AuditAnchor, anchor_record
from adapters.db.engine import session_scope
from adapters.reports.period import day, zone
from adapters.reports.sla_models import SlaReport
from adapters.reports.sla_report import sla_report
from adapters.reports.summary import summary_markdown, summary_table
from adapters.settings import get_settings
from tasks.services import CaseServices, get_services

MARKDOWN_KEY = "sopflow-sla-summary"
TABLE_KEY = "sopflow-sla-steps"
ANCHOR_KEY = "sopflow-audit-anchor"


def _anchor(services: CaseServices) -> AuditAnchor | None:
    with session_scope(services.engine) as session:
        return anchor_record(session, now=services.clock())


def report_for(services: CaseServices, on: date | None, timezone: str) -> SlaReport:
    now = services.clock()
    if on is None:
        on = now.astimezone(zone(timezone)).date() - timedelta(days=1)
    return sla_report(services.engine, day(on, timezone), generated_at=now)


@task(name="publish-sla-summary", persist_result=False)
async def publish_daily_sla(on: str | None = None) -> dict[str, int]:
    """`on` is an office day (YYYY-MM-DD); default yesterday in the office's time zone."""
    timezone = get_settings().intake_timezone
    wanted = date.fromisoformat(on) if on else None
    report = await asyncio.to_thread(report_for, get_services(), wanted, timezone)
    label = report.period_first.isoformat()
    await acreate_markdown_artifact(
        key=MARKDOWN_KEY, markdown=summary_markdown(report), description=f"SLA summary {label}"
    )
    await acreate_table_artifact(
        key=TABLE_KEY, table=summary_table(report), description=f"SLA per step {label}"
    )
    anchor = await asyncio.to_thread(_anchor, get_services())
    if anchor is not None:  # the audit chain's head, where the case database cannot rewrite it
        await acreate_markdown_artifact(
            key=ANCHOR_KEY, markdown=anchor.markdown(), description="Kepala rantai audit"
        )
    return {
        "cases": sum(d.cases for d in report.definitions),
        "definitions": len(report.definitions),
    }
