"""Status page: reference + registered phone -> status, rate limited, one answer for misses."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from adapters.intake.context import Ctx, IntakeContext, client_ip
from adapters.intake.routes_form import too_many, try_again
from adapters.intake.status_lookup import CONTACT_FIELD, REFERENCE_FIELD, lookup_status

router = APIRouter()

NOT_FOUND = (
    "Data tidak ditemukan. Periksa kembali nomor permohonan dan {contact} yang Anda daftarkan."
)


@router.get("/status", response_class=HTMLResponse, summary="Cek status permohonan")
async def status_form(ctx: Ctx) -> Response:
    return _page(ctx, reference="", contact="", message=None, status=200)


@router.post("/status", response_class=HTMLResponse, summary="Lihat status permohonan")
async def status_lookup(request: Request, ctx: Ctx) -> Response:
    wait = ctx.status_limiter.hit(client_ip(request))
    if wait is not None:
        return too_many(ctx, wait)
    if ctx.form.lookup_field is None:
        return _page(ctx, reference="", contact="", message=None, status=404)
    async with request.form(max_files=0, max_fields=10, max_part_size=4096) as form:
        reference = _text(form.get(REFERENCE_FIELD), 64)
        contact = _text(form.get(CONTACT_FIELD), 254)
    try:
        found = await run_in_threadpool(
            lookup_status, ctx.engine, reference_text=reference, contact_text=contact
        )
    except Exception:  # the database is down: say so, never a 500
        return try_again(ctx)
    if found is None:
        message = NOT_FOUND.format(contact=ctx.form.lookup_field.label)
        return _page(ctx, reference=reference, contact=contact, message=message, status=404)
    return ctx.pages.render("status_result.html", status_info=found)


def _page(
    ctx: IntakeContext, *, reference: str, contact: str, message: str | None, status: int
) -> Response:
    lookup = ctx.form.lookup_field
    return ctx.pages.render(
        "status.html",
        status=status,
        reference=reference,
        contact=contact,
        message=message,
        lookup=lookup,
        reference_field=REFERENCE_FIELD,
        contact_field=CONTACT_FIELD,
        prefix=ctx.loaded.definition.reference_prefix,
    )


def _text(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""
