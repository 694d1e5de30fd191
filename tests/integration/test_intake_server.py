"""Issue 15 #10, #11 against a real uvicorn: slow headers and bodies are cut off, abandoned
requests log one line each, the proxy setting reaches uvicorn."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn
from starlette.requests import Request

from adapters.db.migrate import upgrade
from adapters.intake.context import IntakeLimits
from adapters.intake.server import intake_server_config
from adapters.settings import Settings
from adapters.storage.local_s3 import free_ports
from tests.integration.test_intake_app import make_intake

pytestmark = pytest.mark.integration
WAIT = 15.0  # the longest any check waits for the server to act (not a speed assertion)


@contextmanager
def served(app: Any, **options: Any) -> Iterator[int]:
    port = free_ports(1)[0]
    config = intake_server_config(
        app,
        host="127.0.0.1",
        port=port,
        forwarded_allow_ips=options.get("forwarded_allow_ips", "127.0.0.1"),
        header_timeout=options.get("header_timeout", 0.5),
        max_connections=options.get("max_connections", 1000),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(WAIT)


@pytest.fixture
def app(sqlite_url: str) -> Any:
    upgrade(sqlite_url)
    limits = IntakeLimits(body_idle_seconds=0.5, body_seconds=2.0, submit_per_window=10_000)
    return make_intake(sqlite_url, limits=limits).client.app


def closed_by_server(sock: socket.socket) -> bool:
    """Wait until the server closes `sock` (reads EOF, perhaps after a response)."""
    sock.settimeout(WAIT)
    try:
        while chunk := sock.recv(65536):
            del chunk
    except (TimeoutError, OSError):
        return False
    return True


def test_slow_headers_are_cut_off(app: Any) -> None:
    with served(app, header_timeout=0.5) as port:
        slow = []
        for _ in range(50):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(sock)
        assert all(closed_by_server(sock) for sock in slow)
        for sock in slow:
            sock.close()


def test_a_stalled_body_gets_408(app: Any) -> None:
    with served(app) as port:
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(
            b"POST /layanan-informasi-integrasi/kirim HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\n"
            b"Content-Length: 100000\r\n\r\n--b\r\n"
        )
        sock.settimeout(WAIT)
        answer = sock.recv(65536)
        sock.close()
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"Waktu pengiriman habis" in answer or b"408" in answer


def test_abandoned_requests_log_one_short_line_each(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with served(app) as port:
        for _ in range(150):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(
                b"POST /layanan-informasi-integrasi/kirim HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: multipart/form-data; boundary=b\r\n"
                b"Content-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; "
            )
            sock.close()
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and _disconnects(caplog) < 150:
            time.sleep(0.05)
    assert _disconnects(caplog) == 150
    assert not any(record.exc_info for record in caplog.records)
    assert sum(len(caplog.handler.format(r)) for r in caplog.records) < 40_000


def _disconnects(caplog: pytest.LogCaptureFixture) -> int:
    return sum("disconnected" in r.getMessage() for r in caplog.records)


def test_forwarded_for_is_believed_only_from_the_configured_proxy(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    intake = make_intake(sqlite_url)
    seen: list[str] = []

    @intake.client.app.get("/_whoami")  # type: ignore[attr-defined,untyped-decorator]
    async def whoami(request: Request) -> str:
        seen.append(request.client.host if request.client else "?")
        return "ok"

    for allowed, expected in (("127.0.0.1", "203.0.113.9"), ("192.0.2.1", "127.0.0.1")):
        with served(intake.client.app, forwarded_allow_ips=allowed) as port:
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(
                b"GET /_whoami HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\n"
                b"Connection: close\r\n\r\n"
            )
            closed_by_server(sock)
            sock.close()
        assert seen[-1] == expected


def test_the_setting_is_documented() -> None:
    field = Settings.model_fields["forwarded_allow_ips"]
    assert field.default == "127.0.0.1" and "X-Forwarded-For" in (field.description or "")
