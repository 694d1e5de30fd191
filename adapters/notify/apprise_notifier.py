"""AppriseNotifier: the Notifier port over Apprise, raising instead of returning False."""

from __future__ import annotations

import logging
from pathlib import Path

import apprise
from apprise import AppriseAsset, NotifyFormat, PersistentStoreMode
from apprise.result import AppriseResultStatus

import adapters.notify.outbox_plugin  # noqa: F401  (registers the outbox:// schema)
from adapters.notify.apprise_logging import configure_apprise_logging
from adapters.notify.channels import ChannelConfig
from adapters.notify.classify import classify_failure
from adapters.notify.errors import PermanentDeliveryError
from adapters.notify.message import RenderedMessage


class AppriseNotifier:
    """Sends through the Apprise URL configured for each channel.

    A fresh Apprise object per message: the URL carries the recipient, and no plugin state
    (throttle clock, delivered-target memory) survives between messages. The per-instance throttle
    is switched off; the outbox paces retries itself.
    """

    def __init__(
        self, config: ChannelConfig, *, outbox_dir: Path, timeout_seconds: float = 60.0
    ) -> None:
        configure_apprise_logging()
        self._config = config
        self._outbox_dir = outbox_dir.resolve()
        self._timeout = timeout_seconds
        self._asset = AppriseAsset(async_mode=False, storage_mode=PersistentStoreMode.MEMORY)

    @property
    def config(self) -> ChannelConfig:
        return self._config

    def client_for(self, *, channel: str, recipient: str, message_id: str) -> apprise.Apprise:
        """The Apprise object for one message, throttle off. Raises PermanentDeliveryError
        when the channel's URL is not one Apprise can load (a configuration problem)."""
        definition = self._config.get(channel)
        url = definition.build_url(
            recipient=recipient, message_id=message_id, outbox_dir=self._outbox_dir
        )
        client = apprise.Apprise(asset=self._asset)
        if not client.add(url):
            raise PermanentDeliveryError(channel, f"bad_url_{definition.schema_name}"[:60])
        for service in client:
            service.request_rate_per_sec = 0
        return client

    def send(
        self, *, channel: str, recipient: str, message: RenderedMessage, message_id: str
    ) -> None:
        definition = self._config.get(channel)
        client = self.client_for(channel=channel, recipient=recipient, message_id=message_id)
        use_html = definition.format == "html" and message.html is not None
        body = message.html if use_html and message.html is not None else message.text
        result = client.notify(
            body=body,
            title=message.subject or "",
            body_format=NotifyFormat.HTML if use_html else NotifyFormat.TEXT,
            timeout=self._timeout,
            log_level=logging.DEBUG,
        )
        if result:
            return
        messages = [entry.message for entry in result.logs()]
        timed_out = result.status == AppriseResultStatus.TIMEOUT
        raise classify_failure(channel, definition.schema_name, messages, timed_out=timed_out)
