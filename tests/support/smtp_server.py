"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, a free port, messages kept in memory.

It can be stopped and started again on the same port (to test "SMTP down, then back").
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class _Handler:
    def __init__(self, sink: list[ReceivedMail], lock: threading.Lock) -> None:
        self._sink = sink
        self._lock = lock

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self._sink.append(
                ReceivedMail(
                    mail_from=envelope.mail_from,
                    rcpt_tos=tuple(envelope.rcpt_tos),
                    raw=bytes(envelope.original_content or envelope.content),
                )
            )
        return "250 Message accepted for delivery"


class LocalSmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self._lock = threading.Lock()
        self._messages: list[ReceivedMail] = []
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._messages)

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is not None:
            return
        controller = Controller(
            _Handler(self._messages, self._lock),
            hostname=self.host,
            port=self.port,
            ready_timeout=10,
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def mailto_url(self, *, sender: str = "layanan@kanwil.example.go.id") -> str:
        """Apprise `mailto://` for this server: plain SMTP on loopback, no TLS, no login."""
        return (
            f"mailto://{self.host}:{self.port}/?smtp={self.host}&from={sender}"
            "&name=Layanan%20Informasi&to={recipient}"
        )

    def __enter__(self) -> LocalSmtpServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
