"""What every intake route needs, wired once by `create_app` and read through a dependency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from itsdangerous import URLSafeSerializer
from sqlalchemy import Engine

from adapters.case_links import CaseLinkSigner
from adapters.intake.form_fields import PublicForm
from adapters.intake.pages import Pages
from adapters.intake.security import CsrfTokens, SlidingWindowLimiter
from adapters.prefect.starter import CaseStarter
from adapters.roster import Roster
from adapters.storage.protocol import ObjectStore
from process_definitions.loader import LoadedDefinition


@dataclass(frozen=True)
class IntakeLimits:
    """Rate limits per client IP, and how long forms, receipts and KTP links stay valid."""

    submit_per_window: int = 20
    status_per_window: int = 10
    casefile_per_window: int = 120
    window: timedelta = timedelta(minutes=10)
    form_max_age: timedelta = timedelta(hours=6)
    receipt_max_age: timedelta = timedelta(days=1)
    ktp_link_ttl: timedelta = timedelta(minutes=10)
    starter_timeout_seconds: float = 15.0
    text_part_bytes: int = 64 * 1024  # largest non-file multipart field
    body_overhead_bytes: int = 256 * 1024  # room for text fields and multipart framing


@dataclass
class IntakeContext:
    loaded: LoadedDefinition
    form: PublicForm
    engine: Engine
    store: ObjectStore
    starter: CaseStarter
    signer: CaseLinkSigner
    clock: Callable[[], datetime]
    pages: Pages
    csrf: CsrfTokens
    receipts: URLSafeSerializer
    limits: IntakeLimits
    secure_cookies: bool
    public_base_url: str
    roster: Roster | None = None  # names of the NIPs in the case file's decisions
    submit_limiter: SlidingWindowLimiter = field(init=False)
    status_limiter: SlidingWindowLimiter = field(init=False)
    casefile_limiter: SlidingWindowLimiter = field(init=False)

    def __post_init__(self) -> None:
        def limiter(limit: int) -> SlidingWindowLimiter:
            return SlidingWindowLimiter(limit=limit, window=self.limits.window, clock=self.clock)

        self.submit_limiter = limiter(self.limits.submit_per_window)
        self.status_limiter = limiter(self.limits.status_per_window)
        self.casefile_limiter = limiter(self.limits.casefile_per_window)


def get_context(request: Request) -> IntakeContext:
    context: IntakeContext = request.app.state.intake
    return context


Ctx = Annotated[IntakeContext, Depends(get_context)]


def client_ip(request: Request) -> str:
    """The peer address (behind a proxy, run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else "unknown"
