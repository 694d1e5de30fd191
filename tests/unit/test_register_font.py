"""Issue 15 #9: the register prints names in any Latin spelling, not `?`; it carries the
audit anchor."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from adapters.db.audit import AuditAnchor
from adapters.reports.pdf_fonts import find_font_dir, use_unicode_font
from adapters.reports.period import day
from adapters.reports.register_pdf import render_register

NAMES = ["Siti Aminah Ṣāliḥ", "Nguyễn Thị Hằng", "Łukasz Wróbel", "Dewi Lestari"]
needs_font = pytest.mark.skipif(find_font_dir() is None, reason="fonts-dejavu-core not installed")


def _printed(dirs: tuple[Path, ...] | None = None) -> str:
    pdf = FPDF()
    font = use_unicode_font(pdf) if dirs is None else use_unicode_font(pdf, dirs)
    pdf.add_page()
    pdf.set_font(font.family, size=10)
    for name in NAMES:
        pdf.cell(0, 6, font.text(name), new_x="LMARGIN", new_y="NEXT")
    reader = PdfReader(io.BytesIO(bytes(pdf.output())))
    return reader.pages[0].extract_text()


@needs_font
def test_names_outside_latin_1_are_printed_as_written() -> None:
    text = _printed()
    for name in NAMES:
        assert name in text
    assert "?" not in text


def test_without_the_font_the_core_font_folds_to_latin_1() -> None:
    text = _printed(dirs=())
    assert "Dewi Lestari" in text and "?" in text  # what the register did before


def test_register_footer_carries_the_audit_anchor() -> None:
    anchor = AuditAnchor(50, "9f" * 32, datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    period = day(date(2026, 12, 3), "Asia/Jakarta")
    pdf = render_register(period, [], generated_at=anchor.at, audit_anchor=anchor.line())
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert f"Jangkar log audit: audit #50 {anchor.hash}" in text
