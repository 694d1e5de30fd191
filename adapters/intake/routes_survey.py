"""The satisfaction survey page (SKM): a one-time link from a case's last message.

No personal data is asked. CSRF as the public form does it (signed double submit); the answer
and the link's use are stored in one transaction; an unknown, expired or used link gets a
clear page in Bahasa Indonesia.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from adapters.db.engine import session_scope
from adapters.intake.context import IntakeSite, Site, client_ip
from adapters.intake.routes_form import too_many, try_again
from adapters.intake.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CsrfError,
    SlidingWindowLimiter,
    is_nonce,
)
from adapters.survey.answers import normalise_suggestion, open_survey, parse_scores, submit_answer
from adapters.survey.elements import KEYS, Element, worded
from adapters.survey.errors import SurveyAnswerError, SurveyLinkError
from adapters.survey.tables import SUGGESTION_MAX, SurveyToken

log = logging.getLogger("sopflow.intake")
site_router = APIRouter()  # the token names the case, hence the service: app-wide

SUGGESTION_FIELD = "saran"
LINK_PAGES = {
    "unknown": (
        404,
        "Tautan survei tidak dikenal",
        "Periksa kembali tautan pada pesan yang Anda terima.",
    ),
    "expired": (
        410,
        "Tautan survei sudah kedaluwarsa",
        "Masa berlaku tautan survei ini sudah habis. Terima kasih atas perhatian Anda.",
    ),
    "used": (
        410,
        "Survei sudah diisi",
        "Penilaian untuk permohonan ini sudah kami terima. Terima kasih.",
    ),
}
STALE = (
    "Halaman survei sudah terlalu lama terbuka. Periksa jawaban Anda lalu tekan Kirim sekali lagi."
)
FIX = "Ada pertanyaan yang belum dijawab. Lihat pesan di bawah pertanyaan itu."


def _limiter(request: Request, ctx: IntakeSite) -> SlidingWindowLimiter:
    """Per app, made on first use (the context is another module's)."""
    limiter: SlidingWindowLimiter | None = getattr(request.app.state, "survey_limiter", None)
    if limiter is None:
        limiter = SlidingWindowLimiter(
            limit=ctx.limits.casefile_per_window, window=ctx.limits.window, clock=ctx.clock
        )
        request.app.state.survey_limiter = limiter
    return limiter


def _check(ctx: IntakeSite, token: str) -> SurveyToken:
    with session_scope(ctx.engine) as session:
        return open_survey(session, token, now=ctx.clock())


def _elements(ctx: IntakeSite, definition_id: str) -> tuple[Element, ...]:
    service = ctx.services.get(definition_id)
    return worded(service.loaded.definition.survey if service else None)


@site_router.get("/survei/{token}", response_class=HTMLResponse, summary="Survei kepuasan")
async def show_survey(token: str, request: Request, ctx: Site) -> Response:
    wait = _limiter(request, ctx).hit(client_ip(request))
    if wait is not None:
        return too_many(ctx, wait)
    try:
        row = await run_in_threadpool(_check, ctx, token)
    except SurveyLinkError as error:
        return _link_page(ctx, error.reason)
    except Exception:  # the database is down: say so, never a 500
        return try_again(ctx)
    return _page(ctx, request, token, row, values={}, errors={}, status=200)


@site_router.post("/survei/{token}", response_class=HTMLResponse, summary="Kirim survei kepuasan")
async def send_survey(token: str, request: Request, ctx: Site) -> Response:
    wait = _limiter(request, ctx).hit(client_ip(request))
    if wait is not None:
        return too_many(ctx, wait)
    async with request.form(max_files=0, max_fields=20, max_part_size=16 * 1024) as form:
        raw = {key: value for key, value in form.items() if isinstance(value, str)}
    values = {key: raw[key] for key in (*KEYS, SUGGESTION_FIELD) if key in raw}
    try:
        row = await run_in_threadpool(_check, ctx, token)
    except SurveyLinkError as error:
        return _link_page(ctx, error.reason)
    except Exception:
        return try_again(ctx)
    now = ctx.clock()
    try:
        ctx.csrf.verify(raw.get(CSRF_FIELD), request.cookies.get(CSRF_COOKIE), now=now)
    except CsrfError:
        return _page(ctx, request, token, row, values=values, errors={}, status=403, banner=STALE)
    errors: dict[str, str] = {}
    try:
        scores = parse_scores(raw)
    except SurveyAnswerError as error:
        errors, scores = error.errors, {}
    suggestion = raw.get(SUGGESTION_FIELD, "")
    if len(normalise_suggestion(suggestion)) > SUGGESTION_MAX:
        limit = f"{SUGGESTION_MAX:,}".replace(",", ".")
        errors[SUGGESTION_FIELD] = f"Saran paling banyak {limit} karakter."
    if errors:
        return _page(ctx, request, token, row, values=values, errors=errors, status=422, banner=FIX)
    office_day = now.astimezone(ctx.pages.tz).date()

    def store() -> None:
        with session_scope(ctx.engine) as session:
            submit_answer(
                session, token, scores=scores, suggestion=suggestion, now=now, office_day=office_day
            )

    try:
        await run_in_threadpool(store)
    except SurveyLinkError as error:
        return _link_page(ctx, error.reason)
    except Exception as error:
        log.warning("survey answer not stored: %s", type(error).__name__)
        return try_again(ctx)
    log.info("survey answered (%s)", row.definition_id)
    return ctx.pages.message(
        title="Terima kasih",
        text="Penilaian Anda sudah kami terima dan akan dipakai untuk memperbaiki pelayanan.",
        status=200,
    )


def _link_page(ctx: IntakeSite, reason: str) -> Response:
    status, title, text = LINK_PAGES.get(reason, LINK_PAGES["unknown"])
    return ctx.pages.message(
        title=title, text=text, status=status, link=("/", "Ke halaman layanan")
    )


def _page(
    ctx: IntakeSite,
    request: Request,
    token: str,
    row: SurveyToken,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status: int,
    banner: str | None = None,
) -> Response:
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    cookie = cookie if is_nonce(cookie) else ctx.csrf.new_nonce()
    service = ctx.services.get(row.definition_id)  # its service's header, when served here
    response = (service.pages if service else ctx.pages).render(
        "survey.html",
        status=status,
        token=token,
        elements=_elements(ctx, row.definition_id),
        values=values,
        errors=errors,
        banner=banner,
        csrf_field=CSRF_FIELD,
        csrf_token=ctx.csrf.issue(cookie, opened_at=ctx.clock()),
        expires_at=row.expires_at,
        suggestion_max=SUGGESTION_MAX,
    )
    response.set_cookie(
        CSRF_COOKIE,
        cookie,
        max_age=int(ctx.limits.form_max_age.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=ctx.secure_cookies,
        path="/",
    )
    return response
