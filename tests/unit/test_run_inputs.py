"""Which Prefect run inputs a recorded decision deletes: every part of every attempt, with the
brief pause's twins of a suspended run, and only those when nothing was suspended."""

from __future__ import annotations

from tasks.run_inputs import PAUSED, SUSPENDED, input_keys


def test_a_suspended_visit_deletes_its_brief_and_suspended_inputs() -> None:
    keys = input_keys(SUSPENDED, "verifikasi-sdp-1-", 2)
    assert sorted(keys) == sorted(
        f"{base}-{part}"
        for base in (
            "paused-verifikasi-sdp-1-0-live",
            "paused-verifikasi-sdp-1-1-live",
            "suspended-verifikasi-sdp-1-0",
            "suspended-verifikasi-sdp-1-1",
        )
        for part in ("description", "schema", "response")
    )


def test_a_visit_answered_in_its_brief_pauses_deletes_only_those() -> None:
    keys = input_keys(SUSPENDED, "setujui-jawaban-2-", 1, brief_only=True)
    assert keys == [
        "paused-setujui-jawaban-2-0-live-description",
        "paused-setujui-jawaban-2-0-live-schema",
        "paused-setujui-jawaban-2-0-live-response",
    ]


def test_a_run_paused_in_process_has_no_brief_twins() -> None:
    for brief_only in (False, True):
        keys = input_keys(PAUSED, "periksa-1-", 1, brief_only=brief_only)
        assert keys == [
            "paused-periksa-1-0-description",
            "paused-periksa-1-0-schema",
            "paused-periksa-1-0-response",
        ]
