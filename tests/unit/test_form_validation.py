"""Form validation as a table: (field, submitted values) -> cleaned value or Indonesian error."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import TypeAdapter

from adapters.intake import form_validation as v
from process_definitions import model as m

NOW = datetime(2026, 3, 5, 2, 4, tzinfo=UTC)
_FIELD = TypeAdapter(m.FieldDefinition)


def field(**spec: Any) -> m.FieldDefinition:
    return _FIELD.validate_python({"id": "isian", "label": "Isian", **spec})


TEXT = field(type="text", max_length=10)
OPTIONAL_TEXT = field(type="text", max_length=10, required=False)
AREA = field(type="textarea", max_length=20)
PHONE = field(type="phone")
OPTIONAL_PHONE = field(type="phone", required=False)
EMAIL = field(type="email")
CHOICE = field(
    type="choice",
    options=[{"value": "keluarga", "label": "Keluarga"}, {"value": "pengacara", "label": "P"}],
)
MULTI = field(
    type="choice",
    multiple=True,
    options=[{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
)
DECLARATION = field(type="declaration", statement="Data saya benar.", statement_version="v7")
TIMESTAMP = field(type="timestamp", personal=False)
BORN = field(type="date", required=False)

OK_CASES: list[tuple[str, m.FieldDefinition, list[str], Any]] = [
    ("text stripped", TEXT, ["  Siti  "], "Siti"),
    ("text collapses inner whitespace", field(type="text"), ["Siti \t\n  Aminah"], "Siti Aminah"),
    ("text at max length", TEXT, ["x" * 10], "x" * 10),
    ("text unicode NFC", TEXT, ["Jose\u0301"], "José"),
    ("optional text empty", OPTIONAL_TEXT, [""], None),
    ("optional text absent", OPTIONAL_TEXT, [], None),
    ("textarea keeps lines", AREA, ["Jl. Mawar 1\r\nSerang"], "Jl. Mawar 1\nSerang"),
    ("phone 08 local", PHONE, ["0812 3456 7890"], "+6281234567890"),
    ("phone +62 with dashes", PHONE, ["+62-812-3456-7890"], "+6281234567890"),
    ("phone 62 prefix no plus", PHONE, ["6281234567890"], "+6281234567890"),
    ("phone 11 digits", PHONE, ["081312345678"], "+6281312345678"),
    ("optional phone empty", OPTIONAL_PHONE, ["   "], None),
    ("email normalised domain", EMAIL, [" Siti@Example.COM "], "Siti@example.com"),
    ("choice value", CHOICE, ["pengacara"], "pengacara"),
    ("multiple choice", MULTI, ["a", "b", "a"], ["a", "b"]),
    ("multiple choice none optional", field(**{**MULTI.model_dump(), "required": False}), [], []),
    ("date from a date input", BORN, ["1990-12-31"], "1990-12-31"),
    ("date day first", BORN, ["31-12-1990"], "1990-12-31"),
    ("optional date empty", BORN, [""], None),
]

ERROR_CASES: list[tuple[str, m.FieldDefinition, list[str], str]] = [
    ("text missing", TEXT, [], v.REQUIRED),
    ("text blank", TEXT, ["   "], v.REQUIRED),
    ("text too long", TEXT, ["x" * 11], v.TOO_LONG.format(max=10, n=11)),
    ("text NUL byte", TEXT, ["a\x00b"], v.BAD_CHARACTERS),
    ("textarea control char", AREA, ["a\x1bb"], v.BAD_CHARACTERS),
    ("textarea too long", AREA, ["y" * 21], v.TOO_LONG.format(max=20, n=21)),
    ("phone missing", PHONE, [], v.REQUIRED),
    ("phone letters", PHONE, ["nomor saya"], v.PHONE_INVALID),
    ("phone too short", PHONE, ["0812"], v.PHONE_INVALID),
    ("phone far too long", PHONE, ["0812" * 20], v.PHONE_INVALID),
    ("phone landline Jakarta", PHONE, ["021 3456 7890"], v.PHONE_NOT_MOBILE),
    ("phone foreign mobile", PHONE, ["+44 7911 123456"], v.PHONE_FOREIGN),
    ("phone foreign, invalid", PHONE, ["+1 000"], v.PHONE_INVALID),
    ("email missing", EMAIL, [""], v.REQUIRED),
    ("email without at", EMAIL, ["siti.example.com"], v.EMAIL_INVALID),
    ("email two ats", EMAIL, ["a@b@c.com"], v.EMAIL_INVALID),
    ("email too long", EMAIL, ["a" * 250 + "@x.id"], v.EMAIL_INVALID),
    ("choice missing", CHOICE, [], v.REQUIRED_CHOICE),
    ("choice unknown value", CHOICE, ["tetangga"], v.CHOICE_INVALID),
    ("choice two values", CHOICE, ["keluarga", "pengacara"], v.CHOICE_INVALID),
    ("multiple unknown value", MULTI, ["a", "z"], v.CHOICE_INVALID),
    ("multiple none required", MULTI, [], v.REQUIRED_CHOICE),
    ("declaration not ticked", DECLARATION, [], v.REQUIRED_DECLARATION),
    ("declaration other value", DECLARATION, ["tidak"], v.REQUIRED_DECLARATION),
    ("date not a date", BORN, ["31-02-1990"], v.DATE_INVALID),
    ("date words", BORN, ["kemarin"], v.DATE_INVALID),
    ("date in the future", BORN, ["2030-01-01"], v.DATE_FUTURE),
    ("date required", field(type="date"), [], v.REQUIRED),
]


@pytest.mark.parametrize(("name", "f", "raw", "expected"), OK_CASES, ids=[c[0] for c in OK_CASES])
def test_valid_values_are_cleaned(
    name: str, f: m.FieldDefinition, raw: list[str], expected: Any
) -> None:
    result = v.validate_form([f], {f.id: raw}, now=NOW)
    assert result.errors == {}, name
    assert result.cleaned[f.id] == expected


@pytest.mark.parametrize(
    ("name", "f", "raw", "message"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES]
)
def test_invalid_values_get_their_message(
    name: str, f: m.FieldDefinition, raw: list[str], message: str
) -> None:
    result = v.validate_form([f], {f.id: raw}, now=NOW)
    assert result.errors == {f.id: message}, name
    assert f.id not in result.cleaned


def test_declaration_records_version_and_time() -> None:
    result = v.validate_form([DECLARATION], {"isian": ["ya"]}, now=NOW)
    assert result.cleaned["isian"] == {
        "accepted": True,
        "statement_version": "v7",
        "accepted_at": NOW.isoformat(),
    }


def test_timestamp_is_the_submit_time_whatever_was_sent() -> None:
    result = v.validate_form([TIMESTAMP], {"isian": ["1999-01-01"]}, now=NOW)
    assert result.cleaned == {"isian": NOW.isoformat()}


def test_file_fields_are_left_to_the_upload_checks() -> None:
    ktp = field(type="file", accept=["jpg"], max_size="2MB")
    assert v.validate_form([ktp], {"isian": ["x"]}, now=NOW).cleaned == {}


def test_entered_values_are_kept_next_to_errors() -> None:
    fields = [
        field(type="text", id="nama"),
        field(type="phone", id="hp"),
        field(type="email", id="surel"),
        CHOICE,
    ]
    raw = {"nama": ["Siti"], "hp": ["0812"], "surel": ["bukan email"], "isian": ["keluarga"]}
    result = v.validate_form(fields, raw, now=NOW)
    assert set(result.errors) == {"hp", "surel"}
    assert result.kept == {
        "nama": "Siti",
        "hp": "0812",
        "surel": "bukan email",
        "isian": "keluarga",
    }


def test_unknown_submitted_keys_are_ignored() -> None:
    result = v.validate_form([TEXT], {"isian": ["a"], "lain": ["b"]}, now=NOW)
    assert result.cleaned == {"isian": "a"}


# --- which form the intake serves ------------------------------------------------------------


def test_exactly_one_form_step_is_served() -> None:
    from pathlib import Path

    from adapters.intake.form_fields import FormDefinitionError, public_form
    from process_definitions.loader import load_definition

    root = Path(__file__).resolve().parents[2]
    definition = load_definition(
        root / "process_definitions/layanan_informasi_integrasi/process.yaml"
    )
    form = public_form(definition.definition)
    assert [f.id for f in form.file_fields] == ["foto_ktp"]
    assert form.lookup_field is not None and form.lookup_field.type == "phone"
    assert "waktu_pengisian" not in [f.id for f in form.inputs]
    assert form.channels_text() == "email dan WhatsApp"

    steps = definition.definition.steps
    no_form = definition.definition.model_copy(
        update={"steps": [s for s in steps if not isinstance(s, m.FormStep)]}
    )
    with pytest.raises(FormDefinitionError, match="0 form steps"):
        public_form(no_form)
    form_step = next(s for s in steps if isinstance(s, m.FormStep))
    two_forms = definition.definition.model_copy(
        update={"steps": [*steps, form_step.model_copy(update={"id": "isi_lagi"})]}
    )
    with pytest.raises(FormDefinitionError, match="2 form steps"):
        public_form(two_forms)
    png_only = form_step.model_copy(
        update={"fields": [field(type="file", accept=["png"], max_size="1MB")]}
    )
    with pytest.raises(FormDefinitionError, match="jpg and pdf"):
        public_form(
            definition.definition.model_copy(
                update={"steps": [png_only if s is form_step else s for s in steps]}
            )
        )
