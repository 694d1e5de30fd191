"""Task telling the supervisor channel that a case's operator step waits past its budget."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from prefect import task

from adapters.bahasa import lama
from adapters.db import case_repository as repo
from adapters.db.engine import session_scope
from adapters.notify.message import RenderedMessage
from tasks.services import CaseServices, get_services


def case_id_of(resource_id: str) -> str:
    """`sopflow.case.<id>` (an event resource) or a bare id -> the id."""
    return resource_id.removeprefix("sopflow.case.")


def alert_text(reference: str, *, step_name: str, lane_name: str, budget: timedelta | None) -> str:
    """The lane by its name, the budget whole: `(jalur Operator Divpas) ... (2 menit 30 detik)`."""
    limit = lama(budget) if budget else "-"
    return (
        f"Kasus {reference} menunggu di langkah '{step_name}' (jalur {lane_name}) lebih lama "
        f"dari batas waktu SOP ({limit}). Mohon ditindaklanjuti di Prefect UI: daftar kerja "
        f"jalur {lane_name}."
    )


def _alert(services: CaseServices, case_id: str, step_id: str) -> str:
    with session_scope(services.engine) as session:
        case = repo.get_case(session, case_id=case_id)
        if case.current_step != step_id or case.finished_at is not None:
            return "sudah ditangani"
        definition = repo.loaded_definition_of(case).definition
        step = definition.step(step_id)
        reference = case.reference
    lane = definition.lanes[step.lane].name if step.lane in definition.lanes else step.lane
    text = alert_text(reference, step_name=step.name, lane_name=lane, budget=step.budget)
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
