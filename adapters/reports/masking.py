"""Masking personal values for exports, by field type (the definition's `personal` flag decides
whether a field is masked at all):

phone `+62812****7890`, email `d***@example.com`, text (names) to initials `D. L.`, textarea
(addresses) `***`, file `[berkas]`. Choices are categories (the programme asked, family or
lawyer) and identify nobody: kept. Declarations keep only "accepted, version".
"""

from __future__ import annotations

from typing import Any

from process_definitions import model as m

HIDDEN = "***"


def mask_phone(value: str) -> str:
    return f"{value[:6]}****{value[-4:]}" if len(value) >= 10 else HIDDEN


def mask_email(value: str) -> str:
    local, at, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if at and local else HIDDEN


def initials(value: str) -> str:
    return " ".join(f"{word[0].upper()}." for word in value.split() if word[:1].isalnum())


def declaration_text(value: Any) -> str:
    if isinstance(value, dict):
        accepted = "accepted" if value.get("accepted") else "not accepted"
        return f"{accepted} (version {value.get('statement_version', '?')})"
    return str(value)


def field_value(field: m.FieldDefinition, value: Any, *, masked: bool) -> Any:
    """A form value as an export shows it (None stays None: purged or not given)."""
    if value in (None, ""):
        return None
    if isinstance(field, m.DeclarationField):
        return declaration_text(value)
    if isinstance(field, m.FileField):
        if masked and field.personal:
            return "[berkas]"
        return value.get("object_key") if isinstance(value, dict) else str(value)
    if not masked or not field.personal or isinstance(field, m.ChoiceField | m.TimestampField):
        return value
    text = str(value)
    if isinstance(field, m.PhoneField):
        return mask_phone(text)
    if isinstance(field, m.EmailField):
        return mask_email(text)
    if isinstance(field, m.TextField):
        return initials(text)
    return HIDDEN
