"""Turn Apprise's falsy result into an exception that says whether retrying can help.

Apprise reports a failed send only through its captured log lines; we read the HTTP status
(`error=NNN`), the SMTP reply code or the kind of connection error from them. Only short codes
leave this module, never the log text (it can hold recipients).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from adapters.notify.errors import (
    AmbiguousDeliveryError,
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
)

_HTTP_ERROR = re.compile(r"error=(\d{1,7})\b")
_SMTP_REPLY = re.compile(r"\((\d{3}), b['\"]")
_READ_TIMEOUT = re.compile(r"read timed out|ReadTimeout", re.I)
_TIMEOUT = re.compile(r"timed out|timeout", re.I)
_CONNECTION = re.compile(r"connection error|connection refused|NewConnectionError|Errno", re.I)

_TRANSIENT_HTTP = {408, 425, 429}
# WhatsApp Cloud API (Graph) error codes for which waiting helps: rate limits, temporary outages.
_TRANSIENT_GRAPH = {1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131048, 131056, 133004}
_EMAIL_SCHEMAS = {"mailto", "mailtos"}
_WHATSAPP_CLOUD = {"whatsapp"}


def _http(channel: str, status: int) -> DeliveryError:
    code = f"http_{status}"
    if status >= 500 or status in _TRANSIENT_HTTP:
        return TransientDeliveryError(channel, code)
    return PermanentDeliveryError(channel, code)


def classify_failure(
    channel: str, schema: str, messages: Iterable[str], *, timed_out: bool = False
) -> DeliveryError:
    """The exception for a failed send, from Apprise's captured log messages of that send."""
    if timed_out:
        return AmbiguousDeliveryError(channel, "apprise_timeout")
    text = "\n".join(messages)
    schema = schema.lower()

    if schema in _EMAIL_SCHEMAS:
        reply = _SMTP_REPLY.search(text)
        if reply:
            status = int(reply.group(1))
            code = f"smtp_{status}"
            if 400 <= status < 500:
                return TransientDeliveryError(channel, code)
            return PermanentDeliveryError(channel, code)

    http = _HTTP_ERROR.search(text)
    if http:
        status = int(http.group(1))
        if 400 <= status < 600:
            return _http(channel, status)
        if schema in _WHATSAPP_CLOUD:
            code = f"graph_{status}"
            if status in _TRANSIENT_GRAPH:
                return TransientDeliveryError(channel, code)
            return PermanentDeliveryError(channel, code)

    if _READ_TIMEOUT.search(text) or (schema in _EMAIL_SCHEMAS and _TIMEOUT.search(text)):
        return AmbiguousDeliveryError(channel, "read_timeout")
    if _CONNECTION.search(text) or _TIMEOUT.search(text):
        return TransientDeliveryError(channel, "connection")
    if schema == "outbox":
        if "exception occured" in text or "exception occurred" in text:
            return TransientDeliveryError(channel, "outbox_write")
        return PermanentDeliveryError(channel, "outbox_misconfigured")
    return TransientDeliveryError(channel, "unknown")
