"""A short SLA summary for the Prefect UI: markdown and a table, case references only."""

from __future__ import annotations

from typing import Any

from adapters.reports.formatting import duration, references, share
from adapters.reports.sla_models import SlaReport


def summary_markdown(report: SlaReport) -> str:
    period = report.period_first.isoformat()
    if report.period_last != report.period_first:
        period += f" to {report.period_last.isoformat()}"
    lines = [f"# SLA summary {period} ({report.timezone})", ""]
    if report.empty:
        return "\n".join([*lines, "No cases in this period."])
    for d in report.definitions:
        t = d.total
        promised = ", ".join(f"{end} {duration(s)}" for end, s in t.promised_seconds.items())
        lines += [
            f"## {d.title} ({d.definition_id} v{d.version})",
            "",
            f"Cases: **{d.cases}** (completed {d.completed}, open {d.open}, failed {d.failed}).",
            f"Answered within the SOP's total time ({promised}): **{share(t.within_share)}** "
            f"({t.within_budget} of {t.count}); p50 {duration(t.p50)}, p90 {duration(t.p90)}.",
            "",
            "| Outcome | Cases | Share |",
            "|---|---:|---:|",
            *(f"| {o.name} (`{o.outcome}`) | {o.count} | {share(o.share)} |" for o in d.outcomes),
            "",
            "| SOP step | Cases | p90 | Budget | Within | Over budget |",
            "|---:|---:|---:|---:|---:|---|",
            *(
                f"| {s.sop_step} | {s.count} | {duration(s.p90)} | {duration(s.budget_seconds)} "
                f"| {share(s.within_share)} | {references(s.breaches, 10)} |"
                for s in d.sop_steps
            ),
            "",
        ]
    return "\n".join(lines)


def summary_table(report: SlaReport) -> list[dict[str, Any]]:
    return [
        {
            "definition": d.definition_id,
            "sop_step": s.sop_step,
            "step": s.step_id,
            "visits": s.count,
            "p50": duration(s.p50),
            "p90": duration(s.p90),
            "max": duration(s.max),
            "budget": duration(s.budget_seconds),
            "within": share(s.within_share),
            "over_budget": references(s.breaches, 20),
        }
        for d in report.definitions
        for s in d.steps
    ]
