"""The daily register for the paper archive: A4 landscape, Bahasa Indonesia, signature boxes.

One sheet per definition with cases that day (a day without cases still gets a signed sheet).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from fpdf import FPDF
from fpdf.fonts import FontFace

from adapters.reports.pdf_fonts import PdfFont, use_unicode_font
from adapters.reports.pdf_text import new_pdf
from adapters.reports.period import Period
from adapters.reports.register import RegisterRow, RegisterSheet, indonesian_date

HEADINGS = FontFace(emphasis="BOLD", fill_color=(226, 232, 240))
PAGE_WIDTH = 273.0  # A4 landscape less 12 mm margins
REQUESTED_WIDTH = 36.0  # "Informasi yang Diminta"; it takes the width of absent columns
Column = tuple[str, float, Callable[[RegisterRow], str]]
BOX_W, BOX_H = 62.0, 34.0


def _header(
    pdf: FPDF, font: PdfFont, sheet: RegisterSheet | None, period: Period, title: str
) -> None:
    pdf.set_font(font.family, style="B", size=9)
    if sheet is not None:
        sop = sheet.definition.sop
        for line in dict.fromkeys([*sop.organisation, sop.office]):
            pdf.cell(0, 4.2, font.text(line.upper()), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(font.family, style="B", size=13)
    pdf.cell(0, 6, font.text(title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font.family, size=9)
    noon = datetime.combine(period.first, datetime.min.time())
    lines = [f"Hari/Tanggal: {indonesian_date(noon)}", f"Zona waktu: {period.timezone}"]
    if sheet is not None:
        sop = sheet.definition.sop
        lines.insert(0, f"SOP Nomor {sop.number} - {sop.name}")
    pdf.cell(0, 4.5, font.text("   |   ".join(lines)), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _columns(sheet: RegisterSheet) -> list[Column]:
    """The register's columns: the relationship and subject ones only when the form has them."""
    optional: list[Column] = []
    if sheet.relationship_label:
        optional.append((sheet.relationship_label, 33, lambda r: r.relationship))
    if sheet.subject_label:
        optional.append((sheet.subject_label, 31, lambda r: r.subject))
    fixed: list[Column] = [
        ("No", 7, lambda r: str(r.number)),
        ("Nomor Referensi", 26, lambda r: r.reference),
        ("Diterima", 15, lambda r: r.received),
        (sheet.applicant_label, 31, lambda r: r.applicant),
        *optional,
        ("Informasi yang Diminta", REQUESTED_WIDTH, lambda r: "\n".join(r.requested) or "-"),
        ("Hasil", 31, lambda r: r.outcome),
        ("NIP Petugas", 35, lambda r: "\n".join(r.operators) or "-"),
        ("Dijawab", 15, lambda r: r.answered),
        ("Sesuai Waktu SOP", 15, lambda r: r.within_sop_time),
    ]
    spare = PAGE_WIDTH - sum(width for _, width, _ in fixed)
    return [
        (heading, width + spare if heading == "Informasi yang Diminta" else width, value)
        for heading, width, value in fixed
    ]


def _table(pdf: FPDF, font: PdfFont, sheet: RegisterSheet) -> None:
    columns = _columns(sheet)
    widths = tuple(width for _, width, _ in columns)
    pdf.set_font(font.family, size=7)  # DejaVu is wider than Helvetica: no word broken
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        headings_style=HEADINGS,
        line_height=3.8,
        padding=1,
        text_align="LEFT",
    ) as table:
        row = table.row()
        for heading, _, _ in columns:
            row.cell(font.text(heading))
        for item in sheet.rows:
            row = table.row()
            for _, _, value in columns:
                row.cell(font.text(value(item)))
    pdf.ln(2)
    pdf.set_font(font.family, size=9)
    summary = (
        f"Jumlah permohonan: {len(sheet.rows)}; selesai: {sheet.completed}; "
        f"dalam proses: {len(sheet.rows) - sheet.completed}; dijawab dalam waktu SOP: "
        f"{sheet.within} dari {sheet.completed}."
    )
    pdf.cell(0, 5, font.text(summary), new_x="LMARGIN", new_y="NEXT")


def _signature_box(
    pdf: FPDF, font: PdfFont, x: float, y: float, role: str, name: str, nip: str
) -> None:
    pdf.set_draw_color(60, 60, 60)
    pdf.rect(x, y, BOX_W, BOX_H)
    pdf.set_font(font.family, style="B", size=8)
    pdf.set_xy(x + 2, y + 1.5)
    pdf.multi_cell(BOX_W - 4, 3.6, font.text(role), align="C")
    pdf.set_font(font.family, size=8)
    pdf.set_xy(x + 2, y + BOX_H - 10)
    pdf.cell(BOX_W - 4, 4, font.text(f"( {name or '.' * 40} )"), align="C")
    pdf.set_xy(x + 2, y + BOX_H - 5.5)
    pdf.cell(BOX_W - 4, 4, font.text(f"NIP {nip or '.' * 36}"), align="C")


def _signatures(pdf: FPDF, font: PdfFont, sheet: RegisterSheet | None) -> None:
    boxes: list[tuple[str, str, str]] = []
    if sheet is not None:
        for nip in sheet.operators:
            boxes.append(("Petugas", sheet.operator_names.get(nip, ""), nip))
    boxes.append(("Mengetahui,\nKepala Bidang/Divisi", "", ""))
    per_row = int((pdf.epw + 4) // (BOX_W + 4))
    pdf.ln(4)
    pdf.set_font(font.family, style="B", size=9)
    if pdf.get_y() + 6 + BOX_H > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.cell(0, 5, "Tanda tangan", new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y() + 1
    for index, (role, name, nip) in enumerate(boxes):
        column = index % per_row
        if index and column == 0:
            y += BOX_H + 4
        if y + BOX_H > pdf.h - pdf.b_margin:
            pdf.add_page()
            y = pdf.t_margin
        _signature_box(pdf, font, pdf.l_margin + column * (BOX_W + 4), y, role, name, nip)
    pdf.set_y(y + BOX_H + 2)


def _footer_note(pdf: FPDF, font: PdfFont, anchor_line: str | None) -> None:
    pdf.set_font(font.family, style="I", size=7)
    note = (
        "Register ini memuat data pribadi (UU Nomor 27 Tahun 2022): simpan di arsip yang "
        "terkunci dan musnahkan sesuai masa retensi."
    )
    if anchor_line:  # the audit chain's head, on paper: a database edit cannot change it
        note += f" Jangkar log audit: {anchor_line}."
    pdf.multi_cell(0, 3.5, font.text(note), new_x="LMARGIN", new_y="NEXT")


def render_register(
    period: Period,
    sheets: Sequence[RegisterSheet],
    *,
    generated_at: datetime,
    audit_anchor: str | None = None,
) -> bytes:
    """The register PDF; `audit_anchor` (`AuditAnchor.line()`) is printed in each footer."""
    on: date = period.first
    pdf = new_pdf(title=f"Register harian {on.isoformat()}", created=generated_at)
    font = use_unicode_font(pdf)
    pdf.set_margins(12, 10, 12)
    if not sheets:
        pdf.add_page()
        _header(pdf, font, None, period, "REGISTER HARIAN PELAYANAN")
        pdf.set_font(font.family, size=10)
        pdf.cell(0, 8, "Tidak ada permohonan pada tanggal ini.", new_x="LMARGIN", new_y="NEXT")
        _signatures(pdf, font, None)
        _footer_note(pdf, font, audit_anchor)
    for sheet in sheets:
        pdf.add_page()
        _header(pdf, font, sheet, period, f"REGISTER HARIAN {sheet.definition.title.upper()}")
        _table(pdf, font, sheet)
        _signatures(pdf, font, sheet)
        _footer_note(pdf, font, audit_anchor)
    return bytes(pdf.output())
