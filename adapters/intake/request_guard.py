"""Slow and abandoned requests (issue 15 #11).

A body must keep arriving: no gap longer than `idle_seconds` between chunks, all of it within
`body_seconds` of the first read, else 408 (a connection that dribbles a byte every few seconds
held a worker forever). A client that goes away mid-request is one short log line, not a
traceback (150 disconnects made a 728 KB log).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import anyio
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.intake.errors import IntakeError

log = logging.getLogger("sopflow.intake")


class BodyTimeoutError(IntakeError):
    """The request body did not arrive in time."""


class RequestGuardMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        idle_seconds: float,
        body_seconds: float,
        timed_out: Callable[[Scope], Response],
    ) -> None:
        self.app = app
        self.idle_seconds = idle_seconds
        self.body_seconds = body_seconds
        self.timed_out = timed_out

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline: float | None = None
        body_done = False
        started = False

        async def timed_receive() -> Message:
            nonlocal deadline, body_done
            if body_done:  # later reads wait for a disconnect (streaming responses): no limit
                return await receive()
            now = time.monotonic()
            deadline = deadline or now + self.body_seconds
            wait = min(self.idle_seconds, deadline - now)
            try:
                with anyio.fail_after(max(wait, 0)):
                    message = await receive()
            except TimeoutError:
                raise BodyTimeoutError("request body too slow") from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, timed_receive, tracking_send)
        except ClientDisconnect:
            log.info("client disconnected before the request was complete")
        except BodyTimeoutError:
            log.info("request refused: body incomplete in time")
            if not started:
                await self.timed_out(scope)(scope, receive, send)
