"""Composition root of the intake web app: one app serves every SOP of the definitions folder.

`/` lists the services; each has its form, receipt, status page and QR poster under
`/<definition id>/`; `/status` (any reference) and the case file `/berkas/...` are app-wide.

`create_app` takes every collaborator as an argument (tests inject fakes); `build_app_from_settings`
wires the real ones (MinIO/S3 store, Prefect starter) for `sopflow serve`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from itsdangerous import URLSafeSerializer
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from adapters.case_links import CaseLinkSigner, instance_secret
from adapters.db.engine import make_engine
from adapters.definition_check import load_checked_definitions
from adapters.intake import (
    routes_casefile,
    routes_form,
    routes_poster,
    routes_services,
    routes_status,
    routes_survey,
)
from adapters.intake.context import IntakeContext, IntakeLimits, IntakeSite, first_segment
from adapters.intake.form_fields import FormDefinitionError, human_size, join_id, public_form
from adapters.intake.openapi_forms import install_openapi
from adapters.intake.pages import STATIC_DIR, Pages
from adapters.intake.request_guard import RequestGuardMiddleware
from adapters.intake.request_limits import BodyCapMiddleware
from adapters.intake.security import CsrfTokens, SecurityHeadersMiddleware
from adapters.prefect.starter import CaseStarter, PrefectCaseStarter
from adapters.roster import Roster, load_roster
from adapters.settings import Settings
from adapters.storage.protocol import ObjectStore
from process_definitions.loader import LoadedDefinition, did_you_mean

SITE_TITLE = "Layanan Permohonan Daring"
# First path segments the intake uses itself: no definition may be served under them.
RESERVED_PATHS = frozenset({"static", "status", "berkas", "survei", "openapi.json"})
_TZ_LABELS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
_HTTP_TITLES = {
    400: "Permintaan tidak dapat diproses",
    404: "Halaman tidak ditemukan",
    405: "Permintaan tidak didukung",
    413: "Kiriman terlalu besar",
    422: "Permintaan tidak lengkap",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    *,
    definitions: Sequence[LoadedDefinition],
    engine: Engine,
    store: ObjectStore,
    starter: CaseStarter,
    signer: CaseLinkSigner,
    secret_key: str,
    clock: Callable[[], datetime] = utc_now,
    public_base_url: str = "http://127.0.0.1:8000",
    limits: IntakeLimits | None = None,
    timezone: str = "Asia/Jakarta",
    roster: Roster | None = None,
) -> FastAPI:
    """The intake app for every given definition: `/` lists them, each has its form, status
    page and poster under `/<definition id>/`. FormDefinitionError if one has no form step,
    several, a file field the upload checks cannot verify, or an id or prefix already taken."""
    limits = limits or IntakeLimits()
    tz, tz_label = ZoneInfo(timezone), _TZ_LABELS.get(timezone, timezone)
    _check_served(definitions)
    forms = {d.definition.id: (d, public_form(d.definition)) for d in definitions}
    offices = list(dict.fromkeys(loaded.definition.sop.office for loaded in definitions))
    site = IntakeSite(
        engine=engine,
        store=store,
        starter=starter,
        signer=signer,
        clock=clock,
        pages=Pages(site_title=SITE_TITLE, office=join_id(offices), tz=tz, tz_label=tz_label),
        csrf=CsrfTokens(secret_key, max_age=limits.form_max_age),
        receipts=URLSafeSerializer(secret_key, salt="sopflow.intake.receipt"),
        limits=limits,
        secure_cookies=public_base_url.startswith("https://"),
        public_base_url=public_base_url,
        roster=roster,
    )
    for definition_id, (loaded, form) in forms.items():
        definition = loaded.definition
        pages = Pages(
            site_title=definition.title,
            office=definition.sop.office,
            tz=tz,
            tz_label=tz_label,
            base_path=f"/{definition_id}",
        )
        site.services[definition_id] = IntakeContext(site, loaded, form, pages)
    app = FastAPI(
        title="sopflow intake",
        version=",".join(f"{d.definition.id}@{d.definition.version}" for d in definitions),
        docs_url=None,  # Swagger UI and ReDoc load assets from CDNs; the schema stays
        redoc_url=None,
    )
    app.state.intake = site
    for module in (routes_services, routes_status, routes_casefile, routes_survey):
        app.include_router(module.site_router)
    for definition_id in site.services:
        for module in (routes_form, routes_status, routes_poster):
            app.include_router(module.router, prefix=f"/{definition_id}")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_openapi(app, site)
    _install_error_pages(app, site.pages)
    max_body = max(s.form.max_upload_bytes() for s in site.services.values())
    max_body += limits.body_overhead_bytes
    app.add_middleware(
        BodyCapMiddleware, max_bytes=max_body, too_large=lambda scope: _too_large(site, scope)
    )
    app.add_middleware(
        RequestGuardMiddleware,
        idle_seconds=limits.body_idle_seconds,
        body_seconds=limits.body_seconds,
        timed_out=lambda scope: _timed_out(site, scope),
    )
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: every response gets the headers
    return app


def _check_served(definitions: Sequence[LoadedDefinition]) -> None:
    """Every service needs its own path and its own reference prefix."""
    if not definitions:
        raise FormDefinitionError("no definitions to serve")
    seen_ids: set[str] = set()
    seen_prefixes: dict[str, str] = {}
    for loaded in definitions:
        definition = loaded.definition
        if definition.id in RESERVED_PATHS:
            raise FormDefinitionError(
                f"definition id {definition.id!r} is a path of the intake itself; rename it"
            )
        if definition.id in seen_ids:
            raise FormDefinitionError(f"definition id {definition.id!r} is served twice")
        other = seen_prefixes.get(definition.reference_prefix)
        if other is not None:
            raise FormDefinitionError(
                f"definitions {other!r} and {definition.id!r} share the reference prefix "
                f"{definition.reference_prefix!r}; give each its own"
            )
        seen_ids.add(definition.id)
        seen_prefixes[definition.reference_prefix] = definition.id


def _too_large(site: IntakeSite, scope: Scope) -> Response:
    """413 naming the file limit the service's form shows (not the body cap behind it)."""
    service = site.services.get(first_segment(scope))
    if service is None:
        return site.pages.message(
            title="Kiriman terlalu besar", text="Kiriman terlalu besar.", status=413
        )
    files = service.form.file_fields
    if len(files) == 1:
        limit = f"batas {human_size(files[0].max_size)}"
    elif files:
        limit = "batas " + join_id([f"{f.label} {human_size(f.max_size)}" for f in files])
    else:
        limit = "batas yang diizinkan"
    return service.pages.message(
        title="Kiriman terlalu besar",
        text=f"Kiriman melebihi {limit}. Kembali, pilih berkas yang lebih kecil, lalu kirim lagi.",
        status=413,
        link=(f"{service.base_path}/", "Kembali ke formulir"),
    )


def _timed_out(site: IntakeSite, scope: Scope) -> Response:
    """408 for a body that arrived too slowly, with the way back to the service's form."""
    service = site.services.get(first_segment(scope))
    return (service.pages if service else site.pages).message(
        title="Waktu pengiriman habis",
        text="Kiriman terlalu lama diterima. Periksa sambungan internet Anda lalu kirim lagi.",
        status=408,
        link=(f"{service.base_path}/", "Kembali ke formulir")
        if service
        else ("/", "Ke daftar layanan"),
        headers={"connection": "close"},
    )


def _install_error_pages(app: FastAPI, pages: Pages) -> None:
    """HTML pages in Bahasa Indonesia instead of FastAPI's JSON errors."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        title = _HTTP_TITLES.get(exc.status_code, "Permintaan tidak dapat diproses")
        return pages.message(
            title=title,
            text="Periksa alamat atau isian Anda, lalu coba lagi.",
            status=exc.status_code,
            link=("/", "Ke daftar layanan"),
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, _exc: RequestValidationError) -> Response:
        return pages.message(
            title=_HTTP_TITLES[422],
            text="Permintaan tidak lengkap atau tidak sah.",
            status=422,
            link=("/", "Ke daftar layanan"),
        )


def served_definitions(settings: Settings) -> list[LoadedDefinition]:
    """Every definition in definitions_dir (`<sop>/process.yaml`), checked as serve, deploy and
    the runner check them, or those `intake_services` names. DefinitionErrors for a folder that
    fails the check (or holds none); FormDefinitionError for an unknown name."""
    loaded = load_checked_definitions(settings)
    wanted = [name.strip() for name in settings.intake_services.split(",") if name.strip()]
    if not wanted:
        return loaded
    by_id = {item.definition.id: item for item in loaded}
    for name in wanted:
        if name not in by_id:
            hint = did_you_mean(name, by_id) or f"definitions: {', '.join(by_id)}"
            raise FormDefinitionError(f"SOPFLOW_INTAKE_SERVICES names {name!r}: not found ({hint})")
    return [by_id[name] for name in dict.fromkeys(wanted)]


def build_app_from_settings(
    settings: Settings,
    *,
    store: ObjectStore | None = None,
    starter: CaseStarter | None = None,
    engine: Engine | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> FastAPI:
    """The app with real collaborators: S3 from settings (or the given store, e.g. one on a
    local `weed mini` that `sopflow serve` started), Prefect, the configured database. The
    database must already be migrated (`adapters.db.migrate.upgrade`)."""
    if store is None:
        if not settings.s3_endpoint:
            raise ValueError(
                "no S3 endpoint configured (SOPFLOW_S3_ENDPOINT): start a local one with "
                "adapters.storage.local_s3.running_local_s3 and pass its store"
            )
        from adapters.storage.minio_store import MinioObjectStore

        store = MinioObjectStore(
            settings.s3_endpoint,
            settings.s3_access_key,
            settings.s3_secret_key,
            settings.s3_bucket,
            secure=settings.s3_secure,
        )
    secret = instance_secret(settings.secret_key, settings.ensure_data_dir())
    limits = IntakeLimits(
        submit_per_window=settings.intake_submit_per_10min,
        status_per_window=settings.intake_status_per_10min,
        body_seconds=settings.intake_body_timeout_seconds,
    )
    return create_app(
        definitions=served_definitions(settings),
        engine=engine or make_engine(settings.database_url),
        store=store,
        starter=starter or PrefectCaseStarter(),
        signer=CaseLinkSigner(secret, settings.public_base_url),
        secret_key=secret,
        clock=clock,
        public_base_url=settings.public_base_url,
        limits=limits,
        timezone=settings.intake_timezone,
        roster=load_roster(settings.roster_file),
    )
