"""Status page: reference + registered phone (or email) -> status, rate limited, one answer for
misses.

Each service has its page at `/<definition id>/status` (asking for its own contact field); the
app-wide `/status` takes a reference of any service: the case's pinned definition decides which
field unlocks it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from adapters.intake.context import Ctx, IntakeContext, IntakeSite, Site, client_ip
from adapters.intake.pages import Pages
from adapters.intake.routes_form import too_many, try_again
from adapters.intake.status_lookup import (
    CONTACT_FIELD,
    REFERENCE_FIELD,
    lookup_status,
    normalise_reference,
)

router = APIRouter()  # one service's page, under /<definition id>
site_router = APIRouter()  # /status, for a reference of any service

NOT_FOUND = (
    "Data tidak ditemukan. Periksa kembali nomor permohonan dan {contact} yang Anda daftarkan."
)
ANY_CONTACT = "Nomor HP atau email"


@router.get("/status", response_class=HTMLResponse, summary="Cek status permohonan")
async def status_form(ctx: Ctx) -> Response:
    return _page(ctx, reference="", contact="", message=None, status=200)


@router.post("/status", response_class=HTMLResponse, summary="Lihat status permohonan")
async def status_lookup(request: Request, ctx: Ctx) -> Response:
    if ctx.form.lookup_field is None:
        return _page(ctx, reference="", contact="", message=None, status=404)
    return await _lookup(request, ctx.site, ctx)


@site_router.get("/status", response_class=HTMLResponse, summary="Cek status (semua layanan)")
async def any_status_form(site: Site) -> Response:
    return _page(site, reference="", contact="", message=None, status=200)


@site_router.post("/status", response_class=HTMLResponse, summary="Lihat status (semua layanan)")
async def any_status_lookup(request: Request, site: Site) -> Response:
    return await _lookup(request, site, None)


async def _lookup(request: Request, site: IntakeSite, ctx: IntakeContext | None) -> Response:
    where = ctx or site
    wait = site.status_limiter.hit(client_ip(request))
    if wait is not None:
        return too_many(where, wait)
    async with request.form(max_files=0, max_fields=10, max_part_size=4096) as form:
        reference = _text(form.get(REFERENCE_FIELD), 64)
        contact = _text(form.get(CONTACT_FIELD), 254)
    try:
        found = await run_in_threadpool(
            lookup_status, site.engine, reference_text=reference, contact_text=contact
        )
    except Exception:  # the database is down: say so, never a 500
        return try_again(where)
    if found is None:
        label = ctx.form.lookup_field.label if ctx and ctx.form.lookup_field else ANY_CONTACT
        message = NOT_FOUND.format(contact=label)
        return _page(where, reference=reference, contact=contact, message=message, status=404)
    # The answer carries the header of the case's own service when this app serves it.
    owner = site.service_for_reference(normalise_reference(reference) or "")
    pages: Pages = owner.pages if owner else site.pages
    return pages.render("status_result.html", status_info=found)


def _page(
    where: IntakeContext | IntakeSite,
    *,
    reference: str,
    contact: str,
    message: str | None,
    status: int,
) -> Response:
    if isinstance(where, IntakeContext):
        lookup = where.form.lookup_field
        label, kind = (lookup.label, lookup.type) if lookup else ("", "")
        prefixes = [where.loaded.definition.reference_prefix]
    else:
        label, kind = ANY_CONTACT, "any"
        prefixes = [s.loaded.definition.reference_prefix for s in where.services.values()]
    return where.pages.render(
        "status.html",
        status=status,
        reference=reference,
        contact=contact,
        message=message,
        lookup_label=label,
        lookup_type=kind,
        reference_field=REFERENCE_FIELD,
        contact_field=CONTACT_FIELD,
        example=" atau ".join(f"{p}-{where.clock().year}-000123" for p in prefixes),
    )


def _text(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""
