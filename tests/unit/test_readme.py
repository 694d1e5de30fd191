"""The README stays true: its two commands, its diagram (drawn from the YAML), its settings."""

from __future__ import annotations

import re
from pathlib import Path

from adapters.settings import Settings
from process_definitions import model as m
from process_definitions.diagram_mermaid import to_mermaid
from process_definitions.loader import load_definition

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_starts_with_the_run_and_test_commands() -> None:
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0]
    assert first_block.splitlines()[0].startswith("make run")
    assert first_block.splitlines()[1].startswith("make test")
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_the_diagram_is_the_one_drawn_from_the_yaml() -> None:
    block = README.split("```mermaid\n", 1)[1].split("```", 1)[0]
    sop = load_definition(
        REPO / "process_definitions" / "layanan_informasi_integrasi" / "process.yaml"
    )
    assert block == to_mermaid(sop.definition), "run: sopflow diagram ... --format mermaid"


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"`(SOPFLOW_[A-Z0-9_]+)`", README))
    expected = {f"SOPFLOW_{name.upper()}" for name in Settings.model_fields}
    assert expected <= documented, sorted(expected - documented)


def test_adding_a_sop_shows_the_fixture_it_names() -> None:
    section = README.split("## Adding a SOP", 1)[1].split("\n## ", 1)[0]
    fixture = REPO / "tests" / "fixtures" / "definitions" / "pengaduan_layanan"
    assert "tests/fixtures/definitions/pengaduan_layanan/" in section
    for path in ("process.yaml", "roster.yaml", "templates/pengaduan_ditolak/whatsapp.txt.j2"):
        assert (fixture / path).is_file()
    for name in ("email.subject.j2", "email.html.j2", "whatsapp.txt.j2", "roster.yaml"):
        assert name in section
    loaded = load_definition(fixture / "process.yaml").definition
    shown = loaded.step("kabar_ditolak")
    assert isinstance(shown, m.NotifyStep)
    assert f"context: {{{', '.join(f'{k}: {v}' for k, v in shown.context.items())}}}" in section
    assert f"`{loaded.reference_prefix}`" in section and f"/{loaded.id}/" in section
