"""Drawing the process diagram and histograms on an fpdf2 page (vector primitives only)."""

from __future__ import annotations

import math

from fpdf import FPDF

from adapters.reports.charts import Histogram
from adapters.reports.diagram_layout import HEAT, HEAT_LEGEND, NO_DATA, heat_colour
from adapters.reports.formatting import duration, share
from adapters.reports.pdf_text import plain
from adapters.reports.sla_models import Diagram, DiagramBox

GREY = (85, 85, 85)


def _lines(pdf: FPDF, w: float, h: float, text: str) -> list[str]:
    """How `text` wraps in a cell `w` wide with the current font."""
    lines = pdf.multi_cell(w, h, plain(text), dry_run=True, output="LINES")
    return [str(line) for line in lines] if isinstance(lines, list) else [plain(text)]


def _arrow_head(pdf: FPDF, x: float, y: float, angle: float, size: float = 1.4) -> None:
    left = (x - size * math.cos(angle - 0.45), y - size * math.sin(angle - 0.45))
    right = (x - size * math.cos(angle + 0.45), y - size * math.sin(angle + 0.45))
    pdf.set_fill_color(*GREY)
    pdf.polygon([(x, y), left, right], style="F")


def _edge(
    pdf: FPDF, source: DiagramBox, target: DiagramBox, ox: float, oy: float, k: float
) -> None:
    pdf.set_draw_color(*GREY)
    pdf.set_line_width(0.2)
    x1, y1 = ox + (source.x + source.w) * k, oy + (source.y + source.h / 2) * k
    x2, y2 = ox + target.x * k, oy + (target.y + target.h / 2) * k
    if x2 > x1:
        mid = (x1 + x2) / 2
        pdf.bezier([(x1, y1), (mid, y1), (mid, y2), (x2, y2)])
        _arrow_head(pdf, x2, y2, 0.0)
    else:
        sx, sy = ox + (source.x + source.w / 2) * k, oy + source.y * k
        top = oy + (min(source.y, target.y) - 6) * k
        pdf.bezier([(sx, sy), (ox + source.x * k, top), (x2, top), (x2, y2)])
        _arrow_head(pdf, x2, y2, math.pi / 2)


def _box(pdf: FPDF, box: DiagramBox, ox: float, oy: float, k: float) -> None:
    x, y, w, h = ox + box.x * k, oy + box.y * k, box.w * k, box.h * k
    pdf.set_fill_color(*heat_colour(box.breach_share))
    pdf.set_draw_color(40, 40, 40)
    pdf.set_line_width(0.25)
    if box.kind == "gateway":
        pdf.polygon(
            [(x + w / 2, y), (x + w, y + h / 2), (x + w / 2, y + h), (x, y + h / 2)], style="DF"
        )
        return
    if box.kind == "end":
        pdf.set_line_width(0.6)
        pdf.ellipse(x, y, w, h, style="DF")
        return
    pdf.rect(x, y, w, h, style="DF", round_corners=True, corner_radius=1.2)
    pdf.set_font("Helvetica", size=5)
    pdf.set_xy(x + 0.6, y + 0.8)
    lines = _lines(pdf, w - 1.2, 2.1, box.label)
    pdf.set_xy(x + 0.6, y + 0.8)
    pdf.multi_cell(w - 1.2, 2.1, "\n".join(lines[:4]), align="C")
    pdf.set_xy(x, y + h - 3)
    pdf.cell(w, 2.4, plain(f"{box.visits}x, {share(box.breach_share)} lewat batas"), align="C")


def draw_diagram(pdf: FPDF, diagram: Diagram, *, x: float, y: float, width: float) -> float:
    """Draw at (x, y) scaled to `width`; returns the height used (legend included)."""
    k = width / diagram.width
    boxes = {box.step_id: box for box in diagram.boxes}
    for i, lane in enumerate(diagram.lanes):
        pdf.set_fill_color(*((248, 250, 252) if i % 2 == 0 else (238, 242, 247)))
        pdf.set_draw_color(203, 213, 225)
        pdf.rect(x, y + lane.y * k, width, lane.h * k, style="DF")
        pdf.set_font("Helvetica", size=6)
        pdf.set_xy(x + 0.5, y + lane.y * k + 1)
        pdf.multi_cell(90 * k - 1, 2.6, plain(lane.name), align="L")
    for edge in diagram.edges:
        if edge.source in boxes and edge.target in boxes:
            _edge(pdf, boxes[edge.source], boxes[edge.target], x, y, k)
    for box in diagram.boxes:
        _box(pdf, box, x, y, k)
    legend_y = y + diagram.height * k + 2
    items = [(NO_DATA, "tanpa batas waktu / belum dilalui")]
    items += [
        (colour, f"lewat batas {label}")
        for (_, colour), label in zip(HEAT, HEAT_LEGEND, strict=True)
    ]
    pdf.set_font("Helvetica", size=7)
    lx = x
    for colour, label in items:
        pdf.set_fill_color(*colour)
        pdf.set_draw_color(40, 40, 40)
        pdf.rect(lx, legend_y, 3, 3, style="DF")
        pdf.set_xy(lx + 4, legend_y - 0.2)
        width = pdf.get_string_width(plain(label)) + 2
        pdf.cell(width, 3.4, plain(label))
        lx += width + 8
    return diagram.height * k + 7


def draw_histogram(
    pdf: FPDF, hist: Histogram, *, x: float, y: float, w: float, h: float, title: str
) -> None:
    pdf.set_font("Helvetica", size=6.5)
    lines = _lines(pdf, w, 2.8, title)
    pdf.set_xy(x, y)
    pdf.multi_cell(w, 2.8, "\n".join(lines[:2]), align="L")
    left, top, bottom = x + 6, y + 8, y + h - 4
    plot_w, plot_h = w - 8, bottom - top
    sx, sy = plot_w / hist.x_max, plot_h / max(hist.y_max, 1)
    for bar in hist.bars:
        if bar.count:
            pdf.set_fill_color(*((248, 113, 113) if bar.over_budget else (96, 165, 250)))
            pdf.rect(
                left + bar.low * sx + 0.2,
                bottom - bar.count * sy,
                (bar.high - bar.low) * sx - 0.4,
                bar.count * sy,
                style="F",
            )
    pdf.set_draw_color(40, 40, 40)
    pdf.set_line_width(0.2)
    pdf.line(left, bottom, left + plot_w, bottom)
    pdf.set_font("Helvetica", size=5.5)
    pdf.set_xy(x, top - 1)
    pdf.cell(5.5, 2.5, str(hist.y_max), align="R")
    pdf.set_xy(left - 1, bottom + 0.5)
    pdf.cell(10, 2.5, "0")
    pdf.set_xy(left + plot_w / 2 - 7.5, bottom + 0.5)
    pdf.cell(15, 2.5, duration(hist.x_max / 2), align="C")
    pdf.set_xy(left + plot_w - 15, bottom + 0.5)
    pdf.cell(15, 2.5, duration(hist.x_max), align="R")
    if hist.budget is not None:
        bx = left + hist.budget * sx
        pdf.set_draw_color(185, 28, 28)
        pdf.set_line_width(0.4)
        pdf.set_dash_pattern(dash=1, gap=0.8)
        pdf.line(bx, top - 1, bx, bottom)
        pdf.set_dash_pattern()
        pdf.set_text_color(185, 28, 28)
        pdf.set_xy(bx + 0.5, top - 1)
        pdf.cell(20, 2.5, f"batas {duration(hist.budget)}")
        pdf.set_text_color(0, 0, 0)
