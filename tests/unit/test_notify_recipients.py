"""WhatsApp numbers normalise to 628...; invalid ones fail without repeating the number."""

from __future__ import annotations

import pytest

from adapters.notify.errors import InvalidRecipientError
from adapters.notify.recipients import normalise_email, normalise_whatsapp_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("081234567890", "6281234567890"),
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("(0857) 1122 3344", "6285711223344"),
        (" 0813 9988 7766 ", "6281399887766"),
    ],
)
def test_valid_numbers_become_628(raw: str, expected: str) -> None:
    assert normalise_whatsapp_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("bukan nomor", "unparseable"),
        ("0812345", "invalid_number"),
        ("021-5551234", "not_mobile"),
        ("+1 415 555 0100", "not_indonesian"),
    ],
)
def test_invalid_numbers_raise_without_echoing(raw: str, reason: str) -> None:
    with pytest.raises(InvalidRecipientError) as caught:
        normalise_whatsapp_number(raw)
    assert caught.value.reason == reason
    if raw.strip():
        assert raw.strip() not in str(caught.value)
    assert caught.value.short == f"InvalidRecipientError:whatsapp_{reason}"


def test_email_normalised_and_invalid_rejected() -> None:
    assert normalise_email(" Siti.Aminah@Example.GO.ID ") == "Siti.Aminah@example.go.id"
    with pytest.raises(InvalidRecipientError) as caught:
        normalise_email("siti-at-example")
    assert "siti-at-example" not in str(caught.value)
