"""AppriseNotifier on the embedded outbox:// channel: files, idempotency, throttle, private logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.notify.apprise_notifier import AppriseNotifier
from adapters.notify.channels import default_channel_config, parse_channel_config
from adapters.notify.errors import PermanentDeliveryError, TransientDeliveryError
from adapters.notify.message import RenderedMessage
from adapters.notify.protocol import Notifier

EMAIL = RenderedMessage(subject="[LII-1] Jawaban", text="Halo Siti ✓", html="<p>Halo</p>")


def test_outbox_channel_writes_one_file_per_message(tmp_path: Path) -> None:
    notifier: Notifier = AppriseNotifier(default_channel_config(), outbox_dir=tmp_path / "outbox")
    notifier.send(channel="email", recipient="siti@example.com", message=EMAIL, message_id="k1")
    notifier.send(
        channel="whatsapp",
        recipient="6281234567890",
        message=RenderedMessage(text="Halo ✓"),
        message_id="k2",
    )
    files = sorted((tmp_path / "outbox").glob("*.json"))
    assert [f.name for f in files] == ["k1.json", "k2.json"]
    first = json.loads(files[0].read_text(encoding="utf-8"))
    assert first == {
        "channel": "email",
        "to": "siti@example.com",
        "message_id": "k1",
        "subject": "[LII-1] Jawaban",
        "format": "text",
        "body": "Halo Siti ✓",
    }
    second = json.loads(files[1].read_text(encoding="utf-8"))
    assert (second["channel"], second["to"]) == ("whatsapp", "6281234567890")
    assert second["body"] == "Halo ✓"


def test_same_message_id_overwrites_the_same_file(tmp_path: Path) -> None:
    notifier = AppriseNotifier(default_channel_config(), outbox_dir=tmp_path)
    for _ in range(3):
        notifier.send(channel="email", recipient="a@example.com", message=EMAIL, message_id="same")
    assert [f.name for f in tmp_path.iterdir()] == ["same.json"]


def test_html_format_channel_receives_html(tmp_path: Path) -> None:
    config = parse_channel_config(
        {
            "channels": {
                "email": {"url": default_channel_config().get("email").url, "format": "html"}
            }
        },
    )
    AppriseNotifier(config, outbox_dir=tmp_path).send(
        channel="email", recipient="a@example.com", message=EMAIL, message_id="h"
    )
    record = json.loads((tmp_path / "h.json").read_text(encoding="utf-8"))
    assert (record["format"], record["body"]) == ("html", "<p>Halo</p>")


def test_throttle_is_off_on_every_plugin_instance(tmp_path: Path) -> None:
    config = parse_channel_config(
        {
            "channels": {
                "email": "mailtos://u:p@example.go.id/?smtp=127.0.0.1&to={recipient}",
                "whatsapp": "whatsapp://token123@1234567890/{recipient}",
                "outbox": default_channel_config().get("supervisor").url,
            }
        }
    )
    notifier = AppriseNotifier(config, outbox_dir=tmp_path)
    for channel, recipient in [
        ("email", "a@example.com"),
        ("whatsapp", "6281234567890"),
        ("outbox", "ops"),
    ]:
        services = list(notifier.client_for(channel=channel, recipient=recipient, message_id="m"))
        assert len(services) == 1
        assert services[0].request_rate_per_sec == 0


def test_unloadable_url_is_permanent(tmp_path: Path) -> None:
    config = parse_channel_config({"channels": {"email": "nosuchschema://x/{recipient}"}})
    with pytest.raises(PermanentDeliveryError) as caught:
        AppriseNotifier(config, outbox_dir=tmp_path).send(
            channel="email", recipient="a@example.com", message=EMAIL, message_id="m"
        )
    assert caught.value.code == "bad_url_nosuchschema"


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def root_records() -> Iterator[list[logging.LogRecord]]:
    """What an application's own root handler (console, file) would receive, at DEBUG."""
    root = logging.getLogger()
    collector = _Collector()
    previous = root.level
    root.addHandler(collector)
    root.setLevel(logging.DEBUG)
    yield collector.records
    root.removeHandler(collector)
    root.setLevel(previous)


def test_unreachable_gateway_is_transient_and_logs_stay_private(
    tmp_path: Path, root_records: list[logging.LogRecord]
) -> None:
    # Port 9 on loopback (discard) is closed on this machine: connection refused.
    config = parse_channel_config(
        {
            "channels": {
                "whatsapp": "json://127.0.0.1:9/api?:chatId={recipient}@c.us",
                "email": default_channel_config().get("email").url,
            }
        }
    )
    notifier = AppriseNotifier(config, outbox_dir=tmp_path)
    with pytest.raises(TransientDeliveryError) as caught:
        notifier.send(
            channel="whatsapp",
            recipient="6281234567890",
            message=RenderedMessage(text="Rahasia Siti Aminah"),
            message_id="m",
        )
    assert caught.value.code == "connection"
    notifier.send(channel="email", recipient="siti@example.com", message=EMAIL, message_id="x")
    forwarded = [r for r in root_records if r.name == "adapters.notify.apprise"]
    assert forwarded, "Apprise's warning reaches the application, redacted"
    assert not [r for r in root_records if r.name.split(".")[0] == "apprise"]
    for record in root_records:
        text = record.getMessage()
        assert "6281234567890" not in text
        assert "siti@example.com" not in text
        assert "Siti Aminah" not in text


def test_factory_writes_under_data_dir_outbox(tmp_path: Path) -> None:
    from adapters.notify.factory import build_notifier
    from adapters.settings import Settings

    notifier = build_notifier(Settings(data_dir=tmp_path, channels_file=None))
    notifier.send(channel="supervisor", recipient="ops", message=EMAIL, message_id="k9")
    record = json.loads((tmp_path / "outbox" / "k9.json").read_text(encoding="utf-8"))
    assert (record["channel"], record["to"]) == ("supervisor", "ops")
