"""load_checked_definitions: every SOP folder, checked against the actions registered (generic
and the folder's own actions.py) and the roster in use; one message for validate/serve/deploy."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.app import app
from adapters.definition_check import load_checked_definitions
from adapters.service_actions import build_registry
from adapters.settings import Settings, get_settings
from process_definitions.actions import ActionContext
from process_definitions.loader import DefinitionErrors

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "definitions"
ROSTER = 'petugas:\n  - {nip: "199505052019031005", name: Petugas Uji}\n'

SERVICE_STEP = """\
  - id: beri_nomor
    sop_step: 2
    kind: service
    name: Sistem memberi nomor tiket
    lane: petugas
    action: kunjungan.nomor_tiket
    params: {nama: nama}
    next: periksa
"""
PLUGIN = """\
from process_definitions.actions import ActionContext, ActionRegistry, ActionResult

from .tiket import nomor


def register(registry: ActionRegistry) -> None:
    @registry.action(
        "kunjungan.nomor_tiket",
        description="A ticket number for the visit.",
        required=("nama",),
        produces=("tiket",),
    )
    def nomor_tiket(context: ActionContext) -> ActionResult:
        return ActionResult({"tiket": nomor(context.today)}, "tiket dibuat")
"""


def sop_folder(root: Path, name: str = "izin", *, plugin: bool = False) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    shutil.copytree(FIXTURES / "templates", folder / "templates")
    text = (FIXTURES / "izin_kunjungan.yaml").read_text(encoding="utf-8")
    if plugin:
        text = text.replace("    next: periksa\n", "    next: beri_nomor\n", 1)
        text = text.replace("  - id: periksa\n", SERVICE_STEP + "  - id: periksa\n", 1)
        (folder / "actions.py").write_text(PLUGIN, encoding="utf-8")
        (folder / "tiket.py").write_text(
            "def nomor(today):\n    return f'T-{today:%Y%m%d}'\n", encoding="utf-8"
        )
    (folder / "process.yaml").write_text(text, encoding="utf-8")
    return folder


def settings(root: Path, roster: str = ROSTER) -> Settings:
    (root / "roster.yaml").write_text(roster, encoding="utf-8")
    return Settings(
        data_dir=root / "var", definitions_dir=root / "defs", roster_file=root / "roster.yaml"
    )


def test_a_folder_of_sops_is_checked_with_the_roster_in_use(tmp_path: Path) -> None:
    sop_folder(tmp_path / "defs")
    (loaded,) = load_checked_definitions(settings(tmp_path))
    assert loaded.definition.id == "izin-kunjungan"
    with pytest.raises(DefinitionErrors) as caught:
        load_checked_definitions(settings(tmp_path, roster="lain: []\n"))
    message = str(caught.value)
    assert "operator lane `petugas` has no operator in the roster" in message
    assert str(tmp_path / "defs" / "izin" / "process.yaml") + ":" in message


def test_a_sop_folder_registers_its_own_action(tmp_path: Path) -> None:
    sop_folder(tmp_path / "defs", plugin=True)
    (loaded,) = load_checked_definitions(settings(tmp_path))
    assert set(loaded.actions) == {"kunjungan.nomor_tiket"}
    registry = build_registry(tmp_path / "defs")
    context = ActionContext(params={"nama": "x"}, variables={}, sdp=None, today=date(2026, 1, 2))
    assert registry.run("kunjungan.nomor_tiket", context).outputs == {"tiket": "T-20260102"}


def test_action_parameters_are_checked_against_the_folder_s_action(tmp_path: Path) -> None:
    folder = sop_folder(tmp_path / "defs", plugin=True)
    path = folder / "process.yaml"
    path.write_text(path.read_text().replace("params: {nama: nama}", "params: {name: nama}"))
    with pytest.raises(DefinitionErrors) as caught:
        load_checked_definitions(settings(tmp_path))
    assert "action `kunjungan.nomor_tiket` has no parameter `name`" in str(caught.value)
    assert "did you mean `nama`?" in str(caught.value)


def test_two_sops_with_one_id_and_an_empty_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(
        DefinitionErrors, match=r"no definition: expected <sop folder>/process\.yaml"
    ):
        load_checked_definitions(settings(tmp_path))
    sop_folder(tmp_path / "defs", "izin")
    sop_folder(tmp_path / "defs", "izin_lagi")
    with pytest.raises(DefinitionErrors, match="definition id `izin-kunjungan` is also used by"):
        load_checked_definitions(settings(tmp_path))


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_validate_without_arguments_checks_the_whole_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    sop_folder(tmp_path / "defs")
    settings(tmp_path, roster="lain: []\n")
    monkeypatch.setenv("SOPFLOW_DEFINITIONS_DIR", str(tmp_path / "defs"))
    monkeypatch.setenv("SOPFLOW_ROSTER_FILE", str(tmp_path / "roster.yaml"))
    monkeypatch.setenv("SOPFLOW_DATA_DIR", str(tmp_path / "var"))
    result = CliRunner().invoke(app, ["validate"])
    assert result.exit_code == 1
    assert "operator lane `petugas` has no operator in the roster" in result.output
    (tmp_path / "roster.yaml").write_text(ROSTER, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert "izin/process.yaml: OK" in result.output


def test_a_broken_office_file_is_refused_before_any_case_runs(tmp_path: Path) -> None:
    sop_folder(tmp_path / "defs")
    (tmp_path / "office.yaml").write_text("telepon: 1\n", encoding="utf-8")
    current = settings(tmp_path).model_copy(update={"office_file": tmp_path / "office.yaml"})
    with pytest.raises(DefinitionErrors, match=r"office\.yaml"):
        load_checked_definitions(current)
