"""A case's history for the case file: decisions (what, by whom, when), drafts as they will be
sent, and the messages as the outbox holds them. Read-only; one query per table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from adapters.db.case_repository import utc
from adapters.db.case_tables import Case, Decision
from adapters.notify.outbox_table import OutboxMessage
from adapters.roster import Roster
from process_definitions import model as m

PREVIEW_VARIABLE = "pratinjau_pesan"  # written by tasks/approval_preview.py
STATUS_TEXTS = {
    "pending": "menunggu dikirim",
    "sending": "sedang dikirim",
    "sent": "terkirim",
    "failed_permanent": "gagal",
    "unknown": "tidak pasti (periksa)",
    "skipped": "dilewati (alamat tidak sah)",
}


@dataclass(frozen=True)
class DecisionLine:
    step_name: str
    visit: int
    choices: list[tuple[str, str]]  # (input label, chosen option as the operator read it)
    operator: str  # "NIP - Nama"
    decided_at: datetime


@dataclass(frozen=True)
class MessageLine:
    step_name: str
    channel: str
    subject: str | None
    text: str
    status: str = ""
    at: datetime | None = None


@dataclass
class CaseHistory:
    decisions: list[DecisionLine] = field(default_factory=list)
    drafts: list[MessageLine] = field(default_factory=list)
    sent: list[MessageLine] = field(default_factory=list)


def operator_label(nip: str, roster: Roster | None) -> str:
    names = {op.nip: op.name for ops in (roster.root.values() if roster else []) for op in ops}
    return f"{nip} - {names[nip]}" if nip in names else nip


def _step_name(definition: m.ProcessDefinition, step_id: str) -> str:
    try:
        return definition.step(step_id).name
    except KeyError:
        return step_id


def _choice_text(task_input: m.ChoiceInput, value: Any, variables: dict[str, Any]) -> str:
    labels = {o.value: o.label for o in task_input.options}
    for item in variables.get(task_input.options_from or "") or []:
        if isinstance(item, dict) and item.get("key") == value:
            manual = " (cocok manual)" if item.get("manual") else ""
            return f"{value}{manual}: {item.get('nama', '')}, {item.get('no_registrasi', '')}"
    return f"{value} ({labels[value]})" if value in labels else str(value)


def _decision_line(
    decision: Decision, definition: m.ProcessDefinition, case: Case, roster: Roster | None
) -> DecisionLine:
    try:
        step = definition.step(decision.step_id)
    except KeyError:
        step = None
    inputs = {i.id: i for i in step.inputs} if isinstance(step, m.UserTaskStep) else {}
    choices = []
    for input_id, value in decision.values.items():
        task_input = inputs.get(input_id)
        if isinstance(task_input, m.ChoiceInput):
            choices.append((task_input.label, _choice_text(task_input, value, case.variables)))
        else:
            choices.append((input_id, str(value)))
    for input_id, task_input in inputs.items():  # notes live in the case variables
        note = case.variables.get(input_id)
        if isinstance(task_input, m.TextInput) and isinstance(note, str) and note.strip():
            choices.append((task_input.label, note))
    return DecisionLine(
        step_name=_step_name(definition, decision.step_id),
        visit=decision.visit,
        choices=choices,
        operator=operator_label(decision.operator_nip, roster),
        decided_at=utc(decision.decided_at),
    )


def case_history(
    session: Session, case: Case, definition: m.ProcessDefinition, *, roster: Roster | None
) -> CaseHistory:
    history = CaseHistory()
    decisions = session.exec(
        select(Decision).where(Decision.case_id == case.id).order_by(col(Decision.id))
    )
    history.decisions = [_decision_line(d, definition, case, roster) for d in decisions]
    previews = case.variables.get(PREVIEW_VARIABLE) or {}
    for preview in previews.values():  # {approval step: {"step": notify step, "messages": ...}}
        step_name = _step_name(definition, str(preview.get("step", "")))
        for channel, message in (preview.get("messages") or {}).items():
            history.drafts.append(
                MessageLine(
                    step_name=step_name,
                    channel=channel,
                    subject=message.get("subject"),
                    text=str(message.get("text", "")),
                )
            )
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.case_id == case.id)
        .order_by(col(OutboxMessage.id))
    )
    history.sent = [
        MessageLine(
            step_name=_step_name(definition, row.step_id),
            channel=row.channel,
            subject=row.subject,
            text=row.body_text,
            status=STATUS_TEXTS.get(row.status, row.status),
            at=utc(row.sent_at) if row.sent_at else None,
        )
        for row in rows
    ]
    return history
