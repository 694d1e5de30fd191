"""The operator's view of a case file: form data with labels, file links, SDP candidates, and
the history (decisions, drafts, messages as sent)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from adapters.db.case_tables import Case
from adapters.intake.casefile_history import CaseHistory
from adapters.intake.status_lookup import status_text
from adapters.storage.errors import StorageError
from adapters.storage.protocol import ObjectStore
from process_definitions import model as m

log = logging.getLogger("sopflow.intake")
TimeFormat = Callable[[datetime | str | None], str]
FILE_UNAVAILABLE = "Berkas tidak dapat diambil saat ini; muat ulang halaman beberapa saat lagi."


@dataclass(frozen=True)
class Row:
    label: str
    text: str
    link: str | None = None
    link_text: str = ""


@dataclass
class CaseFileView:
    reference: str
    status_title: str
    status_detail: str
    opened_at: Any
    submitted_at: Any
    rows: list[Row] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    chooses_candidates: bool = False  # an operator picks from a searched list (options_from)
    warnings: list[str] = field(default_factory=list)  # flags raised on the case, for operators
    history: CaseHistory = field(default_factory=CaseHistory)


FLAG_TEXTS = {
    "pengiriman_gagal": 'Pesan pada langkah "{step}" tidak sampai lewat semua saluran '
    "(lihat outbox); hubungi pemohon atau kirim ulang.",
}


def flag_text(flag: str, definition: m.ProcessDefinition) -> str:
    """`pengiriman_gagal:kirim_informasi` -> a sentence an operator can act on."""
    kind, _, step_id = flag.partition(":")
    try:
        step = definition.step(step_id).name if step_id else ""
    except KeyError:
        step = step_id
    template = FLAG_TEXTS.get(kind)
    return template.format(step=step) if template else flag


def case_file_view(
    case: Case,
    definition: m.ProcessDefinition,
    store: ObjectStore,
    *,
    link_ttl: timedelta,
    format_time: TimeFormat,
    history: CaseHistory | None = None,
) -> CaseFileView:
    """The case as an operator reads it; every time through `format_time` (office time, WIB)."""
    title, detail = status_text(case, definition)
    view = CaseFileView(
        reference=case.reference,
        status_title=title,
        status_detail=detail,
        opened_at=case.opened_at,
        submitted_at=case.submitted_at,
    )
    for f in definition.form_fields():
        view.rows.append(_row(case, f, case.form_data.get(f.id), store, link_ttl, format_time))
    sources = [
        task_input.options_from
        for step in definition.steps
        if isinstance(step, m.UserTaskStep)
        for task_input in step.inputs
        if isinstance(task_input, m.ChoiceInput) and task_input.options_from
    ]
    view.chooses_candidates = bool(sources)
    view.candidates = [c for source in sources for c in _candidates(case.variables.get(source))]
    view.warnings = [flag_text(flag, definition) for flag in case.flags]
    view.history = history or CaseHistory()
    return view


def _row(
    case: Case,
    f: m.FieldDefinition,
    value: Any,
    store: ObjectStore,
    ttl: timedelta,
    format_time: TimeFormat,
) -> Row:
    if value in (None, "", []):
        return Row(f.label, "-")
    if isinstance(f, m.TimestampField):
        return Row(f.label, format_time(value))
    if isinstance(f, m.FileField) and isinstance(value, dict):
        return _file_row(case, f, value, store, ttl)
    if isinstance(f, m.ChoiceField):
        labels = {o.value: o.label for o in f.options}
        chosen = value if isinstance(value, list) else [value]
        return Row(f.label, ", ".join(labels.get(str(v), str(v)) for v in chosen))
    if isinstance(f, m.DeclarationField) and isinstance(value, dict):
        when = value.get("accepted_at")
        at = f" {format_time(when)}" if isinstance(when, str) else ""
        text = f"Disetujui{at} (versi {value.get('statement_version', '?')})"
        return Row(f.label, text)
    return Row(f.label, str(value))


def _file_row(
    case: Case, f: m.FileField, value: dict[str, Any], store: ObjectStore, ttl: timedelta
) -> Row:
    kind = str(value.get("kind", "bin"))
    size = value.get("size")
    text = f"{kind.upper()}, {int(size) // 1024} KB" if isinstance(size, int) else kind.upper()
    try:
        url = store.presigned_get(
            str(value["object_key"]), expires=ttl, filename=f"{case.reference}-{f.id}.{kind}"
        )
    except (StorageError, KeyError, ValueError) as error:
        log.warning("case %s: file link not available (%s)", case.reference, type(error).__name__)
        return Row(f.label, f"{text}. {FILE_UNAVAILABLE}")
    minutes = int(ttl.total_seconds() // 60)
    return Row(f.label, text, link=url, link_text=f"Unduh (tautan berlaku {minutes} menit)")


def _candidates(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        return []
    shown = []
    for item in raw:
        if isinstance(item, dict):
            reasons = item.get("reasons")
            shown.append(
                {
                    "key": str(item.get("key", "")),
                    "nama": str(item.get("nama", "")),
                    "no_registrasi": str(item.get("no_registrasi", "")),
                    "upt": str(item.get("upt", "")),
                    "score": item.get("score", ""),
                    "manual": bool(item.get("manual")),
                    "reasons": [str(r) for r in reasons] if isinstance(reasons, list) else [],
                }
            )
    return shown
