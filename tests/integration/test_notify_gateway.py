"""WhatsApp through a local HTTP server standing in for the gateway: WAHA (json://), Evolution API
(evolution://) and the Cloud API payload of Apprise's whatsapp plugin (pointed at loopback)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from adapters.db.engine import session_scope
from adapters.notify.apprise_notifier import AppriseNotifier
from adapters.notify.channels import ChannelConfig, parse_channel_config
from adapters.notify.errors import PermanentDeliveryError, TransientDeliveryError
from adapters.notify.message import RenderedMessage
from adapters.notify.outbox import deliver_pending, enqueue
from adapters.notify.outbox_table import OutboxStatus
from adapters.notify.protocol import Notifier
from adapters.notify.templates import render_message
from tests.support.gateway_server import LocalGateway
from tests.support.messages import INTEGRASI_TEMPLATES, message_context

TEMPLATES = INTEGRASI_TEMPLATES
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PHONE = "6281234567890"

pytestmark = pytest.mark.integration


@pytest.fixture
def gateway() -> Iterator[LocalGateway]:
    with LocalGateway() as server:
        yield server


def config_for(gateway: LocalGateway) -> ChannelConfig:
    return parse_channel_config(
        {
            "channels": {
                "whatsapp": gateway.waha_url(),
                "evolution": {"url": gateway.evolution_url(), "recipient": "whatsapp"},
                "cloud": {"url": gateway.cloud_api_url(), "recipient": "whatsapp"},
                "cloud_template": {
                    "url": gateway.cloud_api_url(template="jawaban_layanan", lang="id"),
                    "recipient": "whatsapp",
                },
            }
        }
    )


def whatsapp_text() -> RenderedMessage:
    context = message_context(reference="LII-2026-000888", applicant_name="Budi Santoso")
    return render_message(TEMPLATES, "tidak_ditemukan", "whatsapp", context, max_length=4096)


def send(gateway: LocalGateway, channel: str, tmp_path: Path, message_id: str = "m1") -> None:
    notifier = AppriseNotifier(config_for(gateway), outbox_dir=tmp_path)
    notifier.send(channel=channel, recipient=PHONE, message=whatsapp_text(), message_id=message_id)


def test_waha_shape_through_json(gateway: LocalGateway, tmp_path: Path) -> None:
    send(gateway, "whatsapp", tmp_path)
    (request,) = gateway.requests
    assert (request.method, request.path) == ("POST", "/api/sendText")
    assert request.headers["X-Api-Key"] == "waha-key"
    assert request.json() == {
        "chatId": f"{PHONE}@c.us",
        "session": "default",
        "text": whatsapp_text().text.strip(),
    }


def test_evolution_api(gateway: LocalGateway, tmp_path: Path) -> None:
    send(gateway, "evolution", tmp_path)
    (request,) = gateway.requests
    assert request.path == "/message/sendText/kanwil"
    assert request.headers["apikey"] == "evokey"
    body = request.json()
    assert body["number"] == PHONE
    assert "LII-2026-000888" in body["text"]
    assert "tidak dipungut biaya" in body["text"]


def test_cloud_api_text_payload(gateway: LocalGateway, tmp_path: Path) -> None:
    send(gateway, "cloud", tmp_path)
    (request,) = gateway.requests
    assert request.path == "/v21.0/1234567890123/messages"
    assert request.headers["Authorization"] == "Bearer accesstoken123"
    assert request.json() == {
        "messaging_product": "whatsapp",
        "to": f"+{PHONE}",
        "recipient_type": "individual",
        "type": "text",
        "text": {"body": whatsapp_text().text.strip()},
    }


def test_cloud_api_template_payload(gateway: LocalGateway, tmp_path: Path) -> None:
    send(gateway, "cloud_template", tmp_path)
    (request,) = gateway.requests
    payload = request.json()
    assert payload["type"] == "template"
    assert payload["to"] == f"+{PHONE}"
    assert payload["template"]["name"] == "jawaban_layanan"
    assert payload["template"]["language"] == {"code": "id"}
    (component,) = payload["template"]["components"]
    assert component["type"] == "body"
    assert component["parameters"] == [{"type": "text", "text": whatsapp_text().text.strip()}]


@pytest.mark.parametrize("channel", ["whatsapp", "evolution", "cloud"])
@pytest.mark.parametrize(
    ("status", "error"),
    [(400, PermanentDeliveryError), (401, PermanentDeliveryError), (503, TransientDeliveryError),
     (429, TransientDeliveryError)],
)  # fmt: skip
def test_gateway_status_classified(
    gateway: LocalGateway, tmp_path: Path, channel: str, status: int, error: type[Exception]
) -> None:
    gateway.respond_with(status)
    with pytest.raises(error) as caught:
        send(gateway, channel, tmp_path)
    assert str(caught.value) == f"delivery via channel '{channel}' failed: http_{status}"


def enqueue_whatsapp(engine: Engine, case: str) -> None:
    with session_scope(engine) as session:
        enqueue(
            session,
            case_id=case,
            step_id="kabar_tidak_ditemukan",
            channel="whatsapp",
            recipient=PHONE,
            message=whatsapp_text(),
            now=T0,
        )


def test_gateway_4xx_recorded_as_permanent(
    migrated_engine: Engine, gateway: LocalGateway, tmp_path: Path
) -> None:
    case = f"case-{uuid.uuid4().hex[:10]}"
    enqueue_whatsapp(migrated_engine, case)
    gateway.respond_with(400)
    notifier = AppriseNotifier(config_for(gateway), outbox_dir=tmp_path)
    report = deliver_pending(migrated_engine, notifier, case_id=case, now=T0)
    (outcome,) = report.outcomes
    assert outcome.status == OutboxStatus.FAILED_PERMANENT
    assert outcome.last_error == "PermanentDeliveryError:http_400"
    assert report.needs_operator and report.complete
    deliver_pending(migrated_engine, notifier, case_id=case, now=T0 + timedelta(days=1))
    assert len(gateway.requests) == 1


def test_gateway_5xx_retried_then_delivered_once(
    migrated_engine: Engine, gateway: LocalGateway, tmp_path: Path
) -> None:
    case = f"case-{uuid.uuid4().hex[:10]}"
    enqueue_whatsapp(migrated_engine, case)
    gateway.respond_with(503, then=200)
    notifier = AppriseNotifier(config_for(gateway), outbox_dir=tmp_path)
    first = deliver_pending(migrated_engine, notifier, case_id=case, now=T0)
    assert first.retry_pending[0].last_error == "TransientDeliveryError:http_503"
    assert first.next_attempt_at is not None
    second = deliver_pending(migrated_engine, notifier, case_id=case, now=first.next_attempt_at)
    assert second.sent_now == 1
    deliver_pending(migrated_engine, notifier, case_id=case, now=T0 + timedelta(days=1))
    assert len(gateway.requests) == 2  # one refused, one accepted: delivered once


class SimulatedCrash(BaseException):
    """The worker dies right after the gateway accepted the message, before the outbox update."""


@dataclass
class CrashAfterSend:
    """A Notifier wrapping the real one that dies after its first successful send."""

    inner: Notifier
    crashed: list[str] = field(default_factory=list)

    def send(
        self, *, channel: str, recipient: str, message: RenderedMessage, message_id: str
    ) -> None:
        self.inner.send(
            channel=channel, recipient=recipient, message=message, message_id=message_id
        )
        if not self.crashed:
            self.crashed.append(message_id)
            raise SimulatedCrash


def test_rerun_after_crash_between_send_and_record_sends_nothing_twice(
    migrated_engine: Engine, gateway: LocalGateway, tmp_path: Path
) -> None:
    case = f"case-{uuid.uuid4().hex[:10]}"
    enqueue_whatsapp(migrated_engine, case)
    real = AppriseNotifier(config_for(gateway), outbox_dir=tmp_path)
    with pytest.raises(SimulatedCrash):
        deliver_pending(migrated_engine, CrashAfterSend(real), case_id=case, now=T0)
    assert len(gateway.requests) == 1

    for minutes in (0, 1, 10, 60):  # re-runs at once, and after the claim timeout
        report = deliver_pending(
            migrated_engine, real, case_id=case, now=T0 + timedelta(minutes=minutes)
        )
    assert len(gateway.requests) == 1
    (outcome,) = report.outcomes
    assert outcome.status == OutboxStatus.UNKNOWN
    assert report.needs_operator
