"""Read-only commands never create a database: run from another folder (default data dir
./var) or against an unreachable PostgreSQL, they say where they looked and exit 1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.app import app
from adapters.settings import get_settings

READ_ONLY = [
    ["audit", "verify"],
    ["report", "sla", "--from", "2026-11-27", "--to", "2026-11-27", "--format", "json"],
    ["report", "register", "--date", "2026-11-27"],
    ["export", "cases", "--from", "2026-11-27", "--to", "2026-11-27"],
    ["sdp", "search", "Budi Santoso"],
    ["sdp", "show", "B.I 1/2024"],
    ["purge", "--dry-run"],
]


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh folder as the working directory, settings at their defaults."""
    for name in ("SOPFLOW_DATABASE_URL", "SOPFLOW_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.mark.parametrize("args", READ_ONLY, ids=lambda a: " ".join(a[:2]))
def test_a_missing_sqlite_database_is_reported_not_created(
    elsewhere: Path, args: list[str]
) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    expected = elsewhere.resolve() / "var" / "sopflow.db"
    assert f"SQLite file {expected} does not exist" in result.output
    assert not expected.exists()
    assert not (elsewhere / "register-2026-11-27.pdf").exists()


@pytest.mark.parametrize("args", READ_ONLY[:5], ids=lambda a: " ".join(a[:2]))
def test_an_unreachable_postgresql_is_reported(
    elsewhere: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setenv("SOPFLOW_DATABASE_URL", "postgresql+psycopg://sopflow:geheim@127.0.0.1:1/x")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "cannot open the database at postgresql+psycopg://sopflow:***@127.0.0.1:1/x" in (
        result.output
    )
    assert "geheim" not in result.output
