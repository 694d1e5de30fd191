"""`sopflow serve` misconfigured: one clear line and exit 1, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SOPFLOW = str(Path(sys.executable).parent / "sopflow")


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("SOPFLOW_DATABASE_URL", "nosuchdb://x", "case database unusable"),
        ("SOPFLOW_CASE_LINK_TTL_MINUTES", "-3", "SOPFLOW_CASE_LINK_TTL_MINUTES: Input should be"),
        ("SOPFLOW_S3_SECURE", "perhaps", "SOPFLOW_S3_SECURE:"),
    ],
)
def test_one_line_and_exit_1(tmp_path: Path, setting: str, value: str, expected: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOPFLOW_", "PREFECT_"))}
    env.update({"SOPFLOW_DATA_DIR": str(tmp_path / "var"), setting: value})
    result = subprocess.run(
        [SOPFLOW, "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout
