"""A short SLA summary for the Prefect UI, in Bahasa Indonesia: markdown and a table, case
references only."""

from __future__ import annotations

from typing import Any

from adapters.reports.formatting import duration, period_text, references, share
from adapters.reports.sla_models import SlaReport


def summary_markdown(report: SlaReport) -> str:
    period = period_text(report.period_first, report.period_last)
    lines = [f"# Ringkasan SLA {period} ({report.timezone})", ""]
    if report.empty:
        return "\n".join([*lines, "Tidak ada permohonan pada periode ini."])
    for d in report.definitions:
        t = d.total
        promised = ", ".join(f"{end} {duration(s)}" for end, s in t.promised_seconds.items())
        lines += [
            f"## {d.title} ({d.definition_id} versi {d.version})",
            "",
            f"Permohonan: **{d.cases}** (selesai {d.completed}, dalam proses {d.open}, "
            f"macet {d.stalled}, gagal {d.failed}).",
            f"Dijawab dalam waktu total SOP ({promised}): **{share(t.within_share)}** "
            f"({t.within_budget} dari {t.count}); median {duration(t.p50)}, "
            f"p90 {duration(t.p90)}.",
            f"Masih menunggu, lewat batas waktu: **{len(d.open_breaches)}** "
            f"({references(d.open_breaches, 10)}).",
            "",
            "| Hasil | Permohonan | Porsi |",
            "|---|---:|---:|",
            *(f"| {o.name} (`{o.outcome}`) | {o.count} | {share(o.share)} |" for o in d.outcomes),
            "",
            "| Langkah SOP | Permohonan | p90 | Batas waktu | Dalam batas "
            "| Melewati batas (selesai) | Masih menunggu, lewat batas |",
            "|---:|---:|---:|---:|---:|---|---|",
            *(
                f"| {s.sop_step} | {s.count} | {duration(s.p90)} | {duration(s.budget_seconds)} "
                f"| {share(s.within_share)} | {references(s.breaches, 10)} "
                f"| {references(s.open_breaches, 10)} |"
                for s in d.sop_steps
            ),
            "",
        ]
    return "\n".join(lines)


def summary_table(report: SlaReport) -> list[dict[str, Any]]:
    return [
        {
            "definisi": d.definition_id,
            "langkah_sop": s.sop_step,
            "kegiatan": s.step_id,
            "pelaksana": s.lane_name or s.lane,
            "dilalui": s.count,
            "median": duration(s.p50),
            "p90": duration(s.p90),
            "maks": duration(s.max),
            "batas_waktu": duration(s.budget_seconds),
            "dalam_batas": share(s.within_share),
            "melewati_batas_selesai": references(s.breaches, 20),
            "masih_menunggu_lewat_batas": references(s.open_breaches, 20),
        }
        for d in report.definitions
        for s in d.steps
    ]
