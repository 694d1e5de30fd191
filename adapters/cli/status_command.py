"""`sopflow status`: how each part of the service running on a data dir is.

Reads `<data_dir>/status.json` (written by `sopflow serve`'s supervisor) and checks it: the serve
process and each part's pid must be alive, and each part's URL must answer (PostgreSQL and S3 by a
TCP connection, Prefect by /api/health, the intake by its form). Exit 0 when every part is up.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import typer
from rich.console import Console
from rich.table import Table

from adapters.settings import Settings


@dataclass
class PartHealth:
    name: str
    up: bool
    state: str
    pid: int | None
    url: str | None
    restarts: int
    detail: str = ""


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def _answers(name: str, url: str) -> bool:
    if name.startswith("prefect") and url.startswith("http"):
        target = url.rstrip("/") + ("/health" if url.rstrip("/").endswith("/api") else "")
        try:
            return httpx.get(target, timeout=3).status_code < 500
        except httpx.HTTPError:
            return False
    if name == "intake":
        try:
            return httpx.get(url, timeout=3).status_code < 500
        except httpx.HTTPError:
            return False
    parts = urlsplit(url if "//" in url else f"tcp://{url}")
    if not parts.hostname or not parts.port:
        return False
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=2):
            return True
    except OSError:
        return False


def check(status: dict[str, Any]) -> list[PartHealth]:
    serve_alive = _pid_alive(status.get("serve_pid"))
    health = []
    for part in status.get("parts", []):
        name, url, state = str(part["name"]), part.get("url"), str(part["state"])
        external = state == "external"
        pid = None if external else part.get("pid")
        problems = []
        if not external and not serve_alive:
            problems.append("serve not running")
        elif not external and state != "up":
            problems.append(state)
        elif not external and not _pid_alive(pid):
            problems.append("process gone")
        if url and not problems and not _answers(name, str(url)):
            problems.append("no answer")
        health.append(
            PartHealth(
                name=name,
                up=not problems,
                state=state,
                pid=pid,
                url=url,
                restarts=int(part.get("restarts", 0)),
                detail=", ".join(problems),
            )
        )
    return health


def status(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Health of each part (postgres, prefect, s3, intake, runner) of the running service."""
    data = Settings().data_dir.resolve()
    path = data / "status.json"
    if not path.is_file():
        message = f"no service has run on {data} (no status.json): start `sopflow serve`"
        if as_json:
            typer.echo(json.dumps({"up": False, "error": message, "parts": []}))
        else:
            typer.echo(f"sopflow status: {message}", err=True)
        raise typer.Exit(1)
    parts = check(json.loads(path.read_text()))
    all_up = bool(parts) and all(p.up for p in parts)
    if as_json:
        typer.echo(json.dumps({"up": all_up, "parts": [asdict(p) for p in parts]}))
    else:
        table = Table(title=f"sopflow on {data}")
        for column in ("part", "health", "pid", "restarts", "url", "note"):
            table.add_column(column, overflow="fold")
        for p in parts:
            health = "[green]up[/green]" if p.up else "[red]down[/red]"
            if p.state == "external":
                health += " (external)"
            table.add_row(
                p.name, health, str(p.pid or "-"), str(p.restarts), p.url or "-", p.detail
            )
        Console().print(table)
    raise typer.Exit(0 if all_up else 1)
