"""The SLA report as an A4 landscape PDF (fpdf2): tables, the coloured diagram, histograms."""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF
from fpdf.fonts import FontFace

from adapters.reports.charts import histogram
from adapters.reports.formatting import duration, references, share
from adapters.reports.pdf_draw import draw_diagram, draw_histogram
from adapters.reports.pdf_text import new_pdf, plain
from adapters.reports.sla_models import DefinitionSla, SlaReport

HEADINGS = FontFace(emphasis="BOLD", fill_color=(226, 232, 240))


def _heading(pdf: FPDF, text: str, size: float = 11) -> None:
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
    _heading(pdf, f"{d.title} ({d.definition_id} v{d.version}) - SOP {d.sop_number}, {d.office}")
    _table(
        pdf,
        (30, 30, 30, 30, 70),
        [
            ["Cases", "Completed", "Open", "Failed", "Answered within SOP total time"],
            [
                str(d.cases),
                str(d.completed),
                str(d.open),
                str(d.failed),
                share(d.total.within_share),
            ],
        ],
    )
    rows = [["Outcome", "End step", "Cases", "Share of completed"]]
    rows += [[o.outcome, o.name, str(o.count), share(o.share)] for o in d.outcomes]
    _table(pdf, (40, 110, 20, 30), rows)
    promised = "; ".join(f"{end}: {duration(s)}" for end, s in d.total.promised_seconds.items())
    t = d.total
    _table(
        pdf,
        (20, 18, 18, 18, 90, 18, 91),
        [
            [
                "Completed",
                "p50",
                "p90",
                "Max",
                "SOP total time (per end step)",
                "Within",
                "Over (cases)",
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
    _heading(pdf, "Process diagram, coloured by how often each step broke its budget", 9)
    if pdf.get_y() + 70 > pdf.h - pdf.b_margin:
        pdf.add_page()
    used = draw_diagram(pdf, d.diagram, x=pdf.l_margin, y=pdf.get_y(), width=pdf.epw)
    pdf.set_y(pdf.get_y() + used + 2)


def _tables(pdf: FPDF, d: DefinitionSla) -> None:
    pdf.add_page()
    _heading(pdf, f"{d.title}: per SOP step (per case, all steps of the SOP step)", 10)
    rows = [
        [
            "SOP step",
            "Steps",
            "Cases",
            "p50",
            "p90",
            "Max",
            "Budget",
            "Within",
            "Over budget (cases)",
        ]
    ]
    rows += [
        [
            str(s.sop_step),
            "; ".join(s.names),
            str(s.count),
            duration(s.p50),
            duration(s.p90),
            duration(s.max),
            duration(s.budget_seconds),
            share(s.within_share),
            references(s.breaches),
        ]
        for s in d.sop_steps
    ]
    _table(pdf, (14, 92, 13, 16, 16, 16, 16, 14, 76), rows)
    _heading(pdf, "Per step", 10)
    rows = [
        [
            "Step",
            "SOP",
            "Lane",
            "Visits",
            "p50",
            "p90",
            "Max",
            "Budget",
            "Within",
            "Over budget (cases)",
        ]
    ]
    rows += [
        [
            f"{s.name} ({s.step_id})",
            str(s.sop_step),
            s.lane,
            str(s.count),
            duration(s.p50),
            duration(s.p90),
            duration(s.max),
            duration(s.budget_seconds),
            share(s.within_share),
            references(s.breaches),
        ]
        for s in d.steps
    ]
    _table(pdf, (88, 10, 28, 12, 15, 15, 15, 15, 13, 62), rows)
    _heading(pdf, "Per lane (each step visit against its own budget)", 10)
    rows = [["Lane", "Visits", "p50", "p90", "Max", "Within", "Over budget (cases)"]]
    rows += [
        [
            f"{lane.name} ({lane.lane})",
            str(lane.count),
            duration(lane.p50),
            duration(lane.p90),
            duration(lane.max),
            share(lane.within_share),
            references(lane.breaches),
        ]
        for lane in d.lanes
    ]
    _table(pdf, (70, 14, 16, 16, 16, 14, 127), rows)


def _charts(pdf: FPDF, d: DefinitionSla) -> None:
    steps = [s for s in d.steps if s.count]
    if not steps:
        return
    pdf.add_page()
    _heading(pdf, f"{d.title}: duration distribution per step (dashed line: budget)", 10)
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
            title=f"{s.sop_step}. {s.name} ({s.count} visits, p90 {duration(s.p90)})",
        )


def render_pdf(report: SlaReport) -> bytes:
    period = report.period_first.isoformat()
    if report.period_last != report.period_first:
        period += f" to {report.period_last.isoformat()}"
    pdf = new_pdf(title=f"SLA report {period}", created=report.generated_at)
    pdf.add_page()
    _heading(pdf, f"SLA report: {period}", 14)
    pdf.multi_cell(
        0,
        4,
        plain(
            f"Office days in {report.timezone}; cases counted by the day they were submitted. "
            f"Generated {report.generated_at.strftime('%Y-%m-%d %H:%M UTC')}."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    if report.empty:
        _heading(pdf, "No cases in this period.", 11)
    for i, d in enumerate(report.definitions):
        if i:
            pdf.add_page()
        _overview(pdf, d)
        _tables(pdf, d)
        _charts(pdf, d)
    return bytes(pdf.output())
