"""Issue 15 through the intake's HTTP surface: one-time form tokens, request timeouts, logs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from adapters.db.migrate import upgrade
from adapters.intake.form_validation import validate_form
from adapters.intake.submission import FormAlreadySentError, store_and_write
from adapters.intake.upload_checks import check_ktp_upload
from tests.integration.test_intake_app import (
    Intake,
    cases,
    form_token,
    ktp_jpeg,
    make_intake,
    reference_in,
    submit,
    valid_form,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def intake(sqlite_url: str) -> Intake:
    upgrade(sqlite_url)
    return make_intake(sqlite_url)


def test_the_same_form_posted_twice_makes_one_case(intake: Intake) -> None:
    token = form_token(intake.client)
    first = submit(intake, valid_form(), token=token)
    assert first.status_code == 200
    reference = reference_in(first.text)

    again = submit(intake, valid_form(), token=token)

    assert again.status_code == 409
    assert "Permohonan sudah terkirim" in again.text
    assert reference in again.text and "tidak dikirim dua kali" in again.text
    assert [c.reference for c in cases(intake.engine)] == [reference]
    assert len(intake.store.keys()) == 1


def test_a_racing_second_write_of_one_token_is_refused_by_the_database(intake: Intake) -> None:
    """Both posts passed the early check; the token row's key lets one case through."""
    site = intake.client.app.state.intake  # type: ignore[attr-defined]
    ctx = site.services[intake.loaded.definition.id]  # the integrasi service
    checked = {"foto_ktp": check_ktp_upload(ktp_jpeg())}
    now = datetime(2026, 3, 5, 2, 4, tzinfo=UTC)
    raw = {key: [value] for key, value in valid_form().items()}
    cleaned = validate_form(ctx.form.fields, raw, now=now).cleaned

    async def write() -> str:
        case = await store_and_write(
            ctx, cleaned=cleaned, checked=checked, submitted_at=now, opened_at=now, token="t-1"
        )
        return case.reference

    reference = asyncio.run(write())
    with pytest.raises(FormAlreadySentError) as caught:
        asyncio.run(write())

    assert caught.value.reference == reference
    assert len(cases(intake.engine)) == 1
    assert len(intake.store.keys()) == 1  # the second post's object was removed again


def test_a_new_form_after_a_submission_makes_a_second_case(intake: Intake) -> None:
    assert submit(intake, valid_form()).status_code == 200
    assert submit(intake, valid_form()).status_code == 200
    assert len(cases(intake.engine)) == 2
