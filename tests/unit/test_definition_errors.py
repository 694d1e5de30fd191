"""Invalid definitions: each mutation of a valid definition gives its own error and hint."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from adapters.service_actions import build_registry
from process_definitions.loader import DefinitionErrors, RosterLanes, load_definition_text

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "definitions"
VALID = (FIXTURES / "izin_kunjungan.yaml").read_text(encoding="utf-8")
TEMPLATES = FIXTURES / "templates"
SOP_FOLDER = REPO / "process_definitions" / "layanan_informasi_integrasi"
SOP = (SOP_FOLDER / "process.yaml").read_text(encoding="utf-8")
ACTIONS = build_registry(REPO / "process_definitions").specs()
ROSTER = RosterLanes("roster.yaml", frozenset({"petugas", "operator_divpas", "operator_integrasi"}))


class Sop(str):
    """A mutated integrasi definition (checked with its own templates folder)."""


def mutate(*replacements: tuple[str, str], base: str = VALID) -> str:
    text = base
    for old, new in replacements:
        assert old in text, f"fixture lacks {old!r}"
        text = text.replace(old, new, 1)
    return text


def sop(*replacements: tuple[str, str]) -> Sop:
    return Sop(mutate(*replacements, base=SOP))


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
        "`email` goes to `nama`, a field of type `text`",
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
    # --- what a run needs (issue 12.3) ---
    (
        "operator lane without operators in the roster",
        mutate(("lanes:\n", "lanes:\n  pengawas: {name: Pengawas, kind: operator}\n")),
        "operator lane `pengawas` has no operator in the roster roster.yaml",
        "add `pengawas:`",
        None,
    ),
    (
        "condition literal misspelt",
        sop(("persetujuan == 'tidak_sesuai'", "persetujuan == 'tidak_sesuia'")),
        "`persetujuan` is compared with 'tidak_sesuia', which is not one of its values",
        "did you mean `tidak_sesuai`?",
        "cek_persetujuan",
    ),
    (
        "choice option renamed, condition not",
        sop(("{value: tidak_sesuai, label", "{value: tidak_sesuai2, label")),
        "`persetujuan` is compared with 'tidak_sesuai', which is not one of its values",
        "did you mean `tidak_sesuai2`?",
        "cek_persetujuan",
    ),
    (
        "condition literal not an option nor a candidate key",
        sop(("keputusan == 'tidak_ditemukan'", "keputusan == 'K0'")),
        "`keputusan` is compared with 'K0'",
        "values of `keputusan`: `manual`, `tidak_ditemukan` or a candidate key",
        "hasil_verifikasi",
    ),
    (
        "form choice literal misspelt",
        mutate(("hasil == 'setuju'", "hasil == 'setju'")),
        "`hasil` is compared with 'setju'",
        "did you mean `setuju`?",
        "cabang",
    ),
    (
        "notify channel without its template",
        mutate(
            ("channels: [email]", "channels: [email, sms]"),
            ("{email: email}", "{email: email, sms: email}"),
        ),
        "template `hasil_kunjungan` has no `sms.txt.j2` for channel `sms`",
        "create ",
        "kabari",
    ),
    (
        "template variable not in context",
        mutate(("context: {applicant_name: nama}", "context: {nama_pemohon: nama}")),
        "template hasil_kunjungan/email.txt.j2 uses `applicant_name`",
        "under `context`",
        "kabari",
    ),
    (
        "template variable misspelt",
        sop(("      upt_name: draft.upt_name\n", "      upt_nama: draft.upt_name\n")),
        "uses `upt_name`, which neither `context` nor the standard variables give",
        "did you mean `upt_nama`?",
        "kirim_informasi",
    ),
    (
        "context shadows a standard variable",
        mutate(
            ("context: {applicant_name: nama}", "context: {applicant_name: nama, reference: nama}")
        ),
        "template variable `reference` is a standard variable",
        "another name",
        "kabari",
    ),
    (
        "whatsapp recipient is an email field",
        sop(("whatsapp: telepon_pemohon}", "whatsapp: email_pemohon}")),
        "`whatsapp` goes to `email_pemohon`, a field of type `email`",
        "point it at a field of type `phone`",
        "kabar_tidak_ditemukan",
    ),
    (
        "action parameter names no field",
        sop(("name: nama_narapidana\n", "name: nama_narapidan\n")),
        "parameter `name` reads `nama_narapidan`, which no earlier step produces",
        "did you mean `nama_narapidana`?",
        "cari_sdp",
    ),
    (
        "action has no such parameter",
        sop(("upt: upt_narapidana", "lapas: upt_narapidana")),
        "action `sdp.search` has no parameter `lapas`",
        "parameters: born, name, upt",
        "cari_sdp",
    ),
    (
        "unknown action",
        sop(("action: sdp.search", "action: sdp.serch")),
        "unknown service action `sdp.serch`",
        "did you mean `sdp.search`?",
        "cari_sdp",
    ),
    (
        "step with no way to an end",
        mutate(
            ("default: selesai_ditolak", "default: periksa"),
            ("next: selesai_disetujui", "next: periksa"),
        ),
        "no way from this step to an `end` step",
        "make every path finish at a step with `kind: end`",
        "ajukan",
    ),
]


@pytest.mark.parametrize(
    ("text", "message", "hint", "step"),
    [pytest.param(text, message, hint, step, id=name) for name, text, message, hint, step in CASES],
)
def test_invalid_definition_is_reported(
    text: str, message: str, hint: str | None, step: str | None
) -> None:
    templates = SOP_FOLDER / "templates" if isinstance(text, Sop) else TEMPLATES
    with pytest.raises(DefinitionErrors) as caught:
        load_definition_text(
            text, source="case.yaml", templates_dir=templates, actions=ACTIONS, roster=ROSTER
        )
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


def test_the_valid_fixtures_load_with_every_check() -> None:
    loaded = load_definition_text(
        VALID, source="ok.yaml", templates_dir=TEMPLATES, actions=ACTIONS, roster=ROSTER
    )
    assert loaded.definition.id == "izin-kunjungan"
    loaded = load_definition_text(
        SOP,
        source="sop.yaml",
        templates_dir=SOP_FOLDER / "templates",
        actions=ACTIONS,
        roster=ROSTER,
    )
    assert set(loaded.actions) == {"sdp.search", "integrasi.draft_answer"}


def test_candidate_keys_are_values_of_a_keyed_choice() -> None:
    text = sop(("keputusan == 'tidak_ditemukan'", "keputusan == 'K1'"))
    load_definition_text(
        text,
        source="sop.yaml",
        templates_dir=SOP_FOLDER / "templates",
        actions=ACTIONS,
        roster=ROSTER,
    )


def test_a_template_reading_an_attribute_of_a_text_field_is_refused(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(SOP_FOLDER / "templates", templates)
    email = templates / "informasi_integrasi" / "email.txt.j2"
    text = email.read_text(encoding="utf-8")
    email.write_text(text.replace("{{ applicant_name }}", "{{ applicant_name.depan }}"), "utf-8")
    with pytest.raises(DefinitionErrors) as caught:
        load_definition_text(
            SOP, source="sop.yaml", templates_dir=templates, actions=ACTIONS, roster=ROSTER
        )
    (error,) = caught.value.errors
    assert error.step == "kirim_informasi"
    assert "reads `applicant_name.depan`, but `applicant_name` is the text `nama_pemohon`" in str(
        error
    )
    # method calls and loop variables are not attribute reads of a text
    email.write_text(text.replace("{{ applicant_name }}", "{{ applicant_name.upper() }}"), "utf-8")
    load_definition_text(
        SOP, source="sop.yaml", templates_dir=templates, actions=ACTIONS, roster=ROSTER
    )
