"""Task for `notify` steps: render the pinned templates, queue one outbox row per channel,
deliver, record which channels reached the applicant.

Exactly once: rows are keyed (case, step, channel, recipient), so a re-run finds them queued or
sent and sends nothing twice. Transient failures are retried with backoff inside this task;
permanent ones flag the case for an operator and emit an event, and the case moves on.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from prefect import task

from adapters.case_links import instance_secret
from adapters.db.case_repository import SYSTEM_ACTOR, add_flag, get_case
from adapters.db.engine import session_scope
from adapters.notify import outbox
from adapters.notify.errors import InvalidRecipientError
from adapters.notify.message import RenderedMessage
from adapters.notify.templates import render_message
from adapters.office import load_office
from adapters.prefect.events import emit_delivery_failed
from adapters.settings import Settings, get_settings
from adapters.survey.links import end_reached_after, survey_link_for_case
from process_definitions import model as m
from process_definitions.loader import LoadedDefinition
from process_definitions.message_variables import declared_values, standard_values
from tasks.case_store import advance
from tasks.case_view import CaseView
from tasks.services import CaseServices, get_services
from tasks.step_task import STEP_TASK_OPTIONS, StepCall, after_advance, as_step_task

DELIVERY_FLAG = "pengiriman_gagal"


SURVEY_PLACEHOLDER = "[tautan survei sekali pakai]"


def message_context(
    view: CaseView, step: m.NotifyStep, services: CaseServices, *, preview: bool = False
) -> dict[str, Any]:
    """The standard variables every message gets plus the step's declared `context` (names the
    loader checked against the templates). Values may be None (e.g. an optional field). A
    preview makes no survey link (it would be a live one-time link in Prefect's database)."""
    definition = view.loaded.definition
    settings = get_settings()
    office = load_office(settings)
    values = {**view.form_data, **view.variables}
    return {
        **standard_values(
            definition,
            reference=view.reference,
            today=services.clock().date(),
            complaint_contact=office.complaint_channel,
            office_contact=office.contact_line(),
            ask_again_url=services.public_form_url,
            survey_url=(
                (SURVEY_PLACEHOLDER if end_reached_after(definition, step.id) else None)
                if preview
                else _survey_url(view, step, services, settings)
            ),
        ),
        **declared_values(step.context, values),
    }


def _survey_url(
    view: CaseView, step: m.NotifyStep, services: CaseServices, settings: Settings
) -> str | None:
    """The one-time survey link, in the message a case ends with when its definition offers
    the survey at that end (the same link on a re-run)."""
    end = end_reached_after(view.loaded.definition, step.id)
    if end is None or view.loaded.definition.survey is None:
        return None
    with session_scope(services.engine) as session:
        return survey_link_for_case(
            session,
            case_id=view.case_id,
            end_step_id=end,
            secret=instance_secret(settings.secret_key, settings.data_dir),
            base_url=services.public_form_url or settings.public_base_url,
            now=services.clock(),
            ttl=timedelta(days=settings.survey_ttl_days),
        )


def pinned_templates_dir(loaded: LoadedDefinition, root: Path) -> Path:
    """The case's pinned templates, written once per definition hash (render reads files)."""
    folder = root / loaded.content_hash
    if not folder.exists():
        staging = root / f".{loaded.content_hash}.{time.monotonic_ns()}"
        for name, text in loaded.templates.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        with contextlib.suppress(OSError):  # another run wrote it first
            staging.rename(folder)
    return folder


def render_step_messages(
    view: CaseView, step: m.NotifyStep, services: CaseServices, *, preview: bool = False
) -> dict[str, RenderedMessage]:
    """The step's message per channel, as it is sent: the one render path of the send and of
    the approval form's preview (tasks/approval_preview.py)."""
    context = message_context(view, step, services, preview=preview)
    templates = pinned_templates_dir(view.loaded, services.templates_cache)
    config = services.channels
    return {
        channel: render_message(
            templates, step.template, channel, context, max_length=config.max_length(channel)
        )
        for channel in step.channels
    }


def _queue(services: CaseServices, view: CaseView, step: m.NotifyStep, now: datetime) -> None:
    messages = render_step_messages(view, step, services)
    config = services.channels
    with session_scope(services.engine) as session:
        for channel in step.channels:
            raw = str(view.form_data.get(step.recipients[channel]) or "")
            try:
                recipient = config.normalise_recipient(channel, raw)
            except InvalidRecipientError as error:
                outbox.record_skipped(
                    session,
                    case_id=view.case_id,
                    step_id=step.id,
                    channel=channel,
                    reason=error.short,
                    now=now,
                )
                continue
            message = messages[channel]
            outbox.enqueue(
                session,
                case_id=view.case_id,
                step_id=step.id,
                channel=channel,
                recipient=recipient,
                message=message,
                now=now,
            )


def _deliver(services: CaseServices, view: CaseView, step: m.NotifyStep) -> outbox.DeliveryReport:
    while True:
        report = outbox.deliver_pending(
            services.engine,
            services.notifier,
            case_id=view.case_id,
            step_id=step.id,
            now=services.clock(),
            max_attempts=services.notify_max_attempts,
        )
        if report.complete:
            return report
        retry_at = report.next_attempt_at
        if retry_at is None:
            # Only rows claimed by another (maybe dead) run are left: wait; the outbox marks them
            # `unknown` once their claim times out, and never sends them again by itself.
            services.sleep(5.0)
            continue
        wait = (retry_at - services.clock()).total_seconds()
        services.sleep(max(0.0, min(wait, 60.0)))


def _run(services: CaseServices, view: CaseView, step: m.NotifyStep) -> CaseView | None:
    started = services.clock()
    _queue(services, view, step, started)
    report = _deliver(services, view, step)
    reached = sorted(set(report.channels_reached))
    failed = sorted({o.channel for o in report.failed_permanent + report.unknown + report.skipped})
    if report.needs_operator or not reached:
        with session_scope(services.engine) as session:
            case = get_case(session, case_id=view.case_id, for_update=True)
            add_flag(
                session,
                case=case,
                flag=f"{DELIVERY_FLAG}:{step.id}",
                now=services.clock(),
                actor=SYSTEM_ACTOR,
            )
        emit_delivery_failed(
            case_id=view.case_id, reference=view.reference, step_id=step.id, channels=failed
        )
    advanced = advance(
        services.engine,
        case_id=view.case_id,
        step_id=step.id,
        started_at=started,
        now=services.clock(),
        outcome=f"terkirim: {','.join(reached) or '-'}",
        actor=SYSTEM_ACTOR,
        outputs={f"{step.id}_channels_reached": reached},
    )
    return after_advance(view, advanced)


@task(name="notify", **STEP_TASK_OPTIONS)
async def notify_task(call: StepCall) -> CaseView | None:
    """Sends through the outbox (exactly once per channel); the result is the new case view."""
    assert isinstance(call.step, m.NotifyStep)
    return await asyncio.to_thread(_run, get_services(), call.view, call.step)


async def handle_notify(view: CaseView, step: m.StepDefinition) -> CaseView | None:
    assert isinstance(step, m.NotifyStep)
    result: CaseView | None = await as_step_task(notify_task, step)(StepCall(view, step))
    return result
