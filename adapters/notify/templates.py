"""Message templates: Jinja2 files per template and channel, rendered from a plain context.

Layout: `<templates_dir>/<template_id>/` with `email.subject.j2`, `email.txt.j2`, `email.html.j2`
and `<channel>.txt.j2` for every other channel (`whatsapp.txt.j2`, ...). HTML is autoescaped; text
is not. The context (standard variables plus the step's declared `context`, see
process_definitions/message_variables.py) holds what the applicant may read: never a KTP or NIK.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
)
from jinja2 import (
    TemplateError as JinjaTemplateError,
)

from adapters.bahasa import long_date
from adapters.notify.errors import MessageTooLongError, TemplateError
from adapters.notify.message import RenderedMessage


def tanggal(value: date | str | None) -> str:
    """`date(2026, 1, 4)` or `"2026-01-04"` -> `4 Januari 2026`; any other text is shown as it
    is (e.g. the approval preview's `[lihat berkas]` in place of a hidden value)."""
    if value is None:
        return "belum dapat diperkirakan"
    if isinstance(value, str):
        try:
            return long_date(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    return long_date(value)


FILTERS = {"tanggal": tanggal}  # process_definitions.message_variables.MESSAGE_FILTERS names them


def required_template_files(channel: str) -> list[str]:
    if channel == "email":
        return ["email.subject.j2", "email.txt.j2", "email.html.j2"]
    return [f"{channel}.txt.j2"]


def missing_template_files(templates_dir: Path, template_id: str, channels: list[str]) -> list[str]:
    """Paths (relative to templates_dir) a notify step needs and that do not exist."""
    folder = templates_dir / template_id
    return [
        f"{template_id}/{name}"
        for channel in channels
        for name in required_template_files(channel)
        if not (folder / name).is_file()
    ]


@lru_cache(maxsize=32)
def _environment(templates_dir: Path, html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=html,  # noqa: S701  (text templates feed email text and WhatsApp, not HTML)
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=True,
    )
    env.filters.update(FILTERS)
    return env


def _render(templates_dir: Path, template_id: str, name: str, context: Mapping[str, Any]) -> str:
    env = _environment(templates_dir.resolve(), name.endswith(".html.j2"))
    try:
        template = env.get_template(f"{template_id}/{name}")
        return template.render(**context)
    except TemplateNotFound:
        raise TemplateError(f"template file {template_id}/{name} does not exist") from None
    except JinjaTemplateError as exc:
        raise TemplateError(f"template {template_id}/{name}: {exc}") from None


_BLANK_RUNS = re.compile(r"\n{3,}")


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip() + "\n"


def render_message(
    templates_dir: Path,
    template_id: str,
    channel: str,
    context: Mapping[str, Any],
    *,
    max_length: int | None = None,
) -> RenderedMessage:
    """The subject (email), text and HTML (email) of one template for one channel.

    `max_length` (e.g. 4096 for WhatsApp, see ChannelConfig.max_length) makes an over-long text fail
    clearly instead of being cut: a cut message could lose the complaint contact.
    """
    if channel == "email":
        subject = " ".join(_render(templates_dir, template_id, "email.subject.j2", context).split())
        text = _tidy_text(_render(templates_dir, template_id, "email.txt.j2", context))
        html = _render(templates_dir, template_id, "email.html.j2", context).strip() + "\n"
        if not subject:
            raise TemplateError(f"template {template_id}/email.subject.j2 renders an empty subject")
    else:
        subject = None
        text = _tidy_text(_render(templates_dir, template_id, f"{channel}.txt.j2", context))
        html = None
    if max_length is not None and len(text) > max_length:
        raise MessageTooLongError(template_id, channel, len(text), max_length)
    return RenderedMessage(subject=subject, text=text, html=html)
