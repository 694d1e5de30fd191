"""The public form of one service (SOP steps 1 and 2) at `/<definition id>/`: show it, take a
submission, show the receipt."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from itsdangerous import BadData
from sqlalchemy.exc import SQLAlchemyError
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from adapters.intake.context import Ctx, IntakeContext, IntakeSite, client_ip
from adapters.intake.form_validation import validate_form
from adapters.intake.public_text import form_intro
from adapters.intake.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    HONEYPOT_FIELD,
    CsrfError,
    is_nonce,
)
from adapters.intake.submission import (
    CaseWriteError,
    FormAlreadySentError,
    StoreUnavailableError,
    case_already_made,
    check_uploads,
    start_case_run,
    store_and_write,
)

log = logging.getLogger("sopflow.intake")
router = APIRouter()

STALE_FORM = (
    "Halaman formulir sudah terlalu lama terbuka atau tidak lengkap. Isian Anda masih ada: "
    "periksa lalu tekan Kirim sekali lagi (berkas perlu dipilih ulang)."
)
FIX_ERRORS = "Ada isian yang perlu diperbaiki. Lihat pesan di bawah setiap isian."


@router.get("/", response_class=HTMLResponse, summary="Formulir permohonan")
async def show_form(request: Request, ctx: Ctx) -> Response:
    return render_form(ctx, request, values={}, errors={}, status=200)


@router.post(
    "/kirim",
    response_class=HTMLResponse,
    summary="Kirim permohonan",
)
async def submit(request: Request, ctx: Ctx) -> Response:
    wait = ctx.submit_limiter.hit(client_ip(request))
    if wait is not None:
        return too_many(ctx, wait)
    max_fields = 20 + sum(len(getattr(f, "options", ())) + 1 for f in ctx.form.fields)
    async with request.form(
        max_files=len(ctx.form.file_fields),
        max_fields=max_fields,
        max_part_size=ctx.limits.text_part_bytes,
    ) as form:
        return await _handle_submit(ctx, request, form)


async def _handle_submit(ctx: IntakeContext, request: Request, form: FormData) -> Response:
    raw = {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}
    now = ctx.clock()
    try:
        ticket = ctx.csrf.verify(_first(raw, CSRF_FIELD), request.cookies.get(CSRF_COOKIE), now=now)
    except CsrfError:
        log.info("submit refused: form token not valid")
        kept = validate_form(ctx.form.inputs, raw, now=now).kept
        return render_form(ctx, request, values=kept, errors={}, status=403, banner=STALE_FORM)
    if _first(raw, HONEYPOT_FIELD):
        log.info("submit refused: honeypot filled")
        return ctx.pages.message(
            title="Permohonan tidak dapat diproses",
            text="Permohonan ini tidak dapat diproses. Muat ulang formulir lalu isi kembali.",
            status=400,
            link=(f"{ctx.base_path}/", "Kembali ke formulir"),
        )
    token = _first(raw, CSRF_FIELD)
    try:
        earlier = await run_in_threadpool(case_already_made, ctx, token)
    except SQLAlchemyError:  # the database is down: the case write will say so (503)
        earlier = None
    if earlier is not None:
        return already_sent(ctx, earlier)
    result = validate_form(ctx.form.fields, raw, now=now)
    parts = {key: form.get(key) for key in form}
    uploads = await check_uploads(ctx.form.file_fields, parts, limiter=ctx.upload_checks)
    errors = {**result.errors, **uploads.errors}
    if errors:
        status = uploads.status if uploads.status in (413, 415) else 422
        return render_form(
            ctx,
            request,
            values=result.kept,
            errors=errors,
            status=status,
            banner=FIX_ERRORS,
            token=token,
        )
    try:
        case = await store_and_write(
            ctx,
            cleaned=result.cleaned,
            checked=uploads.checked,
            submitted_at=now,
            opened_at=ticket.opened_at,
            token=token,
        )
    except FormAlreadySentError as sent:
        return already_sent(ctx, sent.reference)
    except (StoreUnavailableError, CaseWriteError) as error:
        log.warning("submit failed, nothing kept: %s (%s)", type(error).__name__, error)
        return try_again(ctx)
    log.info("case %s submitted", case.reference)
    receipt = ctx.receipts.dumps({"r": case.reference, "s": now.timestamp()})
    return RedirectResponse(
        f"{ctx.base_path}/selesai?t={receipt}",
        status_code=303,
        background=BackgroundTask(start_case_run, ctx, case),
    )


@router.get("/selesai", response_class=HTMLResponse, summary="Tanda terima permohonan")
async def confirmation(ctx: Ctx, t: str = "") -> Response:
    try:
        payload = ctx.receipts.loads(t)
        reference, submitted = str(payload["r"]), float(payload["s"])
    except (BadData, KeyError, TypeError, ValueError):
        return _receipt_not_found(ctx)
    if not reference.startswith(f"{ctx.loaded.definition.reference_prefix}-"):
        return _receipt_not_found(ctx)  # a receipt of another service
    now = ctx.clock()
    if now.timestamp() - submitted > ctx.limits.receipt_max_age.total_seconds():
        return _receipt_not_found(ctx)
    return ctx.pages.render(
        "confirmation.html",
        reference=reference,
        submitted_at=datetime.fromtimestamp(submitted, UTC),
        channels=ctx.form.channels_text(),
        service_time=ctx.form.service_time(),
        has_status_page=ctx.form.lookup_field is not None,
        lookup_label=_lookup_label(ctx),
    )


def render_form(
    ctx: IntakeContext,
    request: Request,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int,
    banner: str | None = None,
    token: str | None = None,
) -> Response:
    """The form page; keeps the nonce cookie (and token, after errors) so timing survives."""
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    valid_token = False
    if token and cookie:
        try:
            ctx.csrf.verify(token, cookie, now=ctx.clock())
            valid_token = True
        except CsrfError:
            valid_token = False
    if not valid_token:
        cookie = cookie if is_nonce(cookie) else ctx.csrf.new_nonce()
        token = ctx.csrf.issue(cookie, opened_at=ctx.clock())
    definition = ctx.loaded.definition
    response = ctx.pages.render(
        "form.html",
        status=status,
        definition=definition,
        step=ctx.form.step,
        intro=form_intro(ctx.form),
        fields=ctx.form.inputs,
        values=values,
        errors=errors,
        banner=banner,
        csrf_field=CSRF_FIELD,
        csrf_token=token,
        honeypot_field=HONEYPOT_FIELD,
        service_time=ctx.form.service_time(),
        channels=ctx.form.channels_text(),
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


def too_many(ctx: IntakeContext | IntakeSite, wait_seconds: int) -> Response:
    minutes = max(1, -(-wait_seconds // 60))
    return ctx.pages.message(
        title="Terlalu banyak permintaan",
        text=f"Terlalu banyak permintaan dari jaringan Anda. Coba lagi dalam {minutes} menit.",
        status=429,
        headers={"retry-after": str(wait_seconds)},
    )


def already_sent(ctx: IntakeContext, reference: str) -> Response:
    """A form posted again (double tap, back button, replay): one form, one case."""
    log.info("submit refused: form already sent as case %s", reference)
    return ctx.pages.message(
        title="Permohonan sudah terkirim",
        text=(
            f"Formulir ini sudah dikirim sebelumnya dengan nomor permohonan {reference}. "
            "Permohonan tidak dikirim dua kali. Untuk permohonan baru, buka formulir baru."
        ),
        status=409,
        link=(f"{ctx.base_path}/", "Buka formulir baru"),
    )


def try_again(ctx: IntakeContext | IntakeSite) -> Response:
    return ctx.pages.message(
        title="Silakan coba lagi",
        text=(
            "Maaf, permohonan Anda belum dapat disimpan karena gangguan sistem. Tidak ada data "
            "yang tersimpan. Silakan coba kirim lagi beberapa menit lagi."
        ),
        status=503,
        link=_home(ctx),
        headers={"retry-after": "120"},
    )


def _receipt_not_found(ctx: IntakeContext) -> Response:
    return ctx.pages.message(
        title="Tanda terima tidak ditemukan",
        text="Tanda terima ini tidak ada atau sudah tidak berlaku. Cek status permohonan Anda.",
        status=404,
        link=(f"{ctx.base_path}/status", "Cek status permohonan"),
    )


def _home(ctx: IntakeContext | IntakeSite) -> tuple[str, str]:
    if isinstance(ctx, IntakeContext):
        return (f"{ctx.base_path}/", "Kembali ke formulir")
    return ("/", "Ke daftar layanan")


def _lookup_label(ctx: IntakeContext) -> str:
    lookup = ctx.form.lookup_field
    return lookup.label if lookup is not None else ""


def _first(raw: dict[str, list[str]], key: str) -> str:
    values = raw.get(key) or [""]
    return values[0]
