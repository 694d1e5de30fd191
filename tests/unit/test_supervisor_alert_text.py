"""The supervisor alert speaks as a person: the lane's name, the budget in words."""

from __future__ import annotations

from tasks.supervisor_alert import alert_text
from tests.support.case_day import sop


def test_the_alert_names_the_lane_and_the_budget_in_words() -> None:
    text = alert_text("LII-2026-000007", sop().definition, "verifikasi_sdp")
    assert "LII-2026-000007" in text and "Petugas memverifikasi data" in text
    assert "(Operator Divpas)" in text and "operator_divpas" not in text
    assert "batas waktu SOP (2 menit 30 detik)" in text
    assert "daftar kerja Operator Divpas" in text  # where the lane's work list is
