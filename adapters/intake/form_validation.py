"""Raw form values -> cleaned values and per-field errors in Bahasa Indonesia. Pure: no I/O.

File fields are not handled here (see `submission.py`); timestamps are set from `now`.
Cleaned values are what `create_case` stores: phones in E.164, emails normalised, choices as
option values, the declaration as `{"accepted", "statement_version", "accepted_at"}`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from adapters.intake.person_names import NameRefused, clean_person_name
from process_definitions import model as m

MAX_PHONE_CHARS = 32
MAX_EMAIL_CHARS = 254
DECLARATION_TICKED = ("ya", "on", "true", "1")
_SPACES = re.compile(r"\s+")
_MOBILE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}

REQUIRED = "Wajib diisi."
REQUIRED_CHOICE = "Pilih salah satu."
REQUIRED_DECLARATION = "Centang pernyataan ini untuk melanjutkan."
BAD_CHARACTERS = "Isian berisi karakter yang tidak diizinkan."
TOO_LONG = "Terlalu panjang: maksimal {max} karakter (sekarang {n})."
PHONE_INVALID = "Nomor HP tidak dikenali. Tulis seperti 0812 3456 7890 atau +62 812 3456 7890."
PHONE_FOREIGN = "Gunakan nomor HP Indonesia (+62)."
PHONE_NOT_MOBILE = "Masukkan nomor HP (seluler), bukan nomor telepon rumah atau kantor."
EMAIL_INVALID = "Alamat email tidak valid. Tulis seperti nama@contoh.com."
CHOICE_INVALID = "Pilihan tidak tersedia. Pilih salah satu dari daftar."
DATE_INVALID = "Tanggal tidak valid. Tulis seperti 31-12-1990."
DATE_FUTURE = "Tanggal tidak boleh sesudah hari ini."
_DATE_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


@dataclass
class FormResult:
    cleaned: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    kept: dict[str, Any] = field(default_factory=dict)  # what to show again in the form

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_form(
    fields: Sequence[m.FieldDefinition],
    raw: Mapping[str, Sequence[str]],
    *,
    now: datetime,
) -> FormResult:
    """Validate every non-file field of a form; `raw` maps a field id to its submitted values."""
    result = FormResult()
    for f in fields:
        values = list(raw.get(f.id, ()))
        if isinstance(f, m.FileField):
            continue
        if isinstance(f, m.TimestampField):
            result.cleaned[f.id] = now.isoformat()
            continue
        try:
            value, kept = _clean(f, values, now)
        except _Invalid as invalid:
            result.errors[f.id] = invalid.message
            result.kept[f.id] = invalid.kept
            continue
        result.cleaned[f.id] = value
        result.kept[f.id] = kept
    return result


class _Invalid(Exception):
    def __init__(self, message: str, kept: Any) -> None:
        super().__init__(message)
        self.message = message
        self.kept = kept


def _clean(f: m.FieldDefinition, values: list[str], now: datetime) -> tuple[Any, Any]:
    if isinstance(f, m.ChoiceField):
        return _choice(f, values)
    if isinstance(f, m.DeclarationField):
        return _declaration(f, values, now)
    text = values[0] if values else ""
    if isinstance(f, m.TextField):
        if f.format == "person_name":
            return _person_name(f, _single_line(text))
        return _text(f, _single_line(text), f.max_length)
    if isinstance(f, m.TextareaField):
        return _text(f, _multi_line(text), f.max_length)
    if isinstance(f, m.PhoneField):
        return _phone(f, text)
    if isinstance(f, m.EmailField):
        return _email(f, text)
    if isinstance(f, m.DateField):
        return _date(f, _single_line(text), now.date())
    raise AssertionError(f"unhandled field type {f.type}")


def _single_line(text: str) -> str:
    return _SPACES.sub(" ", _without_format(unicodedata.normalize("NFC", text))).strip()


def _multi_line(text: str) -> str:
    text = _without_format(unicodedata.normalize("NFC", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _without_format(text: str) -> str:
    """Invisible format characters removed (zero-width spaces U+200B, the right-to-left
    override U+202E that reverses what a reader sees, BOM U+FEFF, soft hyphens...): a field of
    three zero-width spaces is empty, and no text can display other than it reads."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _has_controls(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in "\n\t" for ch in text)


def _text(f: m.FieldDefinition, text: str, max_length: int) -> tuple[str | None, str]:
    if not text:
        if f.required:
            raise _Invalid(REQUIRED, "")
        return None, ""
    if _has_controls(text):
        raise _Invalid(BAD_CHARACTERS, _printable(text))
    if len(text) > max_length:
        raise _Invalid(TOO_LONG.format(max=max_length, n=len(text)), text)
    return text, text


def _person_name(f: m.TextField, text: str) -> tuple[str | None, str]:
    value, kept = _text(f, text, f.max_length)
    if value is None:
        return value, kept
    try:
        return clean_person_name(value), kept
    except NameRefused as refused:
        raise _Invalid(refused.message, kept) from None


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


def _phone(f: m.PhoneField, text: str) -> tuple[str | None, str]:
    text = _single_line(text)
    if not text:
        if f.required:
            raise _Invalid(REQUIRED, "")
        return None, ""
    if len(text) > MAX_PHONE_CHARS or _has_controls(text):
        raise _Invalid(PHONE_INVALID, _printable(text)[:MAX_PHONE_CHARS])
    try:
        number = phonenumbers.parse(text, f.region)
    except phonenumbers.NumberParseException:
        raise _Invalid(PHONE_INVALID, text) from None
    if phonenumbers.region_code_for_number(number) != f.region:
        message = PHONE_FOREIGN if phonenumbers.is_valid_number(number) else PHONE_INVALID
        raise _Invalid(message, text)
    if not phonenumbers.is_valid_number(number):
        raise _Invalid(PHONE_INVALID, text)
    if phonenumbers.number_type(number) not in _MOBILE:
        raise _Invalid(PHONE_NOT_MOBILE, text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), text


def _email(f: m.EmailField, text: str) -> tuple[str | None, str]:
    text = _single_line(text)
    if not text:
        if f.required:
            raise _Invalid(REQUIRED, "")
        return None, ""
    if len(text) > MAX_EMAIL_CHARS or _has_controls(text):
        raise _Invalid(EMAIL_INVALID, _printable(text)[:MAX_EMAIL_CHARS])
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise _Invalid(EMAIL_INVALID, text) from None
    return checked.normalized, text


def _date(f: m.DateField, text: str, today: date) -> tuple[str | None, str]:
    """`1990-12-31` (what a date input sends) or `31-12-1990`; stored as ISO."""
    if not text:
        if f.required:
            raise _Invalid(REQUIRED, "")
        return None, ""
    day_first = _DATE_DMY.match(text)
    try:
        if day_first:
            value = date(int(day_first[3]), int(day_first[2]), int(day_first[1]))
        else:
            value = date.fromisoformat(text)
    except ValueError:
        raise _Invalid(DATE_INVALID, _printable(text)[:10]) from None
    if value > today:
        raise _Invalid(DATE_FUTURE, text)
    return value.isoformat(), value.isoformat()


def _choice(f: m.ChoiceField, values: list[str]) -> tuple[Any, Any]:
    allowed = {option.value for option in f.options}
    picked = [v for v in dict.fromkeys(values) if v]  # unique, in order, no empties
    kept = [v for v in picked if v in allowed]
    if f.multiple:
        if any(v not in allowed for v in picked):
            raise _Invalid(CHOICE_INVALID, kept)
        if not picked and f.required:
            raise _Invalid(REQUIRED_CHOICE, [])
        return picked, picked
    if not picked:
        if f.required:
            raise _Invalid(REQUIRED_CHOICE, "")
        return None, ""
    if len(picked) > 1 or picked[0] not in allowed:
        raise _Invalid(CHOICE_INVALID, kept[0] if len(kept) == 1 else "")
    return picked[0], picked[0]


def _declaration(f: m.DeclarationField, values: list[str], now: datetime) -> tuple[Any, bool]:
    ticked = any(v.strip().lower() in DECLARATION_TICKED for v in values)
    if not ticked:
        if f.required:
            raise _Invalid(REQUIRED_DECLARATION, False)
        return None, False
    accepted = {
        "accepted": True,
        "statement_version": f.statement_version,
        "accepted_at": now.isoformat(),
    }
    return accepted, True
