"""Request body cap: a Content-Length above the cap gets 413 before any byte is read; a body
without a length (chunked) is counted while it streams and cut off at the cap."""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.intake.errors import IntakeError


class BodyTooLargeError(IntakeError):
    """The request body went over the cap while it was read."""


class BodyCapMiddleware:
    def __init__(
        self, app: ASGIApp, *, max_bytes: int, too_large: Callable[[Scope], Response]
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.too_large = too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self.too_large(scope)(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLargeError(f"request body over {self.max_bytes} bytes")
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLargeError:
            if started:
                raise
            await self.too_large(scope)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    """The declared length; a malformed header counts as too large (the server refuses it)."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 1 << 62
    return None
