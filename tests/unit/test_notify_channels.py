"""Channel configuration: YAML or the embedded outbox:// default, URL templates per message."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.notify.channels import (
    default_channel_config,
    load_channel_config,
    parse_channel_config,
)
from adapters.notify.errors import ChannelConfigError, InvalidRecipientError, UnknownChannelError


def test_default_sends_every_channel_to_outbox(tmp_path: Path) -> None:
    config = load_channel_config(None)
    assert config == default_channel_config()
    assert sorted(config.channels) == ["email", "supervisor", "whatsapp"]
    for name, definition in config.channels.items():
        assert definition.schema_name == "outbox"
        url = definition.build_url(recipient="x", message_id="k", outbox_dir=tmp_path)
        assert url.startswith(f"outbox://{name}/")
    assert config.get("email").recipient == "email"
    assert config.get("whatsapp").recipient == "whatsapp"
    assert config.max_length("whatsapp") == 4096
    assert config.max_length("email") is None


def test_yaml_file_with_env_secret_and_shorthand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPFLOW_TEST_EVO_KEY", "rahasia123")
    path = tmp_path / "channels.yaml"
    path.write_text(
        "channels:\n"
        "  email:\n"
        "    url: mailtos://kanwil:pw@example.go.id/?smtp=smtp.example.go.id&to={recipient}\n"
        "    format: html\n"
        "  whatsapp: evolution://${SOPFLOW_TEST_EVO_KEY}@wa.example.go.id/kanwil/{recipient}\n",
        encoding="utf-8",
    )
    config = load_channel_config(path)
    email = config.get("email")
    assert email.format == "html"
    assert email.recipient == "email"
    whatsapp = config.get("whatsapp")
    assert whatsapp.recipient == "whatsapp"
    assert whatsapp.url == "evolution://rahasia123@wa.example.go.id/kanwil/{recipient}"
    url = email.build_url(recipient="a+b@example.com", message_id="k1", outbox_dir=tmp_path)
    assert url.endswith("to=a%2Bb@example.com")


def test_missing_env_secret_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text("channels:\n  whatsapp: json://${SOPFLOW_NO_SUCH_VAR_X}@h/\n")
    with pytest.raises(ChannelConfigError, match="SOPFLOW_NO_SUCH_VAR_X is not set"):
        load_channel_config(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "expected a mapping with a 'channels' mapping"),
        ({"channels": {"email": {"format": "html"}}}, "channel 'email' needs a url"),
        ({"channels": {"email": "not a url"}}, "not an Apprise URL"),
        ({"channels": {"Email!": "outbox://x"}}, "must match"),
        ({"channels": {"email": {"url": "outbox://x", "colour": "red"}}}, "colour"),
    ],
)
def test_invalid_configs(data: object, message: str) -> None:
    with pytest.raises(ChannelConfigError, match=message):
        parse_channel_config(data, "channels.yaml")


def test_unreadable_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ChannelConfigError, match="cannot read"):
        load_channel_config(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("channels: [unclosed\n")
    with pytest.raises(ChannelConfigError, match="not valid YAML"):
        load_channel_config(broken)


def test_unknown_channel_and_recipient_normalisation() -> None:
    config = default_channel_config()
    with pytest.raises(UnknownChannelError, match="'sms' is not configured"):
        config.get("sms")
    assert config.normalise_recipient("whatsapp", "0812-3456-7890") == "6281234567890"
    with pytest.raises(InvalidRecipientError):
        config.normalise_recipient("whatsapp", "021-5551234")
    assert config.normalise_recipient("supervisor", " ops ") == "ops"


EXAMPLE = Path(__file__).resolve().parents[2] / "adapters" / "notify" / "channels.example.yaml"
EXAMPLE_ENV = {
    "SMTP_PASSWORD": "pw",
    "WA_CLOUD_TOKEN": "token123",
    "WA_PHONE_NUMBER_ID": "1234567890123",
    "EVOLUTION_API_KEY": "evokey",
    "WAHA_API_KEY": "wahakey",
    "FONNTE_TOKEN": "fonntetoken",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "a" * 32,
    "TWILIO_WHATSAPP_FROM": "14155238886",
}


def test_example_file_loads_in_apprise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every provider in the shipped example is a URL Apprise accepts (nothing is sent)."""
    from adapters.notify.apprise_notifier import AppriseNotifier

    for name, value in EXAMPLE_ENV.items():
        monkeypatch.setenv(name, value)
    config = load_channel_config(EXAMPLE)
    notifier = AppriseNotifier(config, outbox_dir=tmp_path)
    recipients = {"email": "siti@example.com", "whatsapp": "6281234567890", "plain": "ops"}
    for name, definition in config.channels.items():
        client = notifier.client_for(
            channel=name, recipient=recipients[definition.recipient], message_id="k"
        )
        (service,) = list(client)
        assert service.request_rate_per_sec == 0, name
    assert {d.schema_name for d in config.channels.values()} == {
        "mailtos",
        "whatsapp",
        "evolutions",
        "jsons",
        "forms",
        "twilio",
        "outbox",
    }
