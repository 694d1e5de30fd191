"""`sopflow export cases`: personal data masked by default; `--unmasked` is audited."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from typer.testing import CliRunner

from adapters.cli.app import app
from adapters.db.audit import verify_chain
from adapters.db.case_tables import AuditEntry
from adapters.db.engine import session_scope
from adapters.reports.masking import field_value, initials, mask_email, mask_phone
from process_definitions import model as m
from tests.support.case_day import BuiltCase

pytestmark = pytest.mark.integration
ARGS = ["export", "cases", "--from", "2026-11-27", "--to", "2026-11-27"]
CLEAR = ("Dewi Lestari", "Rahmat Hidayat", "+6281234567890", "dewi@example.com", "Jl. Merdeka")


def audit_actions(engine: Engine) -> list[AuditEntry]:
    with session_scope(engine) as session:
        _, broken = verify_chain(session)
        assert broken is None
        return list(session.exec(select(AuditEntry)))


def test_masked_by_default_and_not_audited(
    cli_env: CliRunner, day_cases: dict[str, BuiltCase], migrated_engine: Engine
) -> None:
    before = len(audit_actions(migrated_engine))
    result = cli_env.invoke(app, ARGS)
    assert result.exit_code == 0, result.output
    rows = {r["reference"]: r for r in csv.DictReader(io.StringIO(result.output))}
    assert set(rows) == {case.reference for case in day_cases.values()}
    row = rows[day_cases["found"].reference]
    assert row["nama_pemohon"] == "D. L."
    assert row["telepon_pemohon"] == "'+62812****7890"  # text, not a formula
    assert row["email_pemohon"] == "d***@example.com"
    assert row["alamat_pemohon"] == "***" and row["foto_ktp"] == "[berkas]"
    assert row["informasi_dibutuhkan"] == "asimilasi"  # a category, kept
    assert (row["status"], row["outcome"], row["total_seconds"]) == (
        "completed",
        "informasi_diberikan",
        "660.0",
    )
    assert not any(value in result.output for value in CLEAR)
    assert len(audit_actions(migrated_engine)) == before

    jsonl = cli_env.invoke(app, [*ARGS, "--format", "jsonl"])
    records = [json.loads(line) for line in jsonl.output.splitlines()]
    found = next(r for r in records if r["reference"] == day_cases["found"].reference)
    assert [s["step_id"] for s in found["steps"]][:3] == [
        "buka_formulir",
        "isi_biodata",
        "cari_sdp",
    ]
    assert not any(value in jsonl.output for value in CLEAR)


def test_unmasked_export_is_audited(
    cli_env: CliRunner, day_cases: dict[str, BuiltCase], migrated_engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "cases.jsonl"
    result = cli_env.invoke(
        app, [*ARGS, "--format", "jsonl", "--unmasked", "--actor", "auditor", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "Dewi Lestari" in text and "+6281234567890" in text and "ktp/" in text
    entry = audit_actions(migrated_engine)[-1]
    assert (entry.action, entry.actor) == ("export.unmasked", "auditor")
    assert entry.details["count"] == 4
    assert set(entry.details["cases"]) == {case.case_id for case in day_cases.values()}
    assert not any(value in json.dumps(entry.details) for value in CLEAR)


def test_masking_rules_by_field_type() -> None:
    assert mask_phone("+6281234567890") == "+62812****7890"
    assert mask_phone("12345") == "***"
    assert mask_email("dewi@example.com") == "d***@example.com"
    assert initials("Hj. Siti  Nur'aini") == "H. S. N."
    public = m.TextField(id="kode", label="Kode", type="text", personal=False)
    assert field_value(public, "ABC 123", masked=True) == "ABC 123"
    name = m.TextField(id="nama", label="Nama", type="text")
    assert field_value(name, "Dewi Lestari", masked=False) == "Dewi Lestari"
    assert field_value(name, None, masked=True) is None  # purged or not given
