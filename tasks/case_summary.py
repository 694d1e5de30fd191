"""Task publishing a finished case's summary as a Prefect markdown artifact.

Steps, durations against budgets, outcomes, decisions by NIP: ids and opaque values only.
"""

from __future__ import annotations

import asyncio

from prefect.artifacts import acreate_markdown_artifact
from sqlmodel import select

from adapters.db import case_repository as repo
from adapters.db.case_tables import Case, Decision, StepRecord
from adapters.db.engine import session_scope
from process_definitions.units import format_duration
from tasks.case_view import CaseView
from tasks.reconcile import StuckCase
from tasks.services import CaseServices, get_services


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    from datetime import timedelta

    return format_duration(timedelta(seconds=round(value))) if value >= 1 else f"{value:.1f}s"


def case_summary_markdown(case: Case, records: list[StepRecord], decisions: list[Decision]) -> str:
    lines = [
        f"# {case.reference}",
        "",
        f"Definisi `{case.definition_id}` versi {case.definition_version} "
        f"(hash `{case.definition_hash[:12]}`), hasil: **{case.outcome or case.status}**",
        "",
        "| Langkah | SOP | Lane | Durasi | Batas | Status | Hasil | Pelaku |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        verdict = (
            "melewati batas" if r.budget_exceeded else ("tepat waktu" if r.budget_seconds else "-")
        )
        lines.append(
            f"| {r.step_id} | {r.sop_step} | {r.lane} | {_seconds(r.duration_seconds)} | "
            f"{_seconds(r.budget_seconds)} | {verdict} | {r.outcome or '-'} | {r.actor or '-'} |"
        )
    if case.flags:
        lines += ["", "## Perlu tindakan petugas", ""]
        lines += [f"- `{flag}`" for flag in case.flags]
    if decisions:
        lines += ["", "## Keputusan", "", "| Langkah | Nilai | NIP | Waktu |", "|---|---|---|---|"]
        for d in decisions:
            values = ", ".join(f"{k}={v}" for k, v in d.values.items())
            lines.append(
                f"| {d.step_id} | {values} | {d.operator_nip} | {d.decided_at:%Y-%m-%d %H:%M:%S} |"
            )
    return "\n".join(lines)


def _summary(services: CaseServices, case_id: str) -> tuple[str, str]:
    with session_scope(services.engine) as session:
        case = repo.get_case(session, case_id=case_id)
        records = repo.step_records(session, case_id=case_id)
        decisions = list(session.exec(select(Decision).where(Decision.case_id == case_id)))
        return case.reference, case_summary_markdown(case, records, decisions)


async def publish_case_summary(case_id: str) -> str:
    """Called by the end step's task (one task run fewer per case than a task of its own)."""
    reference, markdown = await asyncio.to_thread(_summary, get_services(), case_id)
    await acreate_markdown_artifact(
        key=f"case-{reference.lower()}",
        markdown=markdown,
        description=f"Ringkasan kasus {reference}",
    )
    return reference


async def publish_stall_notice(view: CaseView, reason: str) -> None:
    """A stalled case shows in Prefect as an artifact beside its run (references only)."""
    await acreate_markdown_artifact(
        key=f"case-{view.reference.lower()}",
        markdown="\n".join(
            [
                f"# {view.reference}: macet",
                "",
                f"Langkah `{view.current_step}` tidak dapat dilanjutkan: {reason}.",
                "",
                f"Setelah penyebabnya diperbaiki: `sopflow case retry {view.reference}`.",
            ]
        ),
        description=f"Kasus {view.reference} macet",
    )


async def publish_stuck_cases(stuck: list[StuckCase]) -> None:
    """The cases waiting past their step's budget, as one artifact kept current."""
    from prefect.artifacts import acreate_table_artifact

    await acreate_table_artifact(
        key="sopflow-stuck-cases",
        table=[
            {
                "kasus": s.reference,
                "status": s.status,
                "langkah": s.step,
                "menunggu_menit": round(s.waiting_seconds / 60, 1),
                "batas_menit": round(s.budget_seconds / 60, 1),
            }
            for s in stuck
        ],
        description="Kasus yang melewati batas waktu langkahnya",
    )
