"""`sopflow sdp import` then `sopflow sdp search --json` on a clean install (an empty data dir)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

SOPFLOW = str(Path(sys.executable).parent / "sopflow")
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "sdp"


def sopflow(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOPFLOW_")}
    env["SOPFLOW_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [SOPFLOW, "sdp", *args],
        cwd=data_dir.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_import_then_search_json_on_a_clean_install(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    imported = sopflow(data_dir, "import", str(FIXTURES / "good.csv"))
    assert imported.returncode == 0, imported.stderr
    assert "rows read: 8, inserted: 8, updated: 0, rejected: 0; committed" in imported.stdout
    assert (data_dir / "sopflow.db").is_file()

    searched = sopflow(
        data_dir, "search", "Moch Rizky", "--upt", "Serang", "--limit", "3", "--json"
    )
    assert searched.returncode == 0, searched.stderr
    candidates = json.loads(searched.stdout)
    assert isinstance(candidates, list) and 1 <= len(candidates) <= 3
    best = candidates[0]
    assert {"no_registrasi", "nama", "upt", "score"} <= best.keys()
    assert best["no_registrasi"] == "B.I 201/2023"
    assert 0 <= best["score"] <= 100
    assert [c["score"] for c in candidates] == sorted(
        (c["score"] for c in candidates), reverse=True
    )

    again = sopflow(data_dir, "import", str(FIXTURES / "good.csv"), "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["updated"] == 8

    shown = sopflow(data_dir, "show", "BI-201/2023", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["record"]["no_registrasi"] == "B.I 201/2023"


def test_a_bad_file_reports_row_7_and_exits_non_zero(tmp_path: Path) -> None:
    result = sopflow(tmp_path / "var", "import", str(FIXTURES / "bad_date_row7.csv"))
    assert result.returncode == 1
    assert "row 7: tanggal_lahir: invalid date" in result.stdout
    assert "nothing changed" in result.stdout


def test_errors_are_one_line(tmp_path: Path) -> None:
    result = sopflow(tmp_path / "var", "import", str(FIXTURES / "missing_column.csv"))
    assert result.returncode == 1
    assert result.stderr.strip() == "error: missing column(s): nama_kecil"
    result = sopflow(tmp_path / "var", "search", "Budi", "--born", "1990-13-01")
    assert result.returncode != 0 and "Traceback" not in result.stderr
