"""The supervisor keeps real (tiny) child processes alive: kill -9 one and it comes back."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from adapters.supervisor import (
    Backoff,
    ChildSpec,
    ChildState,
    Supervisor,
    SupervisorError,
    serve_logger,
)

SLEEPER = [sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(120)"]
CRASHER = [sys.executable, "-c", "raise SystemExit(3)"]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    return tmp_path / "logs" / "serve.log"


@pytest.fixture
def supervisor(tmp_path: Path, log_file: Path) -> Iterator[Supervisor]:
    sup = Supervisor(
        serve_logger(log_file, name=f"test.supervisor.{tmp_path.name}"),
        status_file=tmp_path / "status.json",
        backoff=Backoff(initial=0.1, factor=2, cap=0.4, stable_after=3600),
    )
    yield sup
    sup.stop_all()


def _until(condition: Callable[[], bool], sup: Supervisor, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        sup.tick()
        time.sleep(0.02)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in _proc_state(pid)


def _proc_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0]
    except OSError:
        return "Z"


def test_killed_child_comes_back_and_is_logged(
    supervisor: Supervisor, tmp_path: Path, log_file: Path
) -> None:
    (child,) = supervisor.start(ChildSpec("sleeper", SLEEPER, tmp_path / "logs" / "sleeper.log"))
    first = child.pid
    assert first is not None and child.state is ChildState.UP

    os.kill(first, signal.SIGKILL)
    _until(lambda: child.state is ChildState.UP and child.pid != first, supervisor)

    assert child.restarts == 1
    assert _alive(child.pid or 0)
    text = log_file.read_text()
    assert "sleeper killed by signal 9; restarting in" in text
    assert "sleeper: restart 1" in text
    status = json.loads((tmp_path / "status.json").read_text())
    assert status["parts"][0] | {"pid": None} == {
        "name": "sleeper",
        "state": "up",
        "pid": None,
        "url": None,
        "restarts": 1,
        "last_exit": -9,
    }


def test_backoff_grows_to_its_cap_and_never_gives_up(
    supervisor: Supervisor, tmp_path: Path
) -> None:
    delays: list[float] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "restarting in" in record.getMessage():
                delays.append(float(record.getMessage().rsplit(" in ", 1)[1].split()[0]))

    supervisor.log.addHandler(Collect())
    child = supervisor.add(ChildSpec("crasher", CRASHER, tmp_path / "logs" / "crasher.log"))
    child.state = ChildState.WAITING  # first start through the loop, as a restart would
    _until(lambda: len(delays) >= 7, supervisor)

    assert delays == sorted(delays)
    assert delays[:4] == [0.1, 0.2, 0.4, 0.4]
    assert delays[-1] == 0.4  # capped, still restarting
    assert child.last_exit == 3 and child.restarts >= 7


def test_backoff_delays() -> None:
    policy = Backoff(initial=1, factor=2, cap=10)
    assert [policy.delay(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]


def test_backoff_resets_after_a_stable_period(tmp_path: Path, log_file: Path) -> None:
    clock = FakeClock()
    sup = Supervisor(
        serve_logger(log_file, name="test.supervisor.reset"),
        backoff=Backoff(initial=1, factor=2, cap=60, stable_after=30),
        clock=clock,
    )
    try:
        (child,) = sup.start(ChildSpec("sleeper", SLEEPER, tmp_path / "sleeper.log"))
        for expected_failures in (1, 2, 3):
            os.kill(child.pid or 0, signal.SIGKILL)
            child.process.wait(5)  # type: ignore[union-attr]
            sup.tick()
            assert child.failures == expected_failures
            clock.now = child.restart_at
            _until(lambda: child.state is ChildState.UP, sup)
        clock.now += 31  # ran long enough: the next crash starts over
        os.kill(child.pid or 0, signal.SIGKILL)
        child.process.wait(5)  # type: ignore[union-attr]
        sup.tick()
        assert child.failures == 1
        assert child.restart_at == clock.now + 1
    finally:
        sup.stop_all()


def test_a_restart_that_never_gets_ready_is_killed_and_retried(
    supervisor: Supervisor, tmp_path: Path, log_file: Path
) -> None:
    marker = tmp_path / "ready"
    marker.touch()
    spec = ChildSpec(
        "flaky", SLEEPER, tmp_path / "flaky.log", ready=marker.exists, ready_timeout=0.3
    )
    (child,) = supervisor.start(spec)
    marker.unlink()
    first = child.pid
    os.kill(first or 0, signal.SIGKILL)
    _until(lambda: child.restarts >= 2, supervisor)
    assert "flaky not ready after 0.3 s; killing it" in log_file.read_text()
    assert not _alive(first or 0)


def test_first_start_failure_is_an_error(supervisor: Supervisor, tmp_path: Path) -> None:
    with pytest.raises(SupervisorError, match="crasher exited at start"):
        supervisor.start(
            ChildSpec("crasher", CRASHER, tmp_path / "crasher.log", ready=lambda: False)
        )


def test_stop_all_ends_children_and_their_groups(supervisor: Supervisor, tmp_path: Path) -> None:
    # a child that starts a grandchild in its own group: both must go
    parent = [
        sys.executable,
        "-c",
        "import subprocess, sys, time;"
        f"p = subprocess.Popen({SLEEPER!r}); print(p.pid, flush=True); time.sleep(120)",
    ]
    log = tmp_path / "parent.log"
    (child,) = supervisor.start(ChildSpec("parent", parent, log))
    _until(lambda: log.read_text().strip() != "", supervisor)
    grandchild = int(log.read_text().split()[0])
    supervisor.stop_all()
    assert child.state is ChildState.STOPPED
    assert not _alive(child.pid or 0)
    assert not _alive(grandchild)


def test_children_die_with_a_killed_supervisor(tmp_path: Path) -> None:
    script = (
        "import logging, sys, time\n"
        "from pathlib import Path\n"
        "from adapters.supervisor import ChildSpec, Supervisor\n"
        "sup = Supervisor(logging.getLogger('t'))\n"
        f"log = Path({str(tmp_path / 's.log')!r})\n"
        f"(child,) = sup.start(ChildSpec('sleeper', {SLEEPER!r}, log))\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert _alive(child)
        parent.kill()  # kill -9 of serve itself
        parent.wait(10)
        deadline = time.monotonic() + 10
        while _alive(child):
            assert time.monotonic() < deadline, "the child outlived its supervisor"
            time.sleep(0.05)
    finally:
        if parent.poll() is None:
            parent.kill()
