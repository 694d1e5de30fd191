"""A service's QR poster at `/<definition id>/poster` (A4 PDF) with the QR code at
`.../poster/qr.png` and `.../poster/qr.svg`.

The poster's words come from the definition (title, office, form, uploads, channels, time), and
the QR code points at the service's form.
"""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter
from starlette.responses import Response

from adapters.intake.context import Ctx, IntakeContext
from adapters.intake.form_fields import checkable_kinds, human_duration, human_size
from adapters.intake.poster import build_poster_pdf, qr_png, qr_svg

router = APIRouter()
_CACHE = "public, max-age=3600"


def poster_instructions(ctx: IntakeContext) -> list[str]:
    form = ctx.form
    lines = [
        "Pindai kode QR dengan ponsel, atau buka tautan di atas dari ponsel atau komputer "
        "yang terhubung internet.",
    ]
    budget = form.step.budget
    lines.append(
        f"Isi formulir permohonan (sekitar {human_duration(budget)})."
        if budget
        else "Isi formulir permohonan."
    )
    for f in form.file_fields:
        kinds = " atau ".join(k.upper() for k in checkable_kinds(f))
        lines.append(f"Unggah {f.label.lower()}: {kinds}, maksimal {human_size(f.max_size)}.")
    channels = form.channels_text()
    total = form.service_time()
    if channels:
        when = f" paling lama {human_duration(total)}" if total else ""
        lines.append(f"Jawaban dikirim melalui {channels}{when}.")
    return lines


@cache
def _poster_pdf(url: str, title: str, office: str, lines: tuple[str, ...], footer: str) -> bytes:
    return build_poster_pdf(
        url=url,
        title=title,
        subtitle="Permohonan daring melalui kode QR",
        instructions=list(lines),
        office=office,
        footer=footer,
    )


@router.get(
    "/poster",
    summary="Poster QR (PDF)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def poster_pdf(ctx: Ctx) -> Response:
    definition = ctx.loaded.definition
    footer = definition.sop.guarantees[0] if definition.sop.guarantees else ""
    pdf = _poster_pdf(
        ctx.form_url,
        definition.title,
        definition.sop.office,
        tuple(poster_instructions(ctx)),
        footer,
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "content-disposition": f'inline; filename="poster-{ctx.definition_id}.pdf"',
            "cache-control": _CACHE,
        },
    )


@router.get(
    "/poster/qr.png",
    summary="Kode QR (PNG)",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
async def poster_png(ctx: Ctx) -> Response:
    return Response(qr_png(ctx.form_url), media_type="image/png", headers={"cache-control": _CACHE})


@router.get(
    "/poster/qr.svg",
    summary="Kode QR (SVG)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
async def poster_svg(ctx: Ctx) -> Response:
    return Response(
        qr_svg(ctx.form_url), media_type="image/svg+xml", headers={"cache-control": _CACHE}
    )
