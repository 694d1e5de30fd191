"""The SLA report as JSON (the whole model; keys are stable, in English) or CSV (one row per
figure group and key, headed in Bahasa Indonesia for the office's spreadsheets)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from adapters.reports.sla_models import DefinitionSla, DurationStats, SlaReport

CSV_COLUMNS = (
    "kelompok",
    "definisi",
    "versi",
    "kunci",
    "nama",
    "jumlah",
    "porsi",
    "median_detik",
    "p90_detik",
    "maks_detik",
    "batas_detik",
    "dalam_batas",
    "porsi_dalam_batas",
    "melewati_batas_selesai",
    "masih_menunggu_lewat_batas",
)
# The figure groups (`kelompok`): per step, per SOP step, per lane, total time, outcomes.
GROUPS = {
    "step": "kegiatan",
    "sop_step": "langkah_sop",
    "lane": "pelaksana",
    "total": "total",
    "outcome": "hasil",
}


def render_json(report: SlaReport) -> str:
    return report.model_dump_json(indent=2, exclude={"definitions": {"__all__": {"diagram"}}})


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}".rstrip("0").rstrip(".")


def _stats_row(
    group: str, d: DefinitionSla, key: str, name: str, stats: DurationStats
) -> dict[str, Any]:
    return {
        "kelompok": GROUPS[group],
        "definisi": d.definition_id,
        "versi": d.version,
        "kunci": key,
        "nama": name,
        "jumlah": stats.count,
        "porsi": "",
        "median_detik": _num(stats.p50),
        "p90_detik": _num(stats.p90),
        "maks_detik": _num(stats.max),
        "batas_detik": _num(stats.budget_seconds),
        "dalam_batas": stats.within_budget,
        "porsi_dalam_batas": _num(stats.within_share),
        "melewati_batas_selesai": " ".join(stats.breaches),
        "masih_menunggu_lewat_batas": " ".join(stats.open_breaches),
    }


def csv_rows(report: SlaReport) -> Iterator[dict[str, Any]]:
    for d in report.definitions:
        for step in d.steps:
            yield _stats_row("step", d, step.step_id, step.name, step)
        for sop in d.sop_steps:
            yield _stats_row("sop_step", d, str(sop.sop_step), "; ".join(sop.names), sop)
        for lane in d.lanes:
            yield _stats_row("lane", d, lane.lane, lane.name, lane)
        total = _stats_row("total", d, "permohonan", "langkah pertama sampai selesai", d.total)
        total["masih_menunggu_lewat_batas"] = " ".join(d.open_breaches)
        yield total
        for outcome in d.outcomes:
            row: dict[str, Any] = dict.fromkeys(CSV_COLUMNS, "")
            row.update(
                kelompok=GROUPS["outcome"],
                definisi=d.definition_id,
                versi=d.version,
                kunci=outcome.outcome,
                nama=outcome.name,
                jumlah=outcome.count,
                porsi=_num(outcome.share),
            )
            yield row


def render_csv(report: SlaReport) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_rows(report))
    return out.getvalue()
