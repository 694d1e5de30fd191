"""The Notifier port: what the outbox needs from a message-sending system."""

from __future__ import annotations

from typing import Protocol

from adapters.notify.message import RenderedMessage


class Notifier(Protocol):
    def send(
        self, *, channel: str, recipient: str, message: RenderedMessage, message_id: str
    ) -> None:
        """Send one message to one recipient on a configured channel, or raise.

        `message_id` is the outbox idempotency key (no personal data); channels that support it
        use it to deduplicate (the `outbox://` channel names its file after it).
        Raises TransientDeliveryError (retrying may help), PermanentDeliveryError (it will not)
        or AmbiguousDeliveryError (the provider may have accepted it: do not retry blindly).
        """
        ...
