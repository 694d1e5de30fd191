"""The answer's lines as the applicant reads them: past and future dates worded differently,
programmes that do not apply said so with their rule, conditions as clean sentences."""

from __future__ import annotations

from typing import Any

from adapters.bahasa import long_date

from .answer import IntegrasiInformation, ProgrammeEstimate
from .labels import stage_text


def sentences(items: list[str]) -> str:
    """`["A.", "B"]` -> `A. B.`: each item one sentence, no stray `.;`."""
    cleaned = (item.strip().rstrip(".;").strip() for item in items)
    return " ".join(f"{item}." for item in cleaned if item)


def estimate_text(estimate: ProgrammeEstimate) -> str:
    text = _date_text(estimate)
    return f"{text} ({estimate.note})" if estimate.note else text


def _date_text(estimate: ProgrammeEstimate) -> str:
    if estimate.status == "not_applicable":
        return f"tidak berlaku ({estimate.reason})"
    if estimate.status == "unknown" or estimate.estimated_date is None:
        return f"belum dapat diperkirakan ({estimate.reason})"
    when = long_date(estimate.estimated_date)
    source = "perkiraan" if estimate.perkiraan else "menurut SDP"
    if estimate.code == "ekspirasi":
        return f"telah lewat sejak {when} ({source})" if estimate.reached else f"{when} ({source})"
    if estimate.reached:
        return f"syarat waktu telah terpenuhi sejak {when} ({source})"
    return f"{source} paling awal {when}"


def estimate_line(estimate: ProgrammeEstimate, *, asked: bool) -> dict[str, Any]:
    dated = estimate.status == "date"
    return {
        "code": estimate.code,
        "name": estimate.label,
        "status": estimate.status,
        "reached": estimate.reached,
        "date": estimate.estimated_date.isoformat() if estimate.estimated_date else None,
        "estimated_date": estimate.estimated_date.isoformat() if estimate.estimated_date else None,
        "text": estimate_text(estimate),
        "asked": asked,
        "conditions": sentences(estimate.conditions) if dated else None,
        "conditions_label": "Catatan" if estimate.code == "ekspirasi" else "Syarat lain",
    }


def answer_lines(information: IntegrasiInformation, question: str | None) -> dict[str, Any]:
    """What the templates show: stage with its programme, one line per programme, notes."""
    programmes = information.programmes()
    asked = next((e.label for e in programmes if e.code == question), None)
    return {
        "as_of": information.as_of.isoformat(),
        "asked": asked,
        "current_stage": stage_text(information.current_programme, information.current_stage),
        "programmes": [estimate_line(e, asked=e.code == question) for e in programmes],
        "notes": list(information.public_notes),
    }
