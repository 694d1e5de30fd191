"""Server-rendered pages: Jinja2 with autoescape, strict undefined, no inline script or style."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import jinja2
from starlette.responses import HTMLResponse

from adapters.bahasa import month_name
from adapters.intake.form_fields import (
    accept_attribute,
    checkable_kinds,
    human_duration,
    human_size,
)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


class Pages:
    def __init__(
        self, *, site_title: str, office: str, tz: tzinfo, tz_label: str, base_path: str = ""
    ) -> None:
        """Pages of one service (`base_path` = `/<definition id>`) or of the whole site ("")."""
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
            autoescape=jinja2.select_autoescape(["html"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.tz = tz
        self.tz_label = tz_label
        self.env.globals.update(site_title=site_title, office=office, base_path=base_path)
        self.env.filters.update(
            when=self.format_time,
            size=human_size,
            duration=human_duration,
            accept=accept_attribute,
            kinds=lambda f: " atau ".join(kind.upper() for kind in checkable_kinds(f)),
        )

    def format_time(self, value: datetime | str | None) -> str:
        """`2026-03-05T02:04:00+00:00` -> "5 Maret 2026 09.04 WIB" (local office time)."""
        if value is None:
            return "-"
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                return str(value)
        if value.tzinfo is None:  # SQLite returns naive datetimes; everything stored is UTC
            value = value.replace(tzinfo=UTC)
        local = value.astimezone(self.tz)
        month = month_name(local)
        return f"{local.day} {month} {local.year} {local:%H.%M} {self.tz_label}"

    def render(self, name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(name).render(**context), status_code=status)

    def message(
        self,
        *,
        title: str,
        text: str,
        status: int,
        link: tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        """A one-message page (errors, "try again", 403) with an optional way back."""
        response = self.render("message.html", status=status, title=title, text=text, link=link)
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response
