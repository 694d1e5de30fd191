"""Abuse controls of the public pages: CSRF tokens, honeypot, rate limits, security headers.

CSRF is a signed double submit: a random nonce sits in a cookie, and the form carries a token
signed with the instance secret holding that nonce and the time the form was opened. A valid
token therefore also tells the server, unforgeably, when the page was opened (SOP step 1).
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadData, URLSafeSerializer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.intake.errors import IntakeError

# Form-control and cookie names outside the field id pattern: no definition can collide.
CSRF_FIELD = "csrf-token"
CSRF_COOKIE = "sopflow-csrf"
HONEYPOT_FIELD = "situs-web"
_CLOCK_SKEW = timedelta(minutes=1)
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


class CsrfError(IntakeError):
    """The form token is missing, tampered with, expired or does not match the cookie."""


@dataclass(frozen=True)
class FormTicket:
    nonce: str
    opened_at: datetime


class CsrfTokens:
    def __init__(self, secret: str, *, max_age: timedelta) -> None:
        self._serializer = URLSafeSerializer(secret, salt="sopflow.intake.form")
        self.max_age = max_age

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_urlsafe(24)

    def issue(self, nonce: str, *, opened_at: datetime) -> str:
        return str(self._serializer.dumps({"n": nonce, "o": opened_at.astimezone(UTC).timestamp()}))

    def verify(self, token: str | None, cookie: str | None, *, now: datetime) -> FormTicket:
        if not token or not cookie:
            raise CsrfError("form token or cookie missing")
        try:
            payload = self._serializer.loads(token)
        except BadData:
            raise CsrfError("form token not valid") from None
        if not isinstance(payload, dict):
            raise CsrfError("form token not valid")
        nonce, opened = payload.get("n"), payload.get("o")
        if not isinstance(nonce, str) or not isinstance(opened, int | float):
            raise CsrfError("form token not valid")
        if not hmac.compare_digest(nonce.encode(), cookie.encode()):
            raise CsrfError("form token does not match the cookie")
        opened_at = datetime.fromtimestamp(opened, UTC)
        if opened_at > now + _CLOCK_SKEW or now - opened_at > self.max_age:
            raise CsrfError("form token expired")
        return FormTicket(nonce=nonce, opened_at=opened_at)


def is_nonce(value: str) -> bool:
    """A cookie value fit to be signed into a form token."""
    return bool(_NONCE.match(value))


class SlidingWindowLimiter:
    """At most `limit` hits per client within `window`; memory bounded by `max_clients`."""

    def __init__(
        self,
        *,
        limit: int,
        window: timedelta,
        clock: Callable[[], datetime],
        max_clients: int = 10_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_clients = max_clients
        self._hits: OrderedDict[str, deque[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, client: str) -> int | None:
        """Count a hit; None if allowed, else the seconds until the next hit is allowed."""
        now = self._clock()
        with self._lock:
            hits = self._hits.pop(client, None) or deque()
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            self._hits[client] = hits  # most recently used last
            while len(self._hits) > self._max_clients:
                self._hits.popitem(last=False)
            if len(hits) >= self.limit:
                return max(1, int((hits[0] + self.window - now).total_seconds()) + 1)
            hits.append(now)
            return None


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response, and `no-store` unless set."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
