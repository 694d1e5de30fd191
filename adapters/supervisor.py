"""Keep child processes running for the whole life of `sopflow serve`.

Each child is started in its own process group; the parent polls it (`tick()`), and when it exits
for any reason the exit is logged, whatever is left of its group is killed, and it is started
again after an exponential back-off (capped; reset once the child has run for a stable period).
It never gives up. A child counts as up once its readiness probe answers; a restart that does not
become ready in time is killed and counts as a failure. Every change is logged and written to a
status file that `sopflow status` reads.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class SupervisorError(RuntimeError):
    """A child failed its first start (serve stops and says why)."""


class ChildState(StrEnum):
    STARTING = "starting"
    UP = "up"
    WAITING = "waiting"  # exited; restart scheduled after the back-off
    STOPPED = "stopped"


@dataclass(frozen=True)
class Backoff:
    """Delay before restart number n (n >= 1): initial * factor**(n-1), at most `cap`."""

    initial: float = 1.0
    factor: float = 2.0
    cap: float = 60.0
    stable_after: float = 60.0  # up this long and the next failure starts over at `initial`

    def delay(self, failures: int) -> float:
        return float(min(self.cap, self.initial * self.factor ** max(failures - 1, 0)))


@dataclass
class ChildSpec:
    name: str
    command: list[str]
    log: Path
    env: dict[str, str] | None = None
    ready: Callable[[], bool] | None = None  # None: up as soon as it runs
    ready_timeout: float = 90.0
    url: str | None = None  # shown by `sopflow status` (no credentials)
    stop_signal: int = signal.SIGTERM
    signal_group: bool = True  # False: signal only the leader (PostgreSQL)
    stop_timeout: float = 20.0
    popen: dict[str, Any] = field(default_factory=dict)  # extra Popen kwargs (user, cwd)
    before_start: Callable[[], None] | None = None
    after_ready: Callable[[], None] | None = None


@dataclass
class Child:
    spec: ChildSpec
    process: subprocess.Popen[bytes] | None = None
    state: ChildState = ChildState.STOPPED
    restarts: int = 0
    failures: int = 0  # consecutive, for the back-off
    started_at: float = 0.0
    up_since: float | None = None
    restart_at: float = 0.0
    last_exit: int | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGKILL it when the supervisor dies, even by kill -9,
    so that a restarted serve does not find its ports held by orphans."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG; cleared again when the uid changes


def _kill_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


class Supervisor:
    def __init__(
        self,
        logger: logging.Logger,
        *,
        status_file: Path | None = None,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log = logger
        self.status_file = status_file
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.children: list[Child] = []
        self.external: list[dict[str, Any]] = []  # parts not ours to run, shown by status

    def add(self, spec: ChildSpec) -> Child:
        child = Child(spec)
        self.children.append(child)
        return child

    def child(self, name: str) -> Child:
        return next(c for c in self.children if c.spec.name == name)

    # -- starting ---------------------------------------------------------------------------
    def start(self, *specs: ChildSpec) -> list[Child]:
        """Add children, start them together and wait until each is ready; raises if one
        cannot get there (the caller stops the others)."""
        children = [self.add(spec) for spec in specs]
        for child in children:
            self._spawn(child)
        starts = {id(child): self.clock() for child in children}
        while any(child.state is ChildState.STARTING for child in children):
            for child in children:
                if child.state is not ChildState.STARTING:
                    continue
                spec = child.spec
                if child.process is not None and child.process.poll() is not None:
                    code = child.process.returncode
                    self._reap(child)
                    raise SupervisorError(
                        f"{spec.name} exited at start (code {code}); see {spec.log}"
                    )
                if self.clock() - starts[id(child)] > spec.ready_timeout:
                    self._stop(child)
                    raise SupervisorError(f"{spec.name} not ready after {spec.ready_timeout:g} s")
                self._check_ready(child)
            time.sleep(0.2)
        return children

    def _spawn(self, child: Child) -> None:
        spec = child.spec
        if spec.before_start is not None:
            spec.before_start()
        spec.log.parent.mkdir(parents=True, exist_ok=True)
        with spec.log.open("ab") as log:
            child.process = subprocess.Popen(  # noqa: S603 - fixed commands, no shell
                spec.command,
                env=spec.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
                **spec.popen,
            )
        child.state = ChildState.STARTING
        child.started_at = self.clock()
        child.up_since = None
        self.log.info("%s started (pid %d)", spec.name, child.process.pid)
        self._write_status()

    def _check_ready(self, child: Child) -> None:
        spec = child.spec
        try:
            ready = spec.ready() if spec.ready is not None else True
        except Exception:  # a probe that raises means "not yet"
            ready = False
        if not ready:
            return
        if spec.after_ready is not None:
            try:
                spec.after_ready()
            except Exception as error:
                self.log.warning("%s: after-start step failed: %s", spec.name, type(error).__name__)
                return
        child.state = ChildState.UP
        child.up_since = self.clock()
        self.log.info("%s up (pid %s)", spec.name, child.pid)
        self._write_status()

    # -- watching ---------------------------------------------------------------------------
    def tick(self) -> None:
        """Check every child once: notice exits, schedule and perform restarts."""
        now = self.clock()
        for child in self.children:
            spec = child.spec
            if child.state in (ChildState.STARTING, ChildState.UP):
                assert child.process is not None
                code = child.process.poll()
                if code is not None:
                    self._exited(child, code, now)
                elif child.state is ChildState.STARTING:
                    if now - child.started_at > spec.ready_timeout:
                        self.log.warning(
                            "%s not ready after %g s; killing it", spec.name, spec.ready_timeout
                        )
                        self._stop(child)
                        self._exited(child, None, now)
                    else:
                        self._check_ready(child)
            elif child.state is ChildState.WAITING and now >= child.restart_at:
                child.restarts += 1
                self.log.warning("%s: restart %d", spec.name, child.restarts)
                try:
                    self._spawn(child)
                except Exception as error:  # e.g. a port still taken: try again later
                    self.log.error("%s could not be started: %s", spec.name, error)
                    self._exited(child, None, now)

    def _exited(self, child: Child, code: int | None, now: float) -> None:
        self._reap(child)
        stable = child.up_since is not None and now - child.up_since >= self.backoff.stable_after
        child.failures = 1 if stable else child.failures + 1
        delay = self.backoff.delay(child.failures)
        child.last_exit = code
        child.state = ChildState.WAITING
        child.restart_at = now + delay
        child.up_since = None
        how = f"exited with code {code}" if code is not None else "failed to start"
        if code is not None and code < 0:
            how = f"killed by signal {-code}"
        self.log.error("%s %s; restarting in %.1f s", child.spec.name, how, delay)
        self._write_status()

    def _reap(self, child: Child) -> None:
        """Kill what is left of the child's process group (orphaned workers, backends)."""
        if child.process is not None:
            _kill_group(child.process.pid, signal.SIGKILL)

    def run(self, stopping: Callable[[], bool], interval: float = 0.5) -> None:
        while not stopping():
            self.tick()
            time.sleep(interval)

    # -- stopping ---------------------------------------------------------------------------
    def _stop(self, child: Child) -> None:
        process, spec = child.process, child.spec
        if process is None:
            return
        if process.poll() is None:
            if spec.signal_group:
                _kill_group(process.pid, spec.stop_signal)
            else:
                process.send_signal(spec.stop_signal)
            try:
                process.wait(spec.stop_timeout)
            except subprocess.TimeoutExpired:
                self.log.warning(
                    "%s did not stop in %g s; killing it", spec.name, spec.stop_timeout
                )
        _kill_group(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)
        child.state = ChildState.STOPPED

    def stop_all(self) -> None:
        """Stop children in reverse start order (the database last)."""
        for child in reversed(self.children):
            if child.process is not None and child.process.poll() is None:
                self.log.info("stopping %s", child.spec.name)
            self._stop(child)
        self._write_status()

    # -- status -----------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        return {
            "serve_pid": os.getpid(),
            "updated": time.time(),
            "parts": [
                {
                    "name": c.spec.name,
                    "state": c.state.value,
                    "pid": c.pid if c.state is not ChildState.STOPPED else None,
                    "url": c.spec.url,
                    "restarts": c.restarts,
                    "last_exit": c.last_exit,
                }
                for c in self.children
            ]
            + [{"state": "external", **part} for part in self.external],
        }

    def _write_status(self) -> None:
        if self.status_file is None:
            return
        tmp = self.status_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.snapshot(), indent=2))
        os.replace(tmp, self.status_file)


def serve_logger(log_file: Path, name: str = "sopflow.serve") -> logging.Logger:
    """Log to stderr and to `log_file` (both with timestamps)."""
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    log_file.parent.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    for handler in (logging.StreamHandler(), logging.FileHandler(log_file)):
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    return logger
