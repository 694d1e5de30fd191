"""Task telling the supervisor channel that a case's operator step waits past its budget."""

from __future__ import annotations

import asyncio

from prefect import task

from adapters.db import case_repository as repo
from adapters.db.engine import session_scope
from adapters.notify.message import RenderedMessage
from adapters.reports.formatting import duration
from process_definitions import model as m
from tasks.services import CaseServices, get_services


def case_id_of(resource_id: str) -> str:
    """`sopflow.case.<id>` (an event resource) or a bare id -> the id."""
    return resource_id.removeprefix("sopflow.case.")


def alert_text(reference: str, definition: m.ProcessDefinition, step_id: str) -> str:
    """The supervisor's message: the case, the step and who does it (the lane's name), the
    budget as a person says it (`2 menit 30 detik`)."""
    step = definition.step(step_id)
    lane = definition.lanes.get(step.lane)
    who = lane.name if lane else step.lane
    budget = duration(step.budget.total_seconds()) if step.budget else "-"
    return (
        f"Permohonan {reference} menunggu di langkah '{step.name}' ({who}) lebih lama dari "
        f"batas waktu SOP ({budget}). Mohon segera ditindaklanjuti di Prefect UI: daftar kerja "
        f"{who}."
    )


def _alert(services: CaseServices, case_id: str, step_id: str) -> str:
    with session_scope(services.engine) as session:
        case = repo.get_case(session, case_id=case_id)
        if case.current_step != step_id or case.finished_at is not None:
            return "sudah ditangani"
        definition = repo.loaded_definition_of(case).definition
        reference = case.reference
    text = alert_text(reference, definition, step_id)
    services.notifier.send(
        channel="supervisor",
        recipient=services.channels.normalise_recipient(
            "supervisor", services.supervisor_recipient
        ),
        message=RenderedMessage(
            subject=f"Batas waktu terlewati: {reference}", text=text, html=None
        ),
        message_id=f"alert-{case_id}-{step_id}",
    )
    return reference


@task(name="alert-supervisor", persist_result=False)
async def send_supervisor_alert(case_id: str, step_id: str) -> str:
    return await asyncio.to_thread(_alert, get_services(), case_id_of(case_id), step_id)
