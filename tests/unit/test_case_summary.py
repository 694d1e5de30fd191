"""The case summary artifact: steps against budgets, decisions by NIP, flags; no personal data."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.db.case_tables import Case, Decision, StepRecord
from tasks.case_summary import case_summary_markdown

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_summary_lists_steps_decisions_and_flags_without_personal_data() -> None:
    case = Case(
        id="c1",
        reference="LII-2026-000009",
        definition_id="layanan-informasi-integrasi",
        definition_version=1,
        definition_hash="ab" * 32,
        definition_snapshot={},
        status="completed",
        outcome="informasi_diberikan",
        form_data={"nama_pemohon": "Dewi Lestari", "telepon_pemohon": "+6281234567890"},
        variables={"candidates": [{"key": "K1", "nama": "Andi bin Ali"}]},
        flags=["pengiriman_gagal:kirim_informasi"],
        submitted_at=T0,
        created_at=T0,
        updated_at=T0,
    )
    records = [
        StepRecord(
            case_id="c1",
            step_id="verifikasi_sdp",
            sop_step=3,
            lane="operator_divpas",
            kind="user_task",
            started_at=T0,
            finished_at=T0,
            budget_seconds=150,
            duration_seconds=200,
            budget_exceeded=True,
            outcome="K1",
            actor="199001012015031001",
        ),
    ]
    decisions = [
        Decision(
            case_id="c1",
            step_id="verifikasi_sdp",
            values={"keputusan": "K1"},
            operator_nip="199001012015031001",
            decided_at=T0,
        )
    ]
    text = case_summary_markdown(case, records, decisions)
    assert "LII-2026-000009" in text and "melewati batas" in text
    assert "keputusan=K1" in text and "199001012015031001" in text
    assert "pengiriman_gagal:kirim_informasi" in text
    for personal in ("Dewi", "+62812", "Andi"):
        assert personal not in text
