"""Email through a real SMTP server (aiosmtpd on 127.0.0.1) with Apprise's mailto://."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from adapters.db.engine import session_scope
from adapters.notify.apprise_notifier import AppriseNotifier
from adapters.notify.channels import parse_channel_config
from adapters.notify.errors import TransientDeliveryError
from adapters.notify.outbox import ExponentialBackoff, deliver_pending, enqueue
from adapters.notify.outbox_table import OutboxStatus
from adapters.notify.templates import render_message
from tests.support.messages import INTEGRASI_TEMPLATES, message_context, programme_line
from tests.support.smtp_server import LocalSmtpServer

TEMPLATES = INTEGRASI_TEMPLATES
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NIK = "3604015508900001"

pytestmark = pytest.mark.integration


@pytest.fixture
def smtp() -> Iterator[LocalSmtpServer]:
    with LocalSmtpServer() as server:
        yield server


def notifier_for(smtp: LocalSmtpServer, tmp_path: Path) -> AppriseNotifier:
    config = parse_channel_config(
        {"channels": {"email": {"url": smtp.mailto_url(), "format": "html"}}}
    )
    return AppriseNotifier(config, outbox_dir=tmp_path / "outbox", timeout_seconds=20)


def context() -> dict[str, Any]:
    return message_context(
        reference="LII-2026-000777",
        applicant_name="Siti Aminah Ṣāliḥ",
        programmes=[programme_line("Cuti Bersyarat", "perkiraan paling awal 1 Juni 2026")],
        current_stage="Cuti Bersyarat: Penelitian kemasyarakatan (Litmas) oleh Bapas",
    )


def parts(message: EmailMessage) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            assert part.get_content_charset() == "utf-8"
            found[part.get_content_subtype()] = str(part.get_content())
    return found


def test_email_has_recipient_subject_both_parts_utf8(smtp: LocalSmtpServer, tmp_path: Path) -> None:
    message = render_message(TEMPLATES, "informasi_integrasi", "email", context())
    notifier_for(smtp, tmp_path).send(
        channel="email", recipient="siti.aminah@example.com", message=message, message_id="m1"
    )
    (mail,) = smtp.messages
    assert mail.rcpt_tos == ("siti.aminah@example.com",)
    assert mail.mail_from == "layanan@kanwil.example.go.id"
    parsed = mail.message
    assert parsed["To"] == "siti.aminah@example.com"
    assert parsed["Subject"] == message.subject
    assert "LII-2026-000777" in parsed["Subject"]
    assert parsed.get_content_type() == "multipart/alternative"
    body = parts(parsed)
    assert set(body) == {"plain", "html"}
    for text in body.values():
        assert "Siti Aminah Ṣāliḥ" in text
        assert "LII-2026-000777" in text
        assert "tidak dipungut biaya" in text
        assert "perkiraan paling awal 1 Juni 2026" in text
        assert NIK not in text and "KTP" not in text
    assert "<strong>LII-2026-000777</strong>" in body["html"]
    assert "<" not in body["plain"]
    # Nothing personal beyond what the template intends: no phone, no other address.
    raw = mail.raw.decode("ascii").replace("=\r\n", "")
    # (Message-ID and Date carry clock digits: on 3 Dec 2026 the Message-ID holds "628".)
    raw = re.sub(r"(?im)^(message-id|date):.*$", "", raw)
    # A phone number, not any "628" (MIME boundaries carry random digits too).
    assert not re.search(r"(?<!\d)\+?628\d{7,}", raw)


def test_smtp_down_then_back_delivers_exactly_once(migrated_engine: Engine, tmp_path: Path) -> None:
    server = LocalSmtpServer()  # not started: connection refused
    notifier = notifier_for(server, tmp_path)
    case = f"case-{uuid.uuid4().hex[:10]}"
    message = render_message(TEMPLATES, "tidak_ditemukan", "email", context())
    with session_scope(migrated_engine) as session:
        enqueue(
            session,
            case_id=case,
            step_id="kabar_tidak_ditemukan",
            channel="email",
            recipient="siti.aminah@example.com",
            message=message,
            now=T0,
        )
    backoff = ExponentialBackoff(base=timedelta(minutes=1))
    down = deliver_pending(migrated_engine, notifier, case_id=case, now=T0, backoff=backoff)
    (outcome,) = down.outcomes
    assert outcome.status == OutboxStatus.PENDING
    assert outcome.last_error == "TransientDeliveryError:connection"
    assert down.next_attempt_at == T0 + timedelta(minutes=1)

    server.start()
    try:
        back = deliver_pending(
            migrated_engine, notifier, case_id=case, now=T0 + timedelta(minutes=1), backoff=backoff
        )
        assert back.sent_now == 1 and back.complete
        again = deliver_pending(
            migrated_engine, notifier, case_id=case, now=T0 + timedelta(hours=1), backoff=backoff
        )
        assert again.sent_now == 0
        assert len(server.messages) == 1
        assert server.messages[0].rcpt_tos == ("siti.aminah@example.com",)
    finally:
        server.stop()


def test_server_restarts_on_same_port(tmp_path: Path) -> None:
    server = LocalSmtpServer()
    notifier = notifier_for(server, tmp_path)
    message = render_message(TEMPLATES, "tidak_ditemukan", "email", context())
    with server:
        notifier.send(channel="email", recipient="a@example.com", message=message, message_id="1")
    with pytest.raises(TransientDeliveryError):
        notifier.send(channel="email", recipient="a@example.com", message=message, message_id="2")
    with server:
        notifier.send(channel="email", recipient="a@example.com", message=message, message_id="3")
    assert len(server.messages) == 2
