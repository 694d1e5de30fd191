"""`sopflow serve`: the whole service on one machine, with embedded defaults.

Starts and supervises, as child processes: a Prefect server (SQLite under the data dir unless
PREFECT_API_URL points elsewhere), a local S3 server (`weed mini`, unless SOPFLOW_S3_ENDPOINT is
set), the intake app and the case runner. Applies migrations, registers deployments and budget
automations, loads the clearly marked demo SDP directory into an empty directory, prints one
line per URL and writes them to `<data_dir>/urls.json`. Ctrl-C or SIGTERM stops everything.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import typer
from pydantic import ValidationError

from adapters.process_group import stop_process_group
from adapters.settings import Settings, describe_settings_error, get_settings

LOOPBACK = "127.0.0.1"


class ServeError(RuntimeError):
    """Misconfiguration or a part that would not start: one clear line for the administrator."""


@dataclass
class Child:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    ready_url: str | None = None
    ready_text: str | None = None
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0

    def start(self, timeout: float = 90) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                self.command,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServeError(f"{self.name} exited at start; see {self.log}")
            if self._ready(offset):
                return
            time.sleep(0.3)
        self.stop()
        raise ServeError(f"{self.name} did not become ready within {timeout:.0f}s; see {self.log}")

    def _ready(self, offset: int) -> bool:
        if self.ready_url:
            try:
                return httpx.get(self.ready_url, timeout=2).status_code < 500
            except httpx.HTTPError:
                return False
        if self.ready_text:
            with self.log.open("rb") as log:
                log.seek(offset)
                return self.ready_text.encode() in log.read()
        return True

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 20) -> None:
        if self.process is not None:
            stop_process_group(self.process, timeout)


@dataclass
class Stack:
    children: list[Child] = field(default_factory=list)
    stoppers: list[object] = field(default_factory=list)  # servers with a .stop()

    def stop(self) -> None:
        for child in reversed(self.children):
            child.stop()
        for server in reversed(self.stoppers):
            server.stop()  # type: ignore[attr-defined]


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
    import socket

    with socket.socket() as sock:
        return sock.connect_ex((LOOPBACK, port)) != 0


def start_stack(
    settings: Settings,
    *,
    prefect_port: int,
    intake_port: int,
    s3_port: int,
) -> tuple[Stack, dict[str, str]]:
    from adapters.cli.runtime_commands import REPO_ROOT, budget_watches, definitions_in
    from adapters.db.engine import make_engine
    from adapters.db.migrate import upgrade
    from adapters.local_prefect import start_local_prefect
    from adapters.orchestrator import deploy
    from adapters.sdp.demo import load_demo_directory
    from adapters.sdp.sql_directory import SqlSdpDirectory

    data = settings.ensure_data_dir().resolve()
    stack = Stack()
    try:
        upgrade(settings.database_url)
    except Exception as error:
        raise ServeError(
            f"case database unusable ({type(error).__name__}): check SOPFLOW_DATABASE_URL"
        ) from None
    engine = make_engine(settings.database_url)
    try:
        definitions = definitions_in(settings.definitions_dir)
        api_url = os.environ.get("PREFECT_API_URL", "")
        ui_url = api_url.removesuffix("/api")
        if not api_url:
            if not _port_free(prefect_port):
                raise ServeError(f"port {prefect_port} is taken: set SOPFLOW_PREFECT_PORT")
            prefect = start_local_prefect(data / "prefect", port=prefect_port)
            stack.stoppers.append(prefect)
            api_url, ui_url = prefect.api_url, prefect.ui_url
        s3_env: dict[str, str] = {}
        if not settings.s3_endpoint:
            from adapters.storage.local_s3 import LocalS3Server

            if not _port_free(s3_port):
                raise ServeError(f"port {s3_port} is taken: set SOPFLOW_S3_PORT")
            access, secret = _s3_credentials(data / "s3")
            s3 = LocalS3Server(data / "s3", port=s3_port, access_key=access, secret_key=secret)
            info = s3.start()
            stack.stoppers.append(s3)
            s3_env = {
                "SOPFLOW_S3_ENDPOINT": info.endpoint,
                "SOPFLOW_S3_ACCESS_KEY": access,
                "SOPFLOW_S3_SECRET_KEY": secret,
            }
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings({PREFECT_API_URL: api_url}):
            asyncio.run(deploy(REPO_ROOT / "prefect.yaml", budget_watches(definitions)))
        if SqlSdpDirectory(engine).count() == 0:
            loaded = load_demo_directory(engine)
            typer.echo(f"loaded {loaded} DEMO prisoner records (fictional) into the SDP directory")
        public = settings.public_base_url
        if "SOPFLOW_PUBLIC_BASE_URL" not in os.environ:
            public = f"http://{LOOPBACK}:{intake_port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env.update(
            PREFECT_API_URL=api_url,
            PREFECT_HOME=str(data / "prefect-client"),
            SOPFLOW_DATA_DIR=str(data),
            SOPFLOW_DATABASE_URL=settings.database_url,
            SOPFLOW_PUBLIC_BASE_URL=public,
            **s3_env,
        )
        if not _port_free(intake_port):
            raise ServeError(f"port {intake_port} is taken: set SOPFLOW_INTAKE_PORT")
        intake = Child(
            "intake",
            [_sopflow_bin(), "intake", "--port", str(intake_port)],
            env,
            data / "logs" / "intake.log",
            ready_url=f"http://{LOOPBACK}:{intake_port}/",
        )
        runner = Child(
            "runner",
            [_sopflow_bin(), "runner"],
            env,
            data / "logs" / "runner.log",
            ready_text="runner ready",
        )
        for child in (intake, runner):
            child.start()
            stack.children.append(child)
    except BaseException:
        stack.stop()
        raise
    finally:
        engine.dispose()
    urls = {
        "form": f"{public}/",
        "poster": f"{public}/poster",
        "status": f"{public}/status",
        "prefect": ui_url,
        "prefect_api": api_url,
    }
    (data / "urls.json").write_text(json.dumps(urls, indent=2))
    return stack, urls


def serve(
    prefect_port: int = typer.Option(4200, envvar="SOPFLOW_PREFECT_PORT"),
    intake_port: int = typer.Option(8000, envvar="SOPFLOW_INTAKE_PORT"),
    s3_port: int = typer.Option(8333, envvar="SOPFLOW_S3_PORT"),
) -> None:
    """Run the whole service (Prefect, S3, intake, runner) until Ctrl-C."""
    try:
        settings = get_settings()
        stack, urls = start_stack(
            settings, prefect_port=prefect_port, intake_port=intake_port, s3_port=s3_port
        )
    except ServeError as error:
        typer.echo(f"sopflow serve: {error}", err=True)
        raise typer.Exit(1) from None
    except ValidationError as error:
        typer.echo(f"sopflow serve: {describe_settings_error(error)}", err=True)
        raise typer.Exit(1) from None
    except Exception as error:
        typer.echo(f"sopflow serve: {type(error).__name__}: {error}", err=True)
        raise typer.Exit(1) from None
    for name, url in urls.items():
        typer.echo(f"{name}: {url}")
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            for child in stack.children:
                if not child.alive() and child.restarts < 5:
                    child.restarts += 1
                    typer.echo(f"{child.name} stopped; restarting ({child.restarts}/5)", err=True)
                    try:
                        child.start()
                    except ServeError as error:
                        typer.echo(str(error), err=True)
            time.sleep(1)
    finally:
        typer.echo("stopping…", err=True)
        stack.stop()


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
