"""Errors of the notify adapter.

Messages name channels, templates and short codes only: never a recipient, a body or a URL
(channel URLs hold credentials and recipients).
"""

from __future__ import annotations


class NotifyError(Exception):
    """Base class of every error raised by adapters.notify."""


class DeliveryError(NotifyError):
    """A message could not be confirmed as delivered.

    `code` is short and free of personal data (e.g. `http_503`, `smtp_550`, `connection`); it is
    what the outbox stores as the last error, prefixed with the class name.
    """

    retryable: bool = False

    def __init__(self, channel: str, code: str) -> None:
        self.channel = channel
        self.code = code
        super().__init__(f"delivery via channel '{channel}' failed: {code}")

    @property
    def short(self) -> str:
        """`<ErrorClass>:<code>`, the form stored in the outbox's last_error."""
        return f"{type(self).__name__}:{self.code}"[:120]


class TransientDeliveryError(DeliveryError):
    """Not delivered; trying again later may help (connection refused, 5xx, 429, SMTP 4xx)."""

    retryable = True


class PermanentDeliveryError(DeliveryError):
    """Not delivered; trying again will not help (4xx, SMTP 5xx, misconfigured channel)."""


class AmbiguousDeliveryError(DeliveryError):
    """The provider may or may not have accepted the message (timeout after the request was sent).

    Retrying could send it twice, so the outbox records it as `unknown` for an operator.
    """


class ChannelConfigError(NotifyError):
    """The channel configuration (YAML or settings) is invalid."""


class UnknownChannelError(ChannelConfigError):
    """A notify step names a channel that is not configured."""

    def __init__(self, channel: str, known: list[str]) -> None:
        self.channel = channel
        super().__init__(
            f"channel '{channel}' is not configured; configured channels: {', '.join(known)}"
        )


class InvalidRecipientError(NotifyError):
    """A recipient cannot be used on a channel (e.g. not a valid Indonesian mobile number)."""

    def __init__(self, kind: str, reason: str) -> None:
        self.kind = kind
        self.reason = reason
        super().__init__(f"invalid {kind} recipient: {reason}")

    @property
    def short(self) -> str:
        return f"InvalidRecipientError:{self.kind}_{self.reason}"[:120]


class TemplateError(NotifyError):
    """A message template is missing, broken or renders something unusable."""


class MessageTooLongError(TemplateError):
    """A rendered text exceeds the channel's limit."""

    def __init__(self, template_id: str, channel: str, length: int, limit: int) -> None:
        self.length = length
        self.limit = limit
        super().__init__(
            f"template '{template_id}' for channel '{channel}' renders {length} characters; "
            f"the channel allows {limit}: shorten the template"
        )
