"""Keep Apprise's log lines free of personal data.

Apprise logs recipients at INFO ("Sent Email to ...") and payloads at DEBUG. We stop its logger from
propagating, and forward only WARNING and above, with email addresses and phone numbers masked,
to the `adapters.notify.apprise` logger. DEBUG records are still produced, so that a notify call's
own result capture can classify failures (SMTP codes), but they reach no handler of the application.
"""

from __future__ import annotations

import logging
import re
import threading

APPRISE_LOGGER = "apprise"
FORWARD_LOGGER = "adapters.notify.apprise"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d\s()-]{7,}\d")
_lock = threading.Lock()


def redact(text: str) -> str:
    return _PHONE.sub("[nomor]", _EMAIL.sub("[email]", text))


class _RedactingForwarder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self._target = logging.getLogger(FORWARD_LOGGER)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = redact(record.getMessage())
        except Exception:
            message = "(unformattable Apprise log record)"
        self._target.log(record.levelno, "%s", message)


def configure_apprise_logging() -> None:
    """Idempotent; called whenever an AppriseNotifier is built."""
    with _lock:
        logger = logging.getLogger(APPRISE_LOGGER)
        if any(isinstance(handler, _RedactingForwarder) for handler in logger.handlers):
            return
        logger.addHandler(_RedactingForwarder())
        logger.propagate = False
        logger.setLevel(logging.DEBUG)
