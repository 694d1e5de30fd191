"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# A Prefect server a test starts on its own (an ephemeral one, when no API URL is set) sends
# no telemetry: only loopback traffic here. Set before anything reads Prefect's settings.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from adapters.db.engine import make_engine
from adapters.db.migrate import upgrade
from adapters.settings import get_settings
from tests.support.case_day import DAY_START, BuiltCase, day_of_cases, sop
from tests.support.databases import temporary_postgres_database

REPO_ROOT = Path(__file__).resolve().parent.parent

# One audit key for the whole test run: tests write audit entries under one data dir and verify
# them under another (an installation keeps one key; tests/integration/test_audit_keyed.py
# covers the key file itself). Subprocesses (sopflow serve) inherit it.
os.environ.setdefault("SOPFLOW_AUDIT_KEY", "sopflow-test-run-audit-key-0123456789abcdef")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'sopflow.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with temporary_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Runs a test once on SQLite and once on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'sopflow.db'}"
    else:
        with temporary_postgres_database() as url:
            yield url


def _migrated_engine(url: str) -> Iterator[Engine]:
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def migrated_engine(database_url: str) -> Iterator[Engine]:
    yield from _migrated_engine(database_url)


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    """A migrated engine on SQLite only (for what is about SQLite itself, e.g. its locks)."""
    yield from _migrated_engine(sqlite_url)


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> Iterator[CliRunner]:
    """A CLI runner whose settings point at this test's database and data dir."""
    monkeypatch.setenv("SOPFLOW_DATABASE_URL", database_url)
    monkeypatch.setenv("SOPFLOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOPFLOW_INTAKE_TIMEZONE", "Asia/Jakarta")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture
def day_cases(migrated_engine: Engine) -> dict[str, BuiltCase]:
    """A day of cases of both branches (tests/support/case_day.py), times fixed."""
    return day_of_cases(migrated_engine, sop(), DAY_START)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Bounded last drain of Prefect's client workers: never hang the run at exit."""
    from tests.support.prefect_clients import drain_prefect_clients

    drain_prefect_clients(timeout=5)
