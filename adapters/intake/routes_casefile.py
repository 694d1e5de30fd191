"""Case file for operators at `/berkas/{token}`: the signed, expiring link from the operator step.

Expired, tampered or malformed links get 403. The page is never cached and sends no referrer
(the token is in the URL).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from adapters.case_links import CaseLinkError, CaseLinkExpiredError
from adapters.db.case_repository import get_case, loaded_definition_of
from adapters.db.engine import session_scope
from adapters.db.errors import CaseNotFoundError
from adapters.intake.casefile_view import CaseFileView, case_file_view
from adapters.intake.context import IntakeSite, Site, client_ip
from adapters.intake.routes_form import too_many, try_again

log = logging.getLogger("sopflow.intake")
site_router = APIRouter()


@site_router.get(
    "/berkas/{token}", response_class=HTMLResponse, summary="Berkas permohonan (petugas)"
)
async def case_file(token: str, request: Request, ctx: Site) -> Response:
    wait = ctx.casefile_limiter.hit(client_ip(request))
    if wait is not None:
        return too_many(ctx, wait)
    try:
        case_id = ctx.signer.verify(token, now=ctx.clock())
    except CaseLinkExpiredError:
        return _forbidden(ctx, "Tautan berkas sudah kedaluwarsa. Buka tautan baru dari Prefect.")
    except CaseLinkError:
        return _forbidden(ctx, "Tautan berkas tidak sah.")
    try:
        view = await run_in_threadpool(_load_view, ctx, case_id)
    except CaseNotFoundError:
        return ctx.pages.message(
            title="Berkas tidak ditemukan",
            text="Berkas permohonan ini tidak ada lagi (mungkin sudah dihapus karena masa simpan).",
            status=404,
        )
    except Exception as error:  # database down
        log.warning("case file not shown (%s)", type(error).__name__)
        return try_again(ctx)
    owner = ctx.service_for_reference(view.reference)  # its service's header, when served here
    return (owner.pages if owner else ctx.pages).render("casefile.html", view=view)


def _load_view(ctx: IntakeSite, case_id: str) -> CaseFileView:
    with session_scope(ctx.engine) as session:
        case = get_case(session, case_id=case_id)
        definition = loaded_definition_of(case).definition
        return case_file_view(
            case,
            definition,
            ctx.store,
            link_ttl=ctx.limits.ktp_link_ttl,
            format_time=ctx.pages.format_time,
        )


def _forbidden(ctx: IntakeSite, text: str) -> Response:
    return ctx.pages.message(title="Akses ditolak", text=text, status=403)
