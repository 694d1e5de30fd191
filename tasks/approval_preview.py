"""What the operator approves is what is sent: the messages of the step named by a user task's
`preview`, rendered by the send's own render path (`render_step_messages`).

Two renderings: the full one is kept in the case database (the case file shows it); the one on
the Prefect form has every context value the definition does not list under `preview.show`
replaced by a pointer to the case file, so no name reaches Prefect.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine

from adapters.db import case_repository as repo
from adapters.db.engine import session_scope
from adapters.intake.casefile_history import PREVIEW_VARIABLE
from adapters.notify.message import RenderedMessage
from process_definitions import model as m
from tasks.case_view import CaseView
from tasks.notify_step import render_step_messages
from tasks.services import CaseServices

HIDDEN = "[lihat berkas]"


@dataclass(frozen=True)
class Preview:
    step: m.NotifyStep
    full: dict[str, RenderedMessage]
    masked: dict[str, RenderedMessage]


def _hide(values: dict[str, Any], path: str) -> None:
    *parents, leaf = path.split(".")
    current: Any = values
    for part in parents:
        current = current.get(part) if isinstance(current, dict) else None
    if isinstance(current, dict) and current.get(leaf) is not None:
        current[leaf] = HIDDEN if isinstance(current[leaf], str) else None


def masked_view(view: CaseView, step: m.NotifyStep, show: list[str]) -> CaseView:
    """The case with the context values not in `show` hidden (a copy; the view is untouched)."""
    form_data = copy.deepcopy(view.form_data)
    variables = copy.deepcopy(view.variables)
    for name, path in step.context.items():
        if name not in show:
            root = path.split(".")[0]
            _hide(variables if root in variables else form_data, path)
    return replace(view, form_data=form_data, variables=variables)


def render_preview(view: CaseView, step: m.UserTaskStep, services: CaseServices) -> Preview | None:
    if step.preview is None:
        return None
    target = view.loaded.definition.step(step.preview.step)
    assert isinstance(target, m.NotifyStep)  # the loader checks it
    return Preview(
        step=target,
        full=render_step_messages(view, target, services, preview=True),
        masked=render_step_messages(
            masked_view(view, target, step.preview.show), target, services, preview=True
        ),
    )


def store_preview(engine: Engine, *, case_id: str, step_id: str, preview: Preview) -> None:
    """Keep the full draft on the case while it waits at `step_id` (the case file shows it).
    Not a state change: the case's `updated_at` (what stuck-case checks read) is left alone."""
    messages = {
        channel: {"subject": message.subject, "text": message.text}
        for channel, message in preview.full.items()
    }
    with session_scope(engine) as session:
        case = repo.get_case(session, case_id=case_id, for_update=True)
        if case.current_step != step_id or case.finished_at is not None:
            return
        previews = dict(case.variables.get(PREVIEW_VARIABLE) or {})
        previews[step_id] = {"step": preview.step.id, "messages": messages}
        case.variables = {**case.variables, PREVIEW_VARIABLE: previews}
        session.add(case)


CHANNEL_TITLES = {"email": "Email", "whatsapp": "WhatsApp", "sms": "SMS"}


def _fence(text: str) -> str:
    """A fence longer than any run of tildes in the text: shown verbatim, never as markdown."""
    longest = max((len(run) for run in text.split("\n") if set(run) == {"~"}), default=0)
    return "~" * max(3, longest + 1)


def preview_markdown(preview: Preview) -> list[str]:
    lines = [
        "",
        f"#### Pesan yang akan dikirim ({preview.step.name})",
        f"Persis seperti yang dikirim; nama dan data pribadi tertulis `{HIDDEN}`: "
        "lihat berkas permohonan.",
    ]
    for channel, message in preview.masked.items():
        fence = _fence(message.text)
        lines += ["", f"**{CHANNEL_TITLES.get(channel, channel)}**"]
        if message.subject:
            lines += ["", f"Subjek: {message.subject}"]
        lines += ["", fence, message.text.rstrip("\n"), fence]
    return lines
