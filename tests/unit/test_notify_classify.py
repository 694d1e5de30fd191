"""Apprise's falsy result becomes an exception that says whether retrying can help."""

from __future__ import annotations

import pytest

from adapters.notify.classify import classify_failure
from adapters.notify.errors import (
    AmbiguousDeliveryError,
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
)


@pytest.mark.parametrize(
    ("schema", "messages", "kind", "code"),
    [
        ("json", ["Failed to send JSON POST notification: Bad Request, error=400."],
         PermanentDeliveryError, "http_400"),
        ("evolution", ["Failed to send Evolution API notification to 62812: x, error=404."],
         PermanentDeliveryError, "http_404"),
        ("json", ["Failed ..., error=429."], TransientDeliveryError, "http_429"),
        ("form", ["Failed ..., error=502."], TransientDeliveryError, "http_502"),
        ("whatsapp", ["Failed to send WhatsApp notification to +62: undeliverable, error=131026."],
         PermanentDeliveryError, "graph_131026"),
        ("whatsapp", ["Failed ..., error=130429."], TransientDeliveryError, "graph_130429"),
        ("whatsapp", ["Failed ..., error=500."], TransientDeliveryError, "http_500"),
        ("mailto", ['Connection error while submitting email to "h"',
                    "Socket Exception: [Errno 111] Connection refused"],
         TransientDeliveryError, "connection"),
        ("mailtos", ['Sending email to "x" failed.',
                     "Socket Exception: {'a@b.c': (550, b'5.1.1 No such user')}"],
         PermanentDeliveryError, "smtp_550"),
        ("mailto", ["Socket Exception: (451, b'4.3.0 Try again later')"],
         TransientDeliveryError, "smtp_451"),
        ("mailto", ["Socket Exception: timed out"], AmbiguousDeliveryError, "read_timeout"),
        ("json", ["A Connection error occurred sending JSON notification to h.",
                  "Socket Exception: HTTPConnectionPool(...): Read timed out. (read timeout=4)"],
         AmbiguousDeliveryError, "read_timeout"),
        ("json", ["A Connection error occurred sending JSON notification to h."],
         TransientDeliveryError, "connection"),
        ("outbox", ["Failed to send sopflow outbox notification."],
         PermanentDeliveryError, "outbox_misconfigured"),
        ("outbox", ["An exception occured sending a sopflow outbox notification."],
         TransientDeliveryError, "outbox_write"),
        ("tgram", [], TransientDeliveryError, "unknown"),
    ],
)  # fmt: skip
def test_classification(
    schema: str, messages: list[str], kind: type[DeliveryError], code: str
) -> None:
    error = classify_failure("wa", schema, messages)
    assert type(error) is kind
    assert error.code == code
    assert error.retryable is (kind is TransientDeliveryError)
    assert error.short == f"{kind.__name__}:{code}"


def test_apprise_timeout_is_ambiguous() -> None:
    error = classify_failure("email", "mailto", [], timed_out=True)
    assert isinstance(error, AmbiguousDeliveryError)


def test_message_holds_no_log_text() -> None:
    error = classify_failure("wa", "evolution", ["to 6281234567890: error=400."])
    assert "6281234567890" not in str(error)
