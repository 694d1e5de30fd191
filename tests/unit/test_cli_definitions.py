"""`sopflow validate` and `sopflow diagram` as an administrator runs them."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from adapters.cli.app import app

REPO = Path(__file__).resolve().parent.parent.parent
SOP = REPO / "process_definitions" / "layanan_informasi_integrasi" / "process.yaml"
runner = CliRunner()


def test_validate_the_sop() -> None:
    result = runner.invoke(app, ["validate", str(SOP)])
    assert result.exit_code == 0, result.output
    assert "id layanan-informasi-integrasi, version 1, hash " in result.output
    assert "SOP step 3: 3 step(s), budget 3m" in result.output
    assert "total budget: 19m" in result.output


def test_validate_reports_a_misspelt_reference(tmp_path: Path) -> None:
    bad = tmp_path / "templates"
    bad.symlink_to(SOP.parent / "templates")
    path = tmp_path / "sop.yaml"
    path.write_text(SOP.read_text().replace("next: verifikasi_sdp", "next: verifikasi_sdb"))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    line = result.output.strip().splitlines()[0]
    assert re.match(rf"^{re.escape(str(path))}:\d+:\d+: step `cari_sdp`: ", line), line
    assert "did you mean `verifikasi_sdp`?" in line


def test_validate_several_files_reports_each(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.yaml"
    result = runner.invoke(app, ["validate", str(SOP), str(missing)])
    assert result.exit_code == 1
    assert f"{SOP}: OK" in result.output
    assert f"{missing}:1:1: cannot read file" in result.output


def test_diagram_bpmn_to_stdout_and_mermaid_to_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["diagram", str(SOP), "--format", "bpmn"])
    assert result.exit_code == 0
    assert result.stdout.startswith("<?xml")
    assert result.stdout.count("<bpmndi:BPMNShape") == 12 + 1 + 4 + 1  # steps, start, lanes, pool
    out = tmp_path / "sop.mmd"
    result = runner.invoke(app, ["diagram", str(SOP), "--format", "mermaid", "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text().startswith("flowchart LR")
