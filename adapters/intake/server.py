"""How the intake is served: uvicorn with proxy trust, timeouts and a connection limit.

uvicorn times out idle keep-alive connections but not a request whose headers arrive slowly
(300 slow connections stayed open indefinitely, issue 15 #11): `guarded_h11` closes a
connection whose request headers are not complete within `header_timeout` seconds. Slow bodies
are the app's job (`request_limits.RequestGuardMiddleware`).

Behind a reverse proxy on another host, set SOPFLOW_FORWARDED_ALLOW_IPS to the proxy's address:
only then is its `X-Forwarded-For` believed, and each member of the public gets their own rate
limit bucket instead of all sharing the proxy's (issue 15 #10). Never `*` on a port the public
can reach directly: anyone could then choose their address.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("sopflow.intake")


class _GuardedH11Protocol(H11Protocol):
    header_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._in_request():
            self._disarm()
        elif self._header_timer is None:  # the next request of a keep-alive connection began
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _in_request(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _arm(self) -> None:
        if not self.transport.is_closing():
            self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self._in_request() and not self.transport.is_closing():
            log.info("connection closed: request headers incomplete after %gs", self.header_timeout)
            self.transport.close()


def guarded_h11(header_timeout: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a deadline for each request's headers."""
    return type("GuardedH11Protocol", (_GuardedH11Protocol,), {"header_timeout": header_timeout})


def intake_server_config(
    app: Any,
    *,
    host: str,
    port: int,
    forwarded_allow_ips: str,
    header_timeout: float,
    max_connections: int,
    log_level: str = "warning",
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        http=guarded_h11(header_timeout),
        timeout_keep_alive=5,
        limit_concurrency=max_connections,  # beyond it: 503 at once, not a slow queue
        h11_max_incomplete_event_size=16 * 1024,  # request line and headers
        log_level=log_level,
    )
