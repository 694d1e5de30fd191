"""The standard variables every message template gets, named in one place.

A notify step's templates may use these plus the names its `context` declares; the loader checks
that at validate time, and the runtime fills exactly these names (`standard_values`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from process_definitions.model import ProcessDefinition

STANDARD_VARIABLES: dict[str, str] = {
    "reference": "the case reference, e.g. LII-2026-000123",
    "service_title": "the definition's `title`",
    "office_name": "the definition's `sop.office`",
    "sop_number": "the definition's `sop.number`",
    "guarantees": "the definition's `sop.guarantees` (a list)",
    "information_date": "the day the message is written (a date; `| tanggal` words it)",
    "complaint_contact": "where the public complains (the office file)",
    "office_contact": "the office's phone and email in one line (the office file), or none",
    "ask_again_url": "the public form's address, or none",
    "survey_url": "the one-time satisfaction survey link in a case's last message, or none",
}

# The standard variables that are plain text (reading an attribute of one is a template error).
PLAIN_STANDARD_VARIABLES: tuple[str, ...] = (
    "reference",
    "service_title",
    "office_name",
    "sop_number",
    "complaint_contact",
    "office_contact",
    "ask_again_url",
    "survey_url",
)

# Filters the message renderer registers (adapters/notify/templates.py) besides Jinja2's own.
MESSAGE_FILTERS: tuple[str, ...] = ("tanggal",)


def standard_values(
    definition: ProcessDefinition,
    *,
    reference: str,
    today: date,
    complaint_contact: str,
    office_contact: str | None,
    ask_again_url: str | None,
    survey_url: str | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "reference": reference,
        "service_title": definition.title,
        "office_name": definition.sop.office,
        "sop_number": definition.sop.number,
        "guarantees": list(definition.sop.guarantees),
        "information_date": today,
        "complaint_contact": complaint_contact,
        "office_contact": office_contact,
        "ask_again_url": ask_again_url,
        "survey_url": survey_url,
    }
    assert values.keys() == STANDARD_VARIABLES.keys()
    return values


def lookup(values: Mapping[str, Any], path: str) -> Any:
    """`draft.prisoner_name` in {"draft": {"prisoner_name": ...}}; None where a part is missing."""
    current: Any = values
    for part in path.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current


def declared_values(context: Mapping[str, str], values: Mapping[str, Any]) -> dict[str, Any]:
    """A notify step's `context` (name -> path) filled from the case's fields and outputs."""
    return {name: lookup(values, path) for name, path in context.items()}
