"""fpdf2 core fonts speak Latin-1: typographic characters become plain ones, others `?`."""

from __future__ import annotations

from datetime import datetime

from fpdf import FPDF

from adapters.pdf_latin1 import latin1


def plain(text: object) -> str:
    return latin1(text)


def new_pdf(*, title: str, created: datetime, orientation: str = "landscape") -> FPDF:
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_title(plain(title))
    pdf.set_creator("sopflow")
    pdf.set_creation_date(created)  # the caller's time: the same input gives the same file
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.set_font("Helvetica", size=9)
    return pdf
