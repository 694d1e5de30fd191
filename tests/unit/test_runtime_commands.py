"""`deploy` and `runner` talk to the running service's Prefect or refuse in one line: never a
temporary server; and they refuse a definition that fails validation with validate's message."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.app import app
from adapters.settings import get_settings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in ("PREFECT_API_URL", "SOPFLOW_DATABASE_URL", "SOPFLOW_DEFINITIONS_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SOPFLOW_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.mark.parametrize("command", ["deploy", "runner"])
def test_without_a_running_prefect_it_refuses_in_one_line(env: Path, command: str) -> None:
    result = CliRunner().invoke(app, [command])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "no Prefect server" in lines[0] and "sopflow serve" in lines[0]
    assert not (env / "var" / "prefect").exists()  # no temporary server was set up


@pytest.mark.parametrize("command", ["deploy", "runner"])
def test_a_recorded_but_dead_prefect_is_named(env: Path, command: str) -> None:
    (env / "var").mkdir()
    (env / "var" / "urls.json").write_text(json.dumps({"prefect_api": "http://127.0.0.1:9/api"}))
    result = CliRunner().invoke(app, [command])
    assert result.exit_code == 1
    assert "http://127.0.0.1:9/api" in result.output and "does not answer" in result.output


@pytest.mark.parametrize("command", ["deploy", "runner", "validate"])
def test_a_definition_validate_refuses_is_refused_the_same_way(
    env: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = env / "definitions"
    shutil.copytree(REPO / "process_definitions" / "layanan_informasi_integrasi", folder / "sop")
    process = folder / "sop" / "process.yaml"
    process.write_text(
        process.read_text().replace("'tidak_sesuai'", "'tidak_sesuia'"), encoding="utf-8"
    )
    monkeypatch.setenv("SOPFLOW_DEFINITIONS_DIR", str(folder))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, [command])
    assert result.exit_code == 1
    assert "tidak_sesuia" in result.output and "process.yaml:" in result.output
    assert "did you mean `tidak_sesuai`" in result.output
