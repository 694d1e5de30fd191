"""What the intake routes need, wired once by `create_app` and read through dependencies.

One `IntakeSite` per app holds what every service shares (database, store, secrets, rate
limits); one `IntakeContext` per SOP served holds its definition, its form and its pages and
reaches the shared parts through the site. A SOP's routes live under `/<definition id>/`;
`Ctx` finds the SOP from the path the request matched, `Site` is the app-wide part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated

import anyio
from fastapi import Depends, HTTPException, Request
from itsdangerous import URLSafeSerializer
from sqlalchemy import Engine
from starlette.types import Scope

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
    body_idle_seconds: float = 20.0  # longest pause between chunks of a request body
    body_seconds: float = 120.0  # a 2 MB KTP over a slow mobile link, with room
    upload_checks_at_once: int = 2  # decodes/parses in worker threads at a time (2 cores)


@dataclass
class IntakeSite:
    """The app-wide part: one database, store and set of rate limits for every service."""

    engine: Engine
    store: ObjectStore
    starter: CaseStarter
    signer: CaseLinkSigner
    clock: Callable[[], datetime]
    pages: Pages  # pages that belong to no one service (list, status, errors)
    csrf: CsrfTokens
    receipts: URLSafeSerializer
    limits: IntakeLimits
    secure_cookies: bool
    public_base_url: str
    services: dict[str, IntakeContext] = field(default_factory=dict)  # by definition id
    roster: Roster | None = None  # names of the NIPs in the case file's decisions
    submit_limiter: SlidingWindowLimiter = field(init=False)
    status_limiter: SlidingWindowLimiter = field(init=False)
    casefile_limiter: SlidingWindowLimiter = field(init=False)
    upload_checks: anyio.CapacityLimiter = field(init=False)

    def __post_init__(self) -> None:
        def limiter(limit: int) -> SlidingWindowLimiter:
            return SlidingWindowLimiter(limit=limit, window=self.limits.window, clock=self.clock)

        self.submit_limiter = limiter(self.limits.submit_per_window)
        self.status_limiter = limiter(self.limits.status_per_window)
        self.casefile_limiter = limiter(self.limits.casefile_per_window)
        self.upload_checks = anyio.CapacityLimiter(self.limits.upload_checks_at_once)

    def service_for_reference(self, reference: str) -> IntakeContext | None:
        """The service whose reference prefix starts `reference` (`PLY-2026-...` -> PLY)."""
        prefix = reference.split("-", 1)[0].upper()
        for service in self.services.values():
            if service.loaded.definition.reference_prefix == prefix:
                return service
        return None


@dataclass
class IntakeContext:
    """One SOP served by the app: its definition, form and pages, under `base_path`."""

    site: IntakeSite
    loaded: LoadedDefinition
    form: PublicForm
    pages: Pages

    @property
    def definition_id(self) -> str:
        return self.loaded.definition.id

    @property
    def base_path(self) -> str:
        """`/layanan-informasi-integrasi`: every URL of this service starts with it."""
        return f"/{self.definition_id}"

    @property
    def form_url(self) -> str:
        """The form's public address (the QR code points here)."""
        return f"{self.public_base_url.rstrip('/')}{self.base_path}/"

    # The shared parts, read through the site (routes write `ctx.engine`, `ctx.clock`, ...).
    @property
    def engine(self) -> Engine:
        return self.site.engine

    @property
    def store(self) -> ObjectStore:
        return self.site.store

    @property
    def starter(self) -> CaseStarter:
        return self.site.starter

    @property
    def signer(self) -> CaseLinkSigner:
        return self.site.signer

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.site.clock

    @property
    def csrf(self) -> CsrfTokens:
        return self.site.csrf

    @property
    def receipts(self) -> URLSafeSerializer:
        return self.site.receipts

    @property
    def limits(self) -> IntakeLimits:
        return self.site.limits

    @property
    def secure_cookies(self) -> bool:
        return self.site.secure_cookies

    @property
    def public_base_url(self) -> str:
        return self.site.public_base_url

    @property
    def submit_limiter(self) -> SlidingWindowLimiter:
        return self.site.submit_limiter

    @property
    def status_limiter(self) -> SlidingWindowLimiter:
        return self.site.status_limiter

    @property
    def casefile_limiter(self) -> SlidingWindowLimiter:
        return self.site.casefile_limiter

    @property
    def upload_checks(self) -> anyio.CapacityLimiter:
        return self.site.upload_checks


def get_site(request: Request) -> IntakeSite:
    site: IntakeSite = request.app.state.intake
    return site


def first_segment(scope: Scope) -> str:
    """`/layanan-informasi-integrasi/kirim` -> `layanan-informasi-integrasi` (below root_path)."""
    path, root = str(scope.get("path", "")), str(scope.get("root_path", ""))
    if root and path.startswith(root):
        path = path[len(root) :]
    return path.lstrip("/").split("/", 1)[0]


def get_context(request: Request) -> IntakeContext:
    """The SOP of the request: every service's routes live under `/<definition id>/`."""
    service = get_site(request).services.get(first_segment(request.scope))
    if service is None:
        raise HTTPException(status_code=404)
    return service


Site = Annotated[IntakeSite, Depends(get_site)]
Ctx = Annotated[IntakeContext, Depends(get_context)]


def client_ip(request: Request) -> str:
    """The peer address (behind a proxy, run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else "unknown"
