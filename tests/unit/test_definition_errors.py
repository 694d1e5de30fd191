"""Invalid definitions: each mutation of a valid definition gives its own error and hint."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from process_definitions.loader import DefinitionErrors, load_definition_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "definitions"
VALID = (FIXTURES / "izin_kunjungan.yaml").read_text(encoding="utf-8")
TEMPLATES = FIXTURES / "templates"


def mutate(*replacements: tuple[str, str]) -> str:
    text = VALID
    for old, new in replacements:
        assert old in text, f"fixture lacks {old!r}"
        text = text.replace(old, new, 1)
    return text


# (case id, definition text, expected message fragment, expected hint fragment or None,
#  expected step id or None)
CASES = [
    (
        "misspelt next",
        mutate(("next: periksa", "next: periksaa")),
        "goes to `periksaa`: no such step",
        "did you mean `periksa`?",
        "ajukan",
    ),
    (
        "misspelt branch target",
        mutate(("to: kabari}", "to: kabar}")),
        "goes to `kabar`: no such step",
        "did you mean `kabari`?",
        "cabang",
    ),
    (
        "misspelt default",
        mutate(("default: selesai_ditolak", "default: selesai_ditolk")),
        "goes to `selesai_ditolk`",
        "did you mean `selesai_ditolak`?",
        "cabang",
    ),
    (
        "gateway without default",
        mutate(("    default: selesai_ditolak\n", "")),
        "gateway has no default branch",
        "add `default: <step id>`",
        "cabang",
    ),
    (
        "duplicate step id",
        mutate(("id: selesai_ditolak", "id: selesai_disetujui")),
        "duplicate step id `selesai_disetujui`",
        "give every step its own id",
        "selesai_disetujui",
    ),
    (
        "unknown lane",
        mutate(("lane: petugas\n    budget: 2m", "lane: petugass\n    budget: 2m")),
        "unknown lane `petugass`",
        "did you mean `petugas`?",
        "periksa",
    ),
    (
        "unparsable budget",
        mutate(("budget: 5m", "budget: lima menit")),
        "`lima menit` is not a duration",
        "write a duration like `1m`",
        "ajukan",
    ),
    (
        "zero budget",
        mutate(("budget: 5m", "budget: 0m")),
        "not a positive duration",
        "write a duration",
        "ajukan",
    ),
    (
        "unknown field type",
        mutate(("type: email}", "type: emial}")),
        "unknown type `emial`",
        "did you mean `email`?",
        "ajukan",
    ),
    (
        "unknown step kind",
        mutate(("kind: user_task", "kind: usertask")),
        "unknown kind `usertask`",
        "did you mean `user_task`?",
        "periksa",
    ),
    (
        "unknown key in a step",
        mutate(("budget: 2m", "budgte: 2m")),
        "unknown key `budgte`",
        "did you mean `budget`?",
        "periksa",
    ),
    (
        "unreachable step",
        mutate(("to: kabari}", "to: selesai_disetujui}")),
        "unreachable",
        "reference it from another step",
        "kabari",
    ),
    (
        "no way to an end",
        mutate(
            (
                "kind: end\n    name: Izin diberikan",
                "kind: public_action\n    name: Izin diberikan",
            ),
            ("outcome: disetujui", "next: kabari"),
        ),
        "no way from this step to an `end` step",
        "make every path finish",
        "kabari",
    ),
    (
        "unknown template",
        mutate(("template: hasil_kunjungan", "template: hasil_kunjugan")),
        "unknown template `hasil_kunjugan`",
        "did you mean `hasil_kunjungan`?",
        "kabari",
    ),
    (
        "template lacks a channel file",
        mutate(("channels: [email]", "channels: [email, whatsapp]")),
        "has no `whatsapp.txt.j2` for channel `whatsapp`",
        "create ",
        "kabari",
    ),
    (
        "condition names an input nobody produces",
        mutate(("when: \"hasil == 'setuju'\"", "when: \"hasill == 'setuju'\"")),
        "condition names `hasill`, which no step before this gateway produces",
        "did you mean `hasil`?",
        "cabang",
    ),
    (
        "condition calls a function",
        mutate(("when: \"hasil == 'setuju'\"", "when: \"open('x') == 'setuju'\"")),
        "refused construct (Call)",
        "function calls are not allowed",
        "cabang",
    ),
    (
        "condition reaches an attribute",
        mutate(("when: \"hasil == 'setuju'\"", "when: \"hasil.__class__ == 'setuju'\"")),
        "refused construct (Attribute)",
        "attribute access",
        "cabang",
    ),
    (
        "condition does not parse",
        mutate(("when: \"hasil == 'setuju'\"", "when: \"hasil === 'setuju'\"")),
        "does not parse",
        "write e.g.",
        "cabang",
    ),
    (
        "recipient field of the wrong type",
        mutate(("recipients: {email: email}", "recipients: {email: nama}")),
        "`email` goes to `nama`, a text field",
        "point it at a field of type `email`",
        "kabari",
    ),
    (
        "recipient field that does not exist",
        mutate(("recipients: {email: email}", "recipients: {email: emali}")),
        "recipient field `emali` is not a field of an earlier form",
        "did you mean `email`?",
        "kabari",
    ),
    (
        "user task in a public lane",
        mutate(("lane: petugas\n    budget: 2m", "lane: publik\n    budget: 2m")),
        "not an operator lane",
        "use a lane of kind `operator`",
        "periksa",
    ),
    (
        "duplicate YAML key",
        mutate(("    budget: 1m\n", "    budget: 1m\n    budget: 2m\n")),
        "duplicate key `budget`",
        "remove one of them",
        None,
    ),
    (
        "file size unparsable",
        mutate(
            (
                "      - {id: nama, label: Nama, type: text}",
                "      - {id: nama, label: Nama, type: text}\n"
                "      - {id: ktp, label: KTP, type: file, accept: [jpg], max_size: dua MB}",
            )
        ),
        "`dua MB` is not a size",
        "write a size like",
        "ajukan",
    ),
    (
        "duplicate variable",
        mutate(("- {id: nip, label: NIP petugas", "- {id: nama, label: NIP petugas")),
        "`nama` is already defined by step `ajukan`",
        "must be unique",
        "periksa",
    ),
    (
        "no end step",
        mutate(
            ("    next: selesai_disetujui\n", "    next: periksa\n"),
            ("kind: end\n    name: Izin ditolak", "kind: public_action\n    name: Izin ditolak"),
            ("outcome: ditolak", "next: ajukan"),
            (
                "kind: end\n    name: Izin diberikan",
                "kind: public_action\n    name: Izin diberikan",
            ),
            ("outcome: disetujui", "next: ajukan"),
        ),
        "no `end` step",
        "add a step with `kind: end`",
        None,
    ),
    (
        "YAML syntax error",
        mutate(("lanes:\n", "lanes: [\n")),
        "YAML syntax",
        None,
        None,
    ),
    (
        "preview of a step that does not notify",
        mutate(
            (
                "    budget: 2m\n    inputs:",
                "    budget: 2m\n    preview: {step: cabangg}\n    inputs:",
            )
        ),
        "preview shows `cabangg`, which is not a notify step",
        None,
        "periksa",
    ),
    (
        "preview shows a value the message has no context for",
        mutate(
            (
                "    budget: 2m\n    inputs:",
                "    budget: 2m\n    preview: {step: kabari, show: [applicant_nama]}\n    inputs:",
            )
        ),
        "preview shows `applicant_nama`",
        "did you mean `applicant_name`?",
        "periksa",
    ),
    (
        "manual match of a choice without a candidate list",
        mutate(
            (
                "      - {id: nip, label: NIP petugas, type: operator}",
                "      - {id: nomor, label: Nomor, type: text,\n"
                "         manual_match: {choice: hasil, option: setuju}}\n"
                "      - {id: nip, label: NIP petugas, type: operator}",
            )
        ),
        "manual_match names `hasil`: no choice with `options_from` here",
        None,
        "periksa",
    ),
    (
        "version not a number",
        mutate(("version: 3", "version: tiga")),
        "`version`",
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("text", "message", "hint", "step"),
    [pytest.param(text, message, hint, step, id=name) for name, text, message, hint, step in CASES],
)
def test_invalid_definition_is_reported(
    text: str, message: str, hint: str | None, step: str | None
) -> None:
    with pytest.raises(DefinitionErrors) as caught:
        load_definition_text(text, source="case.yaml", templates_dir=TEMPLATES)
    matching = [error for error in caught.value.errors if message in error.message]
    assert matching, f"no error mentions {message!r}: {caught.value}"
    error = matching[0]
    if hint is not None:
        assert error.hint is not None and hint in error.hint, str(error)
    if step is not None:
        assert error.step == step, str(error)
    assert re.match(r"^case\.yaml:\d+:\d+: ", str(error)), str(error)
    assert error.line > 1 or message == "YAML syntax"


def test_position_points_at_the_offending_value() -> None:
    text = mutate(("next: periksa", "next: periksaa"))
    with pytest.raises(DefinitionErrors) as caught:
        load_definition_text(text, source="case.yaml", templates_dir=TEMPLATES)
    (error,) = caught.value.errors
    line = text.splitlines()[error.line - 1]
    assert line[error.column - 1 :].startswith("periksaa"), (line, error.column)


def test_every_error_of_a_file_is_reported() -> None:
    text = mutate(("next: periksa", "next: periksaa"), ("budget: 2m", "budget: dua"))
    with pytest.raises(DefinitionErrors) as caught:
        load_definition_text(text, source="case.yaml", templates_dir=TEMPLATES)
    assert len(caught.value.errors) >= 1
    text = mutate(
        ("lane: petugas\n    budget: 2m", "lane: x\n    budget: 2m"), ("to: kabari}", "to: y}")
    )
    with pytest.raises(DefinitionErrors) as caught:
        load_definition_text(text, source="case.yaml", templates_dir=TEMPLATES)
    assert len(caught.value.errors) == 2


def test_the_valid_fixture_loads() -> None:
    loaded = load_definition_text(VALID, source="ok.yaml", templates_dir=TEMPLATES)
    assert loaded.definition.id == "izin-kunjungan"
