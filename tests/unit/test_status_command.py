"""`sopflow status` judges each part from serve's status file and the process table."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from adapters.cli.app import app


def _write(data_dir: Path, parts: list[dict[str, Any]], serve_pid: int) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "status.json").write_text(json.dumps({"serve_pid": serve_pid, "parts": parts}))


def _part(name: str, pid: int | None, state: str = "up", url: str | None = None) -> dict[str, Any]:
    return {"name": name, "state": state, "pid": pid, "url": url, "restarts": 2}


def _status(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict[str, Any]]:
    monkeypatch.setenv("SOPFLOW_DATA_DIR", str(data_dir))
    result = CliRunner().invoke(app, ["status", "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_all_up_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        parts = [
            _part("postgres", os.getpid(), url=f"postgresql://127.0.0.1:{port}/sopflow"),
            _part("runner", os.getpid()),
        ]
        _write(tmp_path, parts, os.getpid())
        code, report = _status(tmp_path, monkeypatch)
    assert code == 0 and report["up"] is True
    assert [(p["name"], p["up"], p["restarts"]) for p in report["parts"]] == [
        ("postgres", True, 2),
        ("runner", True, 2),
    ]


def test_a_part_down_exits_1_and_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, not listening: nothing answers
        parts = [
            _part("runner", int(gone.stdout)),
            _part("intake", os.getpid(), state="waiting"),
            _part("s3", os.getpid(), url=f"127.0.0.1:{port}"),
        ]
        _write(tmp_path, parts, os.getpid())
        code, report = _status(tmp_path, monkeypatch)
    assert code == 1 and report["up"] is False
    assert {p["name"]: p["detail"] for p in report["parts"]} == {
        "runner": "process gone",
        "intake": "waiting",
        "s3": "no answer",
    }


def test_serve_not_running_means_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, [_part("runner", os.getpid())], serve_pid=2**22 + 1)
    code, report = _status(tmp_path, monkeypatch)
    assert code == 1 and report["parts"][0]["detail"] == "serve not running"


def test_no_service_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, report = _status(tmp_path / "var", monkeypatch)
    assert code == 1 and "start `sopflow serve`" in report["error"]
    assert not (tmp_path / "var").exists()
