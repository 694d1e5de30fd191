"""The SLA report as an A4 landscape PDF (fpdf2), in Bahasa Indonesia: tables, the coloured
diagram, histograms."""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF
from fpdf.fonts import FontFace

from adapters.reports.charts import histogram
from adapters.reports.formatting import (
    duration,
    local_time,
    period_text,
    references,
    share,
    zone_label,
)
from adapters.reports.pdf_draw import draw_diagram, draw_histogram
from adapters.reports.pdf_text import new_pdf, plain
from adapters.reports.sla_models import DefinitionSla, DurationStats, SlaReport

HEADINGS = FontFace(emphasis="BOLD", fill_color=(226, 232, 240))


def _heading(pdf: FPDF, text: str, size: float = 11) -> None:
    if pdf.get_y() + 25 > pdf.h - pdf.b_margin:  # no heading alone at the foot of a page
        pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=size)
    pdf.multi_cell(0, size * 0.5, plain(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("Helvetica", size=8)


def _table(pdf: FPDF, widths: Sequence[float], rows: list[list[str]]) -> None:
    pdf.set_font("Helvetica", size=7.5)
    pdf.set_fill_color(255, 255, 255)  # the diagram leaves its last fill colour behind
    with pdf.table(
        col_widths=tuple(widths),
        width=sum(widths),
        align="LEFT",
        headings_style=HEADINGS,
        line_height=3.6,
        padding=0.8,
        text_align="LEFT",
    ) as table:
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(plain(value))
    pdf.ln(2)


def _overview(pdf: FPDF, d: DefinitionSla) -> None:
    _heading(
        pdf, f"{d.title} ({d.definition_id} versi {d.version}) - SOP {d.sop_number}, {d.office}"
    )
    _table(
        pdf,
        (26, 26, 26, 26, 26, 56, 50),
        [
            [
                "Permohonan",
                "Selesai",
                "Dalam proses",
                "Macet",
                "Gagal",
                "Dijawab dalam waktu total SOP",
                "Masih menunggu, lewat batas",
            ],
            [
                str(d.cases),
                str(d.completed),
                str(d.open),
                str(d.stalled),
                str(d.failed),
                share(d.total.within_share),
                str(len(d.open_breaches)),
            ],
        ],
    )
    if d.open_breaches:
        pdf.multi_cell(
            0,
            4,
            plain(f"Masih menunggu, lewat batas waktu: {references(d.open_breaches)}"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(1)
    rows = [["Hasil", "Langkah akhir", "Permohonan", "Porsi dari yang selesai"]]
    rows += [[o.outcome, o.name, str(o.count), share(o.share)] for o in d.outcomes]
    _table(pdf, (40, 110, 22, 36), rows)
    promised = "; ".join(f"{end}: {duration(s)}" for end, s in d.total.promised_seconds.items())
    t = d.total
    _table(
        pdf,
        (18, 22, 22, 22, 80, 18, 91),
        [
            [
                "Selesai",
                "Median",
                "p90",
                "Maks.",
                "Waktu total SOP (per langkah akhir)",
                "Dalam batas",
                "Melewati batas (permohonan)",
            ],
            [
                str(t.count),
                duration(t.p50),
                duration(t.p90),
                duration(t.max),
                promised,
                share(t.within_share),
                references(t.breaches),
            ],
        ],
    )
    _heading(
        pdf,
        "Diagram proses, diwarnai menurut seberapa sering tiap langkah melewati batas waktunya",
        9,
    )
    if pdf.get_y() + 70 > pdf.h - pdf.b_margin:
        pdf.add_page()
    used = draw_diagram(pdf, d.diagram, x=pdf.l_margin, y=pdf.get_y(), width=pdf.epw)
    pdf.set_y(pdf.get_y() + used + 2)


FIGURES = ["Median", "p90", "Maks.", "Batas waktu", "Dalam batas"]
BREACHES = ["Melewati batas (selesai)", "Masih menunggu, lewat batas"]


def _figures(stats: DurationStats) -> list[str]:
    return [
        duration(stats.p50),
        duration(stats.p90),
        duration(stats.max),
        duration(stats.budget_seconds),
        share(stats.within_share),
    ]


def _breaches(stats: DurationStats) -> list[str]:
    return [references(stats.breaches), references(stats.open_breaches)]


def _tables(pdf: FPDF, d: DefinitionSla) -> None:
    pdf.add_page()
    _heading(pdf, f"{d.title}: per langkah SOP (per permohonan, semua kegiatan langkah itu)", 10)
    rows = [["Langkah SOP", "Kegiatan", "Permohonan", *FIGURES, *BREACHES]]
    rows += [
        [str(s.sop_step), "; ".join(s.names), str(s.count), *_figures(s), *_breaches(s)]
        for s in d.sop_steps
    ]
    _table(pdf, (14, 64, 19, 21, 21, 21, 21, 14, 39, 39), rows)
    _heading(pdf, "Per kegiatan", 10)
    rows = [["Kegiatan", "Langkah SOP", "Pelaksana", "Dilalui", *FIGURES, *BREACHES]]
    rows += [
        [
            f"{s.name} ({s.step_id})",
            str(s.sop_step),
            s.lane_name or s.lane,
            str(s.count),
            *_figures(s),
            *_breaches(s),
        ]
        for s in d.steps
    ]
    _table(pdf, (58, 14, 26, 12, 20, 20, 20, 20, 14, 34, 35), rows)
    _heading(pdf, "Per pelaksana (tiap kegiatan terhadap batas waktunya sendiri)", 10)
    rows = [["Pelaksana", "Dilalui", "Median", "p90", "Maks.", "Dalam batas", *BREACHES]]
    rows += [
        [
            lane.name,
            str(lane.count),
            duration(lane.p50),
            duration(lane.p90),
            duration(lane.max),
            share(lane.within_share),
            *_breaches(lane),
        ]
        for lane in d.lanes
    ]
    _table(pdf, (52, 14, 22, 22, 22, 16, 62, 63), rows)


def _charts(pdf: FPDF, d: DefinitionSla) -> None:
    steps = [s for s in d.steps if s.count]
    if not steps:
        return
    pdf.add_page()
    _heading(pdf, f"{d.title}: sebaran durasi per kegiatan (garis putus-putus: batas waktu)", 10)
    w, h, gap = (pdf.epw - 8) / 3, 48.0, 4.0
    y = pdf.get_y()
    for i, s in enumerate(steps):
        col = i % 3
        if col == 0 and i:
            y += h + gap
        if col == 0 and y + h > pdf.h - pdf.b_margin:
            pdf.add_page()
            y = pdf.t_margin
        draw_histogram(
            pdf,
            histogram(s.durations, s.budget_seconds),
            x=pdf.l_margin + col * (w + 4),
            y=y,
            w=w,
            h=h,
            title=f"{s.sop_step}. {s.name} ({s.count} kali dilalui, p90 {duration(s.p90)})",
        )


def render_pdf(report: SlaReport) -> bytes:
    period = period_text(report.period_first, report.period_last)
    pdf = new_pdf(title=f"Laporan Waktu Layanan (SLA) {period}", created=report.generated_at)
    pdf.add_page()
    _heading(pdf, f"Laporan Waktu Layanan (SLA): {period}", 14)
    pdf.multi_cell(
        0,
        4,
        plain(
            f"Hari kerja menurut zona waktu {zone_label(report.timezone)}; permohonan dihitung "
            "menurut hari diajukan. Dibuat "
            f'{local_time(report.generated_at, report.timezone)}. "Melewati batas (selesai)": '
            'langkah yang selesai melebihi batas waktu SOP. "Masih menunggu, lewat batas": '
            "langkah permohonan yang belum selesai dan sudah menunggu lebih lama dari batas "
            "waktunya saat laporan dibuat."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    if report.empty:
        _heading(pdf, "Tidak ada permohonan pada periode ini.", 11)
    for i, d in enumerate(report.definitions):
        if i:
            pdf.add_page()
        _overview(pdf, d)
        _tables(pdf, d)
        _charts(pdf, d)
    return bytes(pdf.output())
