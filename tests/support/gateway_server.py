"""A local HTTP server standing in for a WhatsApp gateway (WAHA, Evolution API, the Cloud API).

Records every request; answers with a configured status (a queue of statuses, then a default).
Also registers `whatsapplocal://`, Apprise's own WhatsApp Cloud API plugin with its Graph endpoint
moved to this loopback server (`graph=` URL parameter): the stock plugin hard-codes
graph.facebook.com, and tests must never leave the machine.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from apprise.exception import AppriseImproperlyConfigured
from apprise.manager_plugins import NotificationManager
from apprise.plugins.whatsapp import NotifyWhatsApp

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class _State:
    requests: list[RecordedRequest] = field(default_factory=list)
    statuses: deque[int] = field(default_factory=deque)
    default_status: int = 200
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    state: _State

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.state.lock:
            self.state.requests.append(
                RecordedRequest(self.command, self.path, dict(self.headers.items()), body)
            )
            status = (
                self.state.statuses.popleft() if self.state.statuses else self.state.default_status
            )
        payload = b'{"sent": true, "id": "local-1"}' if status < 300 else b'{"sent": false}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = _answer
    do_PUT = _answer
    do_GET = _answer

    def log_message(self, format: str, *args: Any) -> None:
        return


class LocalGateway:
    def __init__(self) -> None:
        self._state = _State()
        handler = type("BoundHandler", (_Handler,), {"state": self._state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.host = "127.0.0.1"
        self.port = int(self._server.server_address[1])
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._state.lock:
            return list(self._state.requests)

    def respond_with(self, *statuses: int, then: int = 200) -> None:
        with self._state.lock:
            self._state.statuses = deque(statuses)
            self._state.default_status = then

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LocalGateway:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    # Apprise URL templates for this server, `{recipient}` filled per message.
    def waha_url(self, *, session: str = "default", api_key: str = "waha-key") -> str:
        """WAHA `POST /api/sendText` with `{session, chatId, text}` through Apprise's json://."""
        return (
            f"json://{self.host}:{self.port}/api/sendText?"
            f":chatId={{recipient}}@c.us&:session={session}&:message=text"
            "&:title=&:version=&:type=&:attachments="
            f"&+X-Api-Key={api_key}"
        )

    def evolution_url(self, *, instance: str = "kanwil", api_key: str = "evokey") -> str:
        return f"evolution://{api_key}@{self.host}:{self.port}/{instance}/{{recipient}}"

    def cloud_api_url(self, *, template: str | None = None, lang: str = "id") -> str:
        register_loopback_whatsapp()
        auth = f"{template}:accesstoken123" if template else "accesstoken123"
        extra = f"&lang={lang}&:body=1" if template else ""
        return (
            f"{LoopbackWhatsApp.secure_protocol}://{auth}@1234567890123/{{recipient}}"
            f"?graph={self.base_url}{extra}"
        )


class LoopbackWhatsApp(NotifyWhatsApp):  # type: ignore[no-untyped-call]
    """The stock WhatsApp Cloud API plugin, posting to a loopback `graph=` base URL."""

    secure_protocol = "whatsapplocal"
    service_name = "WhatsApp Cloud API (loopback stand-in)"
    template_args = {  # noqa: RUF012  (Apprise's own class-level convention)
        **NotifyWhatsApp.template_args,
        "graph": {"name": "Graph URL", "type": "string"},
    }

    def __init__(self, graph: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        parts = urlsplit(graph or "")
        if graph is None or parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
            raise AppriseImproperlyConfigured(  # type: ignore[no-untyped-call]
                "whatsapplocal:// needs graph=http://127.0.0.1:PORT"
            )
        self.notify_url = f"{graph.rstrip('/')}/{{fb_ver}}/{{phone_id}}/messages"

    @staticmethod
    def parse_url(url: Any, *args: Any, **kwargs: Any) -> Any:
        results = NotifyWhatsApp.parse_url(url)  # type: ignore[no-untyped-call]
        if results and results["qsd"].get("graph"):
            results["graph"] = results["qsd"]["graph"]
        return results


def register_loopback_whatsapp() -> None:
    manager = NotificationManager()  # type: ignore[no-untyped-call]
    if LoopbackWhatsApp.secure_protocol not in manager:
        manager.add(LoopbackWhatsApp, schemas=LoopbackWhatsApp.secure_protocol)  # type: ignore[no-untyped-call]
