"""Make the SLA report of a period from the case database, and write it in a chosen format."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import Engine

from adapters.db.engine import session_scope
from adapters.forecast.office_hours import parse_office_hours
from adapters.forecast.staffing_chart import period_staffing
from adapters.reports.errors import ReportError
from adapters.reports.period import Period
from adapters.reports.render_flat import render_csv, render_json
from adapters.reports.render_html import render_html
from adapters.reports.render_pdf import render_pdf
from adapters.reports.samples import load_samples
from adapters.reports.sla import build_sla_report
from adapters.reports.sla_models import SlaReport

ReportFormat = Literal["html", "pdf", "csv", "json"]
FORMATS: tuple[ReportFormat, ...] = ("html", "pdf", "csv", "json")


def sla_report(
    engine: Engine,
    period: Period,
    *,
    generated_at: datetime,
    definition_id: str | None = None,
    staffing_office_hours: str | None = None,
    include_demo: bool = False,
) -> SlaReport:
    with session_scope(engine) as session:
        groups = load_samples(
            session, period, definition_id=definition_id, include_demo=include_demo
        )
    report = build_sla_report(period, groups, generated_at=generated_at)
    if staffing_office_hours:  # the forecast's share within budget against operators
        office = parse_office_hours(staffing_office_hours, period.timezone)
        for d in report.definitions:
            d.staffing = period_staffing(
                engine, period, office, staffing_office_hours, d.definition_id
            )
    return report


def render(report: SlaReport, fmt: str) -> bytes:
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "csv":
        return render_csv(report).encode("utf-8")
    if fmt == "json":
        return render_json(report).encode("utf-8")
    raise ReportError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
