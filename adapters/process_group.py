"""Stopping a child process started in its own process group (`start_new_session=True`)."""

from __future__ import annotations

import os
import signal
import subprocess


def stop_process_group(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """SIGTERM the whole group, wait up to `timeout` seconds, then SIGKILL it."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
