"""Start and stop a local Prefect server as a child process (tests, `sopflow serve`).

Binds to 127.0.0.1 only. The database is SQLite under the given home unless a PostgreSQL URL is
given (`postgresql+asyncpg://…`), which is what several concurrent runs need.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from adapters.process_group import stop_process_group


class LocalPrefectError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalPrefect:
    port: int
    home: Path
    process: subprocess.Popen[bytes]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, timeout: float = 20) -> None:
        stop_process_group(self.process, timeout)


def server_environment(home: Path, port: int, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_API_HOST="127.0.0.1",
        PREFECT_SERVER_API_PORT=str(port),
        PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT="false",
        PREFECT_LOGGING_SERVER_LEVEL=os.environ.get("SOPFLOW_PREFECT_SERVER_LOG_LEVEL", "WARNING"),
    )
    if database_url:
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = database_url
    return env


def start_local_prefect(
    home: Path, *, port: int | None = None, database_url: str | None = None, timeout: float = 120
) -> LocalPrefect:
    home.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log = (home / "server.log").open("ab")
    prefect_bin = Path(sys.executable).parent / "prefect"
    process = subprocess.Popen(  # noqa: S603
        [str(prefect_bin), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=server_environment(home, port, database_url),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = LocalPrefect(port=port, home=home, process=process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LocalPrefectError(f"Prefect server exited early; see {home / 'server.log'}")
        try:
            if httpx.get(f"{server.api_url}/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.stop()
    raise LocalPrefectError(f"Prefect server did not answer within {timeout:.0f}s")


@contextmanager
def running_local_prefect(
    home: Path, *, port: int | None = None, database_url: str | None = None
) -> Iterator[LocalPrefect]:
    server = start_local_prefect(home, port=port, database_url=database_url)
    try:
        yield server
    finally:
        server.stop()
