"""Issue 15 #3 and #9: names quoted in official messages are names; invisible text is gone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter

from adapters.intake import form_validation as v
from adapters.intake import person_names as n
from process_definitions import model as m

NOW = datetime(2026, 3, 5, 2, 4, tzinfo=UTC)
NAME = TypeAdapter(m.FieldDefinition).validate_python(
    {"id": "nama", "label": "Nama", "type": "text", "format": "person_name", "max_length": 120}
)
TEXT = TypeAdapter(m.FieldDefinition).validate_python(
    {"id": "isian", "label": "Isian", "type": "text"}
)
AREA = TypeAdapter(m.FieldDefinition).validate_python(
    {"id": "alamat", "label": "Alamat", "type": "textarea"}
)

GOOD = [
    ("Siti Aminah", "Siti Aminah"),
    ("Andi bin Ali", "Andi bin Ali"),
    ("Dewi binti Suparman alias Wiwik", "Dewi binti Suparman alias Wiwik"),
    ("Drs. H. Moh. Yusuf, S.H.", "Drs. H. Moh. Yusuf, S.H."),
    ("Siti Aminah Ṣāliḥ", "Siti Aminah Ṣāliḥ"),
    ("Jean-Pierre O’Neil", "Jean-Pierre O'Neil"),
    ("Ｓｉｔｉ　Ａｍｉｎａｈ", "Siti Aminah"),  # fullwidth, NFKC
    ("Sukarno", "Sukarno"),  # one name
    ("Ni Luh Putu Ayu", "Ni Luh Putu Ayu"),
]

BAD = [
    (  # the text, verbatim
        "PENTING: biaya verifikasi Rp250.000 wajib ditransfer ke BRI 0123456789",
        n.NAME_DIGITS,
    ),
    ("PENTING biaya verifikasi wajib ditransfer ke BRI", n.NAME_LINK),
    ("Budi Rp lima ratus ribu", n.NAME_LINK),
    ("Budi hubungi wa.me", n.NAME_LINK),
    ("Budi bit.ly", n.NAME_LINK),
    ("Budi www", n.NAME_LINK),
    ("budi@example.com", n.NAME_LINK),
    ("Budi @ Siti", n.NAME_SYMBOLS),
    ("Budi / Admin", n.NAME_SYMBOLS),
    ("Budi <b>", n.NAME_SYMBOLS),
    ("Andi 2", n.NAME_DIGITS),
    ("Аndi Wijaya", n.NAME_SCRIPT),  # Cyrillic А: a homoglyph
    ("Andi Wijаya", n.NAME_SCRIPT),  # mixed script inside a word
    ("安迪", n.NAME_SCRIPT),
    ("..", n.NAME_LETTERS),
    ("a", n.NAME_LETTERS),
    (" ".join(["Nama"] * 13), n.NAME_WORDS.format(max=n.MAX_WORDS)),
]


@pytest.mark.parametrize(("raw", "clean"), GOOD, ids=[g[0] for g in GOOD])
def test_names_people_have_are_accepted(raw: str, clean: str) -> None:
    result = v.validate_form([NAME], {"nama": [raw]}, now=NOW)
    assert result.errors == {}
    assert result.cleaned["nama"] == clean


@pytest.mark.parametrize(("raw", "message"), BAD, ids=[b[0][:30] for b in BAD])
def test_what_is_not_a_name_is_refused_with_its_reason(raw: str, message: str) -> None:
    result = v.validate_form([NAME], {"nama": [raw]}, now=NOW)
    assert result.errors == {"nama": message}
    assert "nama" not in result.cleaned


@pytest.mark.parametrize("field", [NAME, TEXT, AREA], ids=["name", "text", "textarea"])
def test_a_required_field_of_zero_width_spaces_is_empty(field: m.FieldDefinition) -> None:
    result = v.validate_form([field], {field.id: ["\u200b\u200b\u200b"]}, now=NOW)
    assert result.errors == {field.id: v.REQUIRED}


@pytest.mark.parametrize("field", [NAME, TEXT, AREA], ids=["name", "text", "textarea"])
def test_format_characters_are_removed(field: m.FieldDefinition) -> None:
    raw = "\ufeffSiti\u200b Ami\u202enah\u00ad"  # BOM, ZWSP, RTL override, soft hyphen
    result = v.validate_form([field], {field.id: [raw]}, now=NOW)
    assert result.errors == {}
    assert result.cleaned[field.id] == "Siti Aminah"


def test_plain_text_fields_keep_digits_and_symbols() -> None:
    result = v.validate_form([AREA], {"alamat": ["Jl. Mawar No. 1/2, RT 003"]}, now=NOW)
    assert result.cleaned["alamat"] == "Jl. Mawar No. 1/2, RT 003"
