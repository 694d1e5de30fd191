"""The SLA report as JSON (the whole model) or CSV (one row per figure group and key)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from adapters.reports.sla_models import DefinitionSla, DurationStats, SlaReport

CSV_COLUMNS = (
    "group",
    "definition_id",
    "version",
    "key",
    "name",
    "count",
    "share",
    "p50_s",
    "p90_s",
    "max_s",
    "budget_s",
    "within_budget",
    "within_share",
    "breaches",
)


def render_json(report: SlaReport) -> str:
    return report.model_dump_json(indent=2, exclude={"definitions": {"__all__": {"diagram"}}})


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}".rstrip("0").rstrip(".")


def _stats_row(
    group: str, d: DefinitionSla, key: str, name: str, stats: DurationStats
) -> dict[str, Any]:
    return {
        "group": group,
        "definition_id": d.definition_id,
        "version": d.version,
        "key": key,
        "name": name,
        "count": stats.count,
        "share": "",
        "p50_s": _num(stats.p50),
        "p90_s": _num(stats.p90),
        "max_s": _num(stats.max),
        "budget_s": _num(stats.budget_seconds),
        "within_budget": stats.within_budget,
        "within_share": _num(stats.within_share),
        "breaches": " ".join(stats.breaches),
    }


def csv_rows(report: SlaReport) -> Iterator[dict[str, Any]]:
    for d in report.definitions:
        for step in d.steps:
            yield _stats_row("step", d, step.step_id, step.name, step)
        for sop in d.sop_steps:
            yield _stats_row("sop_step", d, str(sop.sop_step), "; ".join(sop.names), sop)
        for lane in d.lanes:
            yield _stats_row("lane", d, lane.lane, lane.name, lane)
        yield _stats_row("total", d, "case", "first step to end", d.total)
        for outcome in d.outcomes:
            row: dict[str, Any] = dict.fromkeys(CSV_COLUMNS, "")
            row.update(
                group="outcome",
                definition_id=d.definition_id,
                version=d.version,
                key=outcome.outcome,
                name=outcome.name,
                count=outcome.count,
                share=_num(outcome.share),
            )
            yield row


def render_csv(report: SlaReport) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_rows(report))
    return out.getvalue()
