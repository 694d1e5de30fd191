"""Start and stop a local Prefect server as child processes (tests, benchmarks, `sopflow serve`).

Binds to 127.0.0.1 only. The database is SQLite under the given home unless a PostgreSQL URL is
given (`postgresql+asyncpg://…`), which is what several concurrent runs need.

Scaling as Prefect documents it: `api_workers > 1` runs what `prefect server start --workers N`
runs (uvicorn with N worker processes over Prefect's app factory, no loop services in them) plus
one `prefect server services start` process, after one `prefect server database upgrade`.
Several processes need PostgreSQL, and Redis for messaging, the event cache, causal ordering and
lease storage (`prefect-redis`); `redis_url` (`redis://host:port/db`) turns that on.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from adapters.process_group import stop_process_group

HOST = "127.0.0.1"


class LocalPrefectError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class PrefectServerOptions:
    port: int
    database_url: str | None = None  # None: SQLite under home
    api_workers: int = 1
    redis_url: str | None = None

    def __post_init__(self) -> None:
        if self.api_workers < 1:
            raise LocalPrefectError("api_workers must be at least 1")
        if self.api_workers > 1 and not (self.database_url and self.redis_url):
            raise LocalPrefectError(
                "several Prefect API workers need PostgreSQL (database_url) and Redis (redis_url)"
            )

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def separate_services(self) -> bool:
        return self.api_workers > 1


def redis_environment(redis_url: str) -> dict[str, str]:
    """prefect-redis for every part Prefect keeps in memory by default."""
    return {
        "PREFECT_MESSAGING_BROKER": "prefect_redis.messaging",
        "PREFECT_MESSAGING_CACHE": "prefect_redis.messaging",
        "PREFECT_SERVER_EVENTS_CAUSAL_ORDERING": "prefect_redis.ordering",
        "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect_redis.lease_storage",
        "PREFECT_REDIS_MESSAGING_URL": redis_url,
    }


def server_environment(
    home: Path, port: int, database_url: str | None, redis_url: str | None = None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_API_HOST=HOST,
        PREFECT_SERVER_API_PORT=str(port),
        PREFECT_API_URL=f"http://{HOST}:{port}/api",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT="false",
        PREFECT_LOGGING_SERVER_LEVEL=os.environ.get("SOPFLOW_PREFECT_SERVER_LOG_LEVEL", "WARNING"),
    )
    if database_url:
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = database_url
    if redis_url:
        env.update(redis_environment(redis_url))
    return env


@dataclass(frozen=True)
class PrefectProcess:
    """One process of the server: its name, command line and environment."""

    name: str
    command: list[str]
    env: dict[str, str]


def _prefect_bin() -> str:
    return str(Path(sys.executable).parent / "prefect")


# What each API process does at start-up (blocks_register_on_start), done once instead: several
# workers doing it together on a fresh database collide on block_type's unique slug.
_REGISTER_BLOCKS = """
import asyncio
from prefect.server.database import provide_database_interface
from prefect.server.models.block_registration import run_block_auto_registration

async def main() -> None:
    async with await provide_database_interface().session() as session:
        await run_block_auto_registration(session=session)
        await session.commit()

asyncio.run(main())
"""


def upgrade_database(home: Path, options: PrefectServerOptions, timeout: float = 300) -> None:
    """Migrate Prefect's database and register its block types once, before several API
    workers start (they would race)."""
    env = server_environment(home, options.port, options.database_url, options.redis_url)
    steps = {
        "database upgrade": [_prefect_bin(), "server", "database", "upgrade", "--yes"],
        "block registration": [sys.executable, "-c", _REGISTER_BLOCKS],
    }
    with (home / "server.log").open("ab") as log:
        for step, command in steps.items():
            done = subprocess.run(  # noqa: S603
                command,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
            if done.returncode != 0:
                raise LocalPrefectError(f"Prefect {step} failed; see {home / 'server.log'}")


def server_processes(home: Path, options: PrefectServerOptions) -> list[PrefectProcess]:
    """The API process, and the loop-services process when the API runs several workers.

    With several workers, call `upgrade_database()` first: the processes do not migrate.
    """
    prefect_bin = _prefect_bin()
    env = server_environment(home, options.port, options.database_url, options.redis_url)
    api = [prefect_bin, "server", "start", "--host", HOST, "--port", str(options.port)]
    if not options.separate_services:
        return [PrefectProcess("prefect", api, env)]
    env["PREFECT_SERVER_DATABASE_MIGRATE_ON_START"] = "false"
    env["PREFECT_API_BLOCKS_REGISTER_ON_START"] = "false"
    # What `prefect server start --workers N` runs (uvicorn over Prefect's app factory, webserver
    # only), through uvicorn's own CLI: it lets us raise the worker health-check timeout, whose
    # fixed 5 s default kills workers that are still importing Prefect on a loaded machine.
    api_env = env | {"PREFECT__SERVER_FINAL": "1", "PREFECT__SERVER_WEBSERVER_ONLY": "1"}
    api = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        HOST,
        "--port",
        str(options.port),
        "--workers",
        str(options.api_workers),
        "--timeout-worker-healthcheck",
        "120",
        "--log-level",
        "warning",
    ]
    services = [prefect_bin, "server", "services", "start"]
    return [
        PrefectProcess("prefect", api, api_env),
        PrefectProcess("prefect-services", services, env),
    ]


def prefect_healthy(api_url: str) -> bool:
    try:
        return httpx.get(f"{api_url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class LocalPrefect:
    port: int
    home: Path
    process: subprocess.Popen[bytes]
    extra: list[subprocess.Popen[bytes]] = field(default_factory=list)  # the services process

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def stop(self, timeout: float = 20) -> None:
        for process in [*self.extra, self.process]:
            stop_process_group(process, timeout)


def start_local_prefect(
    home: Path,
    *,
    port: int | None = None,
    database_url: str | None = None,
    timeout: float = 120,
    api_workers: int = 1,
    redis_url: str | None = None,
) -> LocalPrefect:
    home.mkdir(parents=True, exist_ok=True)
    options = PrefectServerOptions(
        port=port or free_port(),
        database_url=database_url,
        api_workers=api_workers,
        redis_url=redis_url,
    )
    if options.separate_services:
        upgrade_database(home, options)
    started: list[subprocess.Popen[bytes]] = []
    with (home / "server.log").open("ab") as log:
        for part in server_processes(home, options):
            started.append(
                subprocess.Popen(  # noqa: S603
                    part.command,
                    env=part.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    server = LocalPrefect(port=options.port, home=home, process=started[0], extra=started[1:])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in started):
            server.stop()
            raise LocalPrefectError(f"Prefect server exited early; see {home / 'server.log'}")
        if prefect_healthy(server.api_url):
            return server
        time.sleep(0.3)
    server.stop()
    raise LocalPrefectError(f"Prefect server did not answer within {timeout:.0f}s")


@contextmanager
def running_local_prefect(
    home: Path,
    *,
    port: int | None = None,
    database_url: str | None = None,
    api_workers: int = 1,
    redis_url: str | None = None,
) -> Iterator[LocalPrefect]:
    server = start_local_prefect(
        home, port=port, database_url=database_url, api_workers=api_workers, redis_url=redis_url
    )
    try:
        yield server
    finally:
        server.stop()
