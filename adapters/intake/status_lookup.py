"""The public status page's lookup: reference + the registered phone (or email) -> a status text.

"No such case" and "wrong phone" are one answer (None), so the page reveals nothing else.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Engine

from adapters.db.case_repository import get_case_by_reference, loaded_definition_of
from adapters.db.case_tables import Case, CaseStatus
from adapters.db.engine import session_scope
from adapters.intake.form_fields import FormDefinitionError, public_form
from process_definitions import model as m

REFERENCE_FIELD = "nomor-permohonan"
CONTACT_FIELD = "kontak"
_REFERENCE = re.compile(r"^[A-Z]{2,5}-\d{4}-\d{1,12}$")


@dataclass(frozen=True)
class PublicStatus:
    reference: str
    title: str
    detail: str
    service: str  # the definition's title
    submitted_at: datetime
    updated_at: datetime
    finished_at: datetime | None


def normalise_reference(text: str) -> str | None:
    reference = re.sub(r"\s+", "", text).upper()
    return reference if _REFERENCE.match(reference) else None


def normalise_contact(f: m.PhoneField | m.EmailField, text: str) -> str | None:
    text = text.strip()
    if not text or len(text) > 254:
        return None
    if isinstance(f, m.PhoneField):
        try:
            number = phonenumbers.parse(text, f.region)
        except phonenumbers.NumberParseException:
            return None
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def lookup_status(engine: Engine, *, reference_text: str, contact_text: str) -> PublicStatus | None:
    reference = normalise_reference(reference_text)
    if reference is None:
        return None
    with session_scope(engine) as session:
        case = get_case_by_reference(session, reference=reference)
        if case is None:
            return None
        return _status_if_contact_matches(case, contact_text)


def _status_if_contact_matches(case: Case, contact_text: str) -> PublicStatus | None:
    definition = loaded_definition_of(case).definition
    try:
        lookup = public_form(definition).lookup_field
    except FormDefinitionError:
        return None
    if lookup is None:
        return None
    given = normalise_contact(lookup, contact_text)
    stored = case.form_data.get(lookup.id)
    if given is None or not isinstance(stored, str):
        return None
    if isinstance(lookup, m.EmailField):
        stored = stored.lower()
    if not hmac.compare_digest(given.encode(), stored.encode()):
        return None
    title, detail = status_text(case, definition)
    return PublicStatus(
        reference=case.reference,
        title=title,
        detail=detail,
        service=definition.title,
        submitted_at=case.submitted_at,
        updated_at=case.updated_at,
        finished_at=case.finished_at,
    )


def status_text(case: Case, definition: m.ProcessDefinition) -> tuple[str, str]:
    """What the public reads, from the status and the current step's name."""
    step_name = _step_name(definition, case.current_step)
    if case.status == CaseStatus.SUBMITTED.value:
        return "Diterima", "Permohonan sudah diterima dan menunggu diproses petugas."
    if case.status == CaseStatus.COMPLETED.value:
        ends = [s.name for s in definition.steps if getattr(s, "outcome", None) == case.outcome]
        name = step_name or (ends[0] if ends else None)
        return "Selesai", f"Permohonan selesai: {name}." if name else "Permohonan selesai."
    if case.status == CaseStatus.FAILED.value:
        return (
            "Ditangani petugas",
            "Permohonan mengalami kendala dan sedang ditangani petugas. "
            "Hubungi kantor layanan bila perlu.",
        )
    label = (
        "Menunggu pemeriksaan petugas"
        if case.status == CaseStatus.WAITING.value
        else ("Sedang diproses")
    )
    return label, f"Tahap saat ini: {step_name}." if step_name else "Permohonan sedang diproses."


def _step_name(definition: m.ProcessDefinition, step_id: str | None) -> str | None:
    if not step_id:
        return None
    try:
        return definition.step(step_id).name
    except KeyError:
        return None
