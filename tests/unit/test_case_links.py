"""Signed, expiring case-file links (time passed in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.case_links import (
    SALT,
    CaseLink,
    CaseLinkError,
    CaseLinkExpiredError,
    CaseLinkSigner,
    instance_secret,
    link_ttl_for,
)

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
SIGNER = CaseLinkSigner("a-very-secret-key-of-32-characters", "https://layanan.example/")


def test_round_trip_and_url() -> None:
    url = SIGNER.url("case-1", step_id="verifikasi_sdp", now=NOW, ttl=timedelta(hours=1))
    assert url.startswith("https://layanan.example/berkas/")
    link = SIGNER.verify(url.rsplit("/", 1)[1], now=NOW + timedelta(minutes=59))
    assert link == CaseLink(case_id="case-1", step_id="verifikasi_sdp")


def test_a_token_without_its_step_is_refused() -> None:
    """Day-long links made before links named their step do not open any more."""
    from itsdangerous import URLSafeSerializer

    old = URLSafeSerializer("a-very-secret-key-of-32-characters", salt=SALT).dumps(
        {"c": "case-1", "e": int((NOW + timedelta(hours=1)).timestamp())}
    )
    with pytest.raises(CaseLinkError):
        SIGNER.verify(str(old), now=NOW)


@pytest.mark.parametrize(
    ("budget", "ttl"),
    [
        (timedelta(minutes=2, seconds=30), timedelta(minutes=15)),  # budget x 2 = 5 min: minimum
        (timedelta(minutes=10), timedelta(minutes=20)),
        (None, timedelta(minutes=30)),  # no budget: the configured fallback
    ],
)
def test_link_lifetime_follows_the_budget(budget: timedelta | None, ttl: timedelta) -> None:
    assert link_ttl_for(budget, fallback=timedelta(minutes=30)) == ttl


def test_expired() -> None:
    token = SIGNER.token("case-1", step_id="verifikasi_sdp", now=NOW, ttl=timedelta(minutes=5))
    with pytest.raises(CaseLinkExpiredError):
        SIGNER.verify(token, now=NOW + timedelta(minutes=6))


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: "x" + t,
        lambda t: "",
        lambda t: "abc.def",
    ],
)
def test_tampered(mutate: object) -> None:
    token = SIGNER.token("case-1", step_id="verifikasi_sdp", now=NOW, ttl=timedelta(hours=1))
    with pytest.raises(CaseLinkError):
        SIGNER.verify(mutate(token), now=NOW)  # type: ignore[operator]


def test_another_secret_refuses() -> None:
    token = SIGNER.token("case-1", step_id="verifikasi_sdp", now=NOW, ttl=timedelta(hours=1))
    other = CaseLinkSigner("another-secret-key-of-32-characters", "https://x")
    with pytest.raises(CaseLinkError):
        other.verify(token, now=NOW)


def test_instance_secret_is_created_once(tmp_path: Path) -> None:
    first = instance_secret("", tmp_path)
    assert len(first) >= 32 and instance_secret("", tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert instance_secret("configured-secret", tmp_path) == "configured-secret"
