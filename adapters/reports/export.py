"""Export a period's cases for auditors as CSV or JSON Lines, personal data masked by default.

Columns: case facts (reference, definition, status, outcome, times, total time, steps over
budget), then every form field by id. JSON Lines adds each case's step records.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, Literal

from sqlalchemy import Engine

from adapters.db.case_repository import utc
from adapters.db.case_tables import Case, StepRecord
from adapters.db.engine import session_scope
from adapters.reports.errors import ReportError
from adapters.reports.masking import field_value
from adapters.reports.period import Period
from adapters.reports.samples import cases_in, definition_of, records_by_case
from process_definitions import model as m

ExportFormat = Literal["csv", "jsonl"]
CASE_COLUMNS = (
    "reference",
    "definition_id",
    "definition_version",
    "status",
    "outcome",
    "submitted_at",
    "finished_at",
    "purged_at",
    "total_seconds",
    "steps_over_budget",
    "is_demo",
)


def _iso(value: Any) -> str | None:
    return utc(value).isoformat() if value is not None else None


def export_records(
    engine: Engine,
    period: Period,
    *,
    masked: bool,
    definition_id: str | None = None,
    include_demo: bool = False,
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """(records, form field ids in order, case ids); demo cases only when asked."""
    with session_scope(engine) as session:
        cases = cases_in(session, period, definition_id, include_demo=include_demo)
        records = records_by_case(session, [c.id for c in cases])
        cache: dict[str, m.ProcessDefinition] = {}
        rows: list[dict[str, Any]] = []
        field_ids: dict[str, None] = {}
        for case in cases:
            definition = definition_of(case, cache)
            rows.append(_row(case, definition, records[case.id], masked=masked))
            field_ids.update(dict.fromkeys(f.id for f in definition.form_fields()))
    return rows, list(field_ids), [c.id for c in cases]


def _row(
    case: Case, definition: m.ProcessDefinition, steps: list[StepRecord], *, masked: bool
) -> dict[str, Any]:
    started = [utc(s.started_at) for s in steps]
    total = (
        (utc(case.finished_at) - min(started)).total_seconds()
        if case.finished_at and started
        else None
    )
    return {
        "reference": case.reference,
        "definition_id": case.definition_id,
        "definition_version": case.definition_version,
        "status": case.status,
        "outcome": case.outcome,
        "submitted_at": _iso(case.submitted_at),
        "finished_at": _iso(case.finished_at),
        "purged_at": _iso(case.purged_at),
        "total_seconds": total,
        "steps_over_budget": sum(s.budget_exceeded for s in steps),
        "is_demo": case.is_demo,
        "form": {
            f.id: field_value(f, case.form_data.get(f.id), masked=masked)
            for f in definition.form_fields()
        },
        "steps": [
            {
                "step_id": s.step_id,
                "visit": s.visit,
                "sop_step": s.sop_step,
                "lane": s.lane,
                "started_at": _iso(s.started_at),
                "finished_at": _iso(s.finished_at),
                "duration_seconds": s.duration_seconds,
                "budget_seconds": s.budget_seconds,
                "budget_exceeded": s.budget_exceeded,
                "actor": s.actor,
            }
            for s in steps
        ],
    }


def to_csv(rows: list[dict[str, Any]], field_ids: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CASE_COLUMNS, *field_ids])
    for row in rows:
        form = row["form"]
        writer.writerow(
            [*(_cell(row[c]) for c in CASE_COLUMNS), *(_cell(form.get(f)) for f in field_ids)]
        )
    return out.getvalue()


# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection"):
# `=HYPERLINK(...)`, `+cmd|...`, `@SUM(...)`. A leading apostrophe makes it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, bool | int | float):
        return str(value)  # our own numbers: never a formula
    else:
        text = str(value)
    # A lone CR is not quoted by the csv module (our line end is LF): it would split the row.
    return neutralise_formula(text.replace("\r\n", "\n").replace("\r", "\n"))


def neutralise_formula(text: str) -> str:
    """Text a spreadsheet will not evaluate: `'` before a formula-like start."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_jsonl(rows: list[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n"


def render_export(rows: list[dict[str, Any]], field_ids: list[str], fmt: str) -> str:
    if fmt == "csv":
        return to_csv(rows, field_ids)
    if fmt == "jsonl":
        return "".join(to_jsonl(rows))
    raise ReportError(f"unknown export format {fmt!r}; choose csv or jsonl")
