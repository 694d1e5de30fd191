"""Make the daily register PDF of one office day from the case database."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import Engine

from adapters.db.audit import anchor_record
from adapters.db.engine import session_scope
from adapters.reports.period import day
from adapters.reports.register import register_sheet
from adapters.reports.register_pdf import render_register
from adapters.reports.samples import load_samples


def register_pdf(
    engine: Engine,
    on: date,
    *,
    timezone: str,
    generated_at: datetime,
    operator_names: Mapping[str, str] | None = None,
    definition_id: str | None = None,
    include_demo: bool = False,
) -> tuple[bytes, int]:
    """The PDF and the number of cases it lists (demo cases only when asked)."""
    period = day(on, timezone)
    with session_scope(engine) as session:
        groups = load_samples(
            session,
            period,
            definition_id=definition_id,
            with_form_data=True,
            include_demo=include_demo,
        )
        anchor = anchor_record(session, now=generated_at)  # also kept in the anchors file
    sheets = [register_sheet(period, group, operator_names or {}) for group in groups]
    pdf = render_register(
        period, sheets, generated_at=generated_at, audit_anchor=anchor.line() if anchor else None
    )
    return pdf, sum(len(sheet.rows) for sheet in sheets)
