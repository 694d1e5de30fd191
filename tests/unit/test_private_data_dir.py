"""Issue 15 #4: the data dir and everything in it are private to the service user."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.settings import Settings


@pytest.fixture(autouse=True)
def restore_umask() -> Iterator[None]:
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_older_world_readable_data_dir_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "var"
    (data / "s3").mkdir(parents=True)
    (data / "logs").mkdir()
    files = [data / "sopflow.db", data / "sopflow.db-wal", data / "s3" / "mini.options",
             data / "logs" / "intake.log"]  # fmt: skip
    for path in files:
        path.write_text("x")
        path.chmod(0o644)
    data.chmod(0o755)

    Settings(data_dir=data).ensure_data_dir()

    assert mode(data) == 0o700 and mode(data / "s3") == 0o700 and mode(data / "logs") == 0o700
    assert [mode(path) for path in files] == [0o600] * len(files)


def test_what_is_created_afterwards_is_private_from_creation(tmp_path: Path) -> None:
    data = Settings(data_dir=tmp_path / "fresh").ensure_data_dir()
    assert mode(data) == 0o700
    db = data / "cases.db"
    connection = sqlite3.connect(db)  # SQLite creates the file (and its WAL) itself
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (x)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    (data / "outbox").mkdir()
    (data / "outbox" / "message.json").write_text("{}")
    try:
        assert mode(db) == 0o600 and mode(Path(f"{db}-wal")) == 0o600
        assert mode(data / "outbox") == 0o700 and mode(data / "outbox" / "message.json") == 0o600
    finally:
        connection.close()


def test_a_sqlite_database_outside_the_data_dir_is_tightened(tmp_path: Path) -> None:
    db = tmp_path / "elsewhere.db"
    db.write_text("")
    db.chmod(0o644)
    Settings(data_dir=tmp_path / "var", database_url=f"sqlite:///{db}").ensure_data_dir()
    assert mode(db) == 0o600
