"""The QR poster for the service counter: an A4 PDF (fpdf2) plus the QR code as PNG and SVG (segno).

The QR code is drawn as vector rectangles, so it prints sharp at any size. Text uses fpdf2's core
Helvetica/Courier fonts (Latin-1, which Indonesian fits); typographic characters outside Latin-1
are replaced by plain equivalents instead of failing.
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from adapters.pdf_latin1 import latin1

QR_ERROR_LEVEL = "q"  # survives a scuffed or partly covered print
QR_BORDER = 4  # modules of quiet zone, as the QR standard asks
PAGE_WIDTH_MM = 210.0
QR_SIZE_MM = 110.0


def check_url(url: str) -> str:
    """Raise ValueError unless `url` is an absolute http(s) URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return url


def qr_code(url: str) -> segno.QRCode:
    return segno.make(check_url(url), error=QR_ERROR_LEVEL, micro=False)


def qr_png(url: str, *, scale: int = 10) -> bytes:
    out = io.BytesIO()
    qr_code(url).save(out, kind="png", scale=scale, border=QR_BORDER)
    return out.getvalue()


def qr_svg(url: str, *, scale: int = 10) -> bytes:
    out = io.BytesIO()
    qr_code(url).save(out, kind="svg", scale=scale, border=QR_BORDER, title=url)
    return out.getvalue()


def build_poster_pdf(
    *,
    url: str,
    title: str,
    subtitle: str,
    instructions: list[str],
    office: str,
    audience: str = "",
    footer: str = "",
) -> bytes:
    """An A4 poster: office, title, subtitle, who may apply (`audience`, optional), the QR code,
    the URL in text, numbered instructions and an optional highlighted footer line
    (e.g. "Layanan ini tidak dipungut biaya.")."""
    qr = qr_code(url)
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(latin1(title))
    pdf.set_creator("sopflow")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(18, 14, 18)
    pdf.add_page()

    pdf.set_text_color(90, 90, 90)
    pdf.set_font("Helvetica", "B", 12)
    _centered(pdf, office.upper(), 7)
    pdf.ln(3)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "B", 28)
    _centered(pdf, title, 12)
    pdf.set_font("Helvetica", "", 13)
    _centered(pdf, subtitle, 6.5)
    if audience:
        pdf.ln(1)
        pdf.set_font("Helvetica", "I", 11)
        _centered(pdf, audience, 5.5)

    top = pdf.get_y() + 6
    _draw_qr(pdf, qr, x=(PAGE_WIDTH_MM - QR_SIZE_MM) / 2, y=top, size=QR_SIZE_MM)
    pdf.set_y(top + QR_SIZE_MM + 4)

    pdf.set_font("Helvetica", "", 12)
    _centered(pdf, "Pindai kode QR di atas, atau buka tautan:", 6)
    pdf.set_font("Courier", "B", 13)
    _centered(pdf, url, 7)
    pdf.ln(5)

    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, "Cara mengajukan:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 12.5)
    for number, step in enumerate(instructions, start=1):
        pdf.cell(8, 6.5, f"{number}.")
        pdf.multi_cell(0, 6.5, latin1(step), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    if footer:
        pdf.set_y(297 - 14 - 14)
        pdf.set_fill_color(20, 70, 130)
        pdf.set_text_color(255, 255, 255)
        pdf.set_font("Helvetica", "B", 15)
        pdf.cell(0, 12, latin1(footer), align="C", fill=True)
    return bytes(pdf.output())


def _centered(pdf: FPDF, text: str, line_height: float) -> None:
    pdf.multi_cell(0, line_height, latin1(text), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _draw_qr(pdf: FPDF, qr: segno.QRCode, *, x: float, y: float, size: float) -> None:
    """Dark modules as black rectangles (runs in a row merged); the page is the light colour."""
    matrix = qr.matrix  # rows of 0/1 bytes, without the quiet zone
    count = len(matrix)
    module = size / (count + 2 * QR_BORDER)
    left, top = x + QR_BORDER * module, y + QR_BORDER * module
    pdf.set_fill_color(0, 0, 0)
    for row, cells in enumerate(matrix):
        col = 0
        while col < count:
            if not cells[col]:
                col += 1
                continue
            start = col
            while col < count and cells[col]:
                col += 1
            pdf.rect(left + start * module, top + row * module, (col - start) * module, module, "F")
