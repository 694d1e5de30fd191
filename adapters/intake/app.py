"""Composition root of the intake web app: the public form, status page, case file and poster.

`create_app` takes every collaborator as an argument (tests inject fakes); `build_app_from_settings`
wires the real ones (MinIO/S3 store, Prefect starter) for `sopflow serve`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
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
from adapters.intake import routes_casefile, routes_form, routes_poster, routes_status
from adapters.intake.context import IntakeContext, IntakeLimits
from adapters.intake.form_fields import FormDefinitionError, human_size, public_form
from adapters.intake.openapi_forms import install_openapi
from adapters.intake.pages import STATIC_DIR, Pages
from adapters.intake.request_limits import BodyCapMiddleware
from adapters.intake.security import CsrfTokens, SecurityHeadersMiddleware
from adapters.prefect.starter import CaseStarter, PrefectCaseStarter
from adapters.roster import Roster, load_roster
from adapters.settings import Settings
from adapters.storage.protocol import ObjectStore
from process_definitions.loader import LoadedDefinition, load_definition

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
    loaded: LoadedDefinition,
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
    """The intake app for one definition (its single form step). FormDefinitionError if the
    definition has no form step, several, or a file field the upload checks cannot verify."""
    form = public_form(loaded.definition)
    limits = limits or IntakeLimits()
    definition = loaded.definition
    pages = Pages(
        site_title=definition.title,
        office=definition.sop.office,
        tz=ZoneInfo(timezone),
        tz_label=_TZ_LABELS.get(timezone, timezone),
    )
    context = IntakeContext(
        loaded=loaded,
        form=form,
        engine=engine,
        store=store,
        starter=starter,
        signer=signer,
        clock=clock,
        pages=pages,
        csrf=CsrfTokens(secret_key, max_age=limits.form_max_age),
        receipts=URLSafeSerializer(secret_key, salt="sopflow.intake.receipt"),
        limits=limits,
        secure_cookies=public_base_url.startswith("https://"),
        public_base_url=public_base_url,
        roster=roster,
    )
    app = FastAPI(
        title=f"sopflow intake: {definition.title}",
        version=str(definition.version),
        docs_url=None,  # Swagger UI and ReDoc load assets from CDNs; the schema stays
        redoc_url=None,
    )
    app.state.intake = context
    for module in (routes_form, routes_status, routes_casefile, routes_poster):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_openapi(app, form)
    _install_error_pages(app, pages)

    max_body = form.max_upload_bytes() + limits.body_overhead_bytes

    def too_large(_scope: Scope) -> Response:
        return pages.message(
            title="Kiriman terlalu besar",
            text=f"Kiriman melebihi batas {human_size(max_body)}. Kembali, pilih berkas yang "
            "lebih kecil, lalu kirim lagi.",
            status=413,
            link=("/", "Kembali ke formulir"),
        )

    app.add_middleware(BodyCapMiddleware, max_bytes=max_body, too_large=too_large)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: every response gets the headers
    return app


def _install_error_pages(app: FastAPI, pages: Pages) -> None:
    """HTML pages in Bahasa Indonesia instead of FastAPI's JSON errors."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        title = _HTTP_TITLES.get(exc.status_code, "Permintaan tidak dapat diproses")
        return pages.message(
            title=title,
            text="Periksa alamat atau isian Anda, lalu coba lagi.",
            status=exc.status_code,
            link=("/", "Ke formulir permohonan"),
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, _exc: RequestValidationError) -> Response:
        return pages.message(
            title=_HTTP_TITLES[422],
            text="Permintaan tidak lengkap atau tidak sah.",
            status=422,
            link=("/", "Ke formulir permohonan"),
        )


def definition_path(settings: Settings) -> Path:
    """The definition the form serves: `intake_definition` in definitions_dir, else the only
    `*.yaml` there."""
    if settings.intake_definition:
        path = Path(settings.intake_definition)
        return path if path.is_absolute() else settings.definitions_dir / path
    found = sorted(settings.definitions_dir.glob("*.yaml"))
    if len(found) != 1:
        raise FormDefinitionError(
            f"{len(found)} definitions in {settings.definitions_dir}; "
            "set SOPFLOW_INTAKE_DEFINITION to the one the public form serves"
        )
    return found[0]


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
    )
    return create_app(
        loaded=load_definition(definition_path(settings)),
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
