"""A waiting form's case-file link is renewed past half its life, never made long-lived."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.case_links import CaseLinkSigner
from process_definitions import model as m
from process_definitions.loader import load_definition
from tasks.form_links import renewed_description

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
SIGNER = CaseLinkSigner("a-very-secret-key-of-32-characters", "https://layanan.example")
SOP = load_definition(
    Path(__file__).resolve().parents[2]
    / "process_definitions"
    / "layanan_informasi_integrasi"
    / "process.yaml"
).definition
STEP = SOP.step("verifikasi_sdp")  # budget 2m30s: links live 15 minutes


def _form(url: str) -> str:
    return f"### LII-2026-000001\n\n[Buka berkas permohonan]({url}): Ctrl+klik.\n\nPilih …"


def _renew(text: str, at: datetime) -> str | None:
    assert isinstance(STEP, m.UserTaskStep)
    return renewed_description(
        text,
        signer=SIGNER,
        case_id="case-1",
        step=STEP,
        now=at,
        fallback_ttl=timedelta(hours=1),
    )


def test_a_young_link_is_kept_and_an_old_one_renewed_for_the_same_step() -> None:
    url = SIGNER.url("case-1", step_id="verifikasi_sdp", now=NOW, ttl=timedelta(minutes=15))
    text = _form(url)
    assert _renew(text, NOW + timedelta(minutes=7)) is None  # more than half its life left
    renewed = _renew(text, NOW + timedelta(minutes=20))  # expired: the operator came late
    assert renewed is not None and url not in renewed
    token = renewed.split("/berkas/")[1].split(")")[0]
    assert renewed.replace(token, "T") == text.replace(url.rsplit("/", 1)[1], "T")  # only the link
    link = SIGNER.verify(token, now=NOW + timedelta(minutes=34))
    assert (link.case_id, link.step_id) == ("case-1", "verifikasi_sdp")
    assert SIGNER.expires_at(token) == NOW + timedelta(minutes=35)  # 15 minutes, not longer


def test_a_form_without_a_link_is_left_alone() -> None:
    assert _renew("### LII-2026-000001\n\nTanpa tautan.", NOW) is None
