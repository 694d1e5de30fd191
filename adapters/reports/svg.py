"""Inline SVG for the HTML report: the coloured process diagram and duration histograms.

Every text is escaped here; the strings are then marked safe for the Jinja2 template.
"""

from __future__ import annotations

import textwrap
from html import escape

from adapters.reports.charts import Histogram
from adapters.reports.diagram_layout import HEAT, HEAT_LEGEND, NO_DATA, heat_colour, hex_colour
from adapters.reports.formatting import duration, share
from adapters.reports.sla_models import Diagram, DiagramBox

_ARROW = (
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
    'markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/>'
    "</marker></defs>"
)


def _text_lines(text: str, x: float, y: float, width: int, size: float, max_lines: int) -> str:
    lines = textwrap.wrap(text, width=width)[:max_lines] or [""]
    first = y - (len(lines) - 1) * size * 0.6
    return "".join(
        f'<text x="{x:.1f}" y="{first + i * size * 1.2:.1f}" font-size="{size}" '
        f'text-anchor="middle" dominant-baseline="middle">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )


def _shape(box: DiagramBox) -> str:
    fill = hex_colour(heat_colour(box.breach_share))
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    tip = escape(
        f"{box.label}: {box.visits} kali dilalui, lewat batas {share(box.breach_share)}", quote=True
    )
    if box.kind == "gateway":
        points = f"{cx},{box.y} {box.x + box.w},{cy} {cx},{box.y + box.h} {box.x},{cy}"
        body = f'<polygon points="{points}" fill="{fill}" stroke="#333"/>'
    elif box.kind == "end":
        body = (
            f'<circle cx="{cx}" cy="{cy}" r="{box.w / 2}" fill="{fill}" stroke="#333" '
            'stroke-width="3"/>'
        )
    else:
        body = (
            f'<rect x="{box.x}" y="{box.y}" width="{box.w}" height="{box.h}" rx="6" '
            f'fill="{fill}" stroke="#333"/>'
        )
        body += _text_lines(box.label, cx, cy - 4, 20, 8.5, 4)
        body += (
            f'<text x="{cx}" y="{box.y + box.h - 5}" font-size="8" text-anchor="middle">'
            f"{box.visits}x, {escape(share(box.breach_share))} lewat</text>"
        )
    return f"<g><title>{tip}</title>{body}</g>"


def _edge(source: DiagramBox, target: DiagramBox) -> str:
    x1, y1 = source.x + source.w, source.y + source.h / 2
    x2, y2 = target.x, target.y + target.h / 2
    if x2 > x1:
        mid = (x1 + x2) / 2
        path = f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"
    else:  # back to an earlier column: loop over the top of the boxes
        top = min(source.y, target.y) - 6
        path = f"M{source.x + source.w / 2},{source.y} C{source.x},{top} {x2},{top} {x2},{y2}"
    return f'<path d="{path}" fill="none" stroke="#555" marker-end="url(#arrow)"/>'


def diagram_svg(diagram: Diagram) -> str:
    boxes = {box.step_id: box for box in diagram.boxes}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {diagram.width} '
        f'{diagram.height + 30}" width="100%" role="img" aria-label="diagram proses">',
        _ARROW,
    ]
    for i, lane in enumerate(diagram.lanes):
        shade = "#f8fafc" if i % 2 == 0 else "#eef2f7"
        parts.append(
            f'<rect x="0" y="{lane.y}" width="{diagram.width}" height="{lane.h}" fill="{shade}" '
            'stroke="#cbd5e1"/>'
        )
        parts.append(_text_lines(lane.name, 45, lane.y + lane.h / 2, 14, 9, 3))
    parts += [
        _edge(boxes[e.source], boxes[e.target])
        for e in diagram.edges
        if e.source in boxes and e.target in boxes
    ]
    parts += [_shape(box) for box in diagram.boxes]
    parts.append(_legend(diagram.height + 8))
    parts.append("</svg>")
    return "".join(parts)


def _legend(y: float) -> str:
    items = [(hex_colour(NO_DATA), "tanpa batas waktu / belum dilalui")]
    items += [
        (hex_colour(colour), f"lewat batas {label}")
        for (_, colour), label in zip(HEAT, HEAT_LEGEND, strict=True)
    ]
    parts = []
    x = 10.0
    for fill, label in items:
        parts.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="{fill}" stroke="#333"/>')
        parts.append(f'<text x="{x + 20}" y="{y + 11}" font-size="10">{escape(label)}</text>')
        x += 40 + 5.5 * len(label)  # about 5.5 px per character at font-size 10
    return "".join(parts)


def histogram_svg(hist: Histogram, *, width: float = 320, height: float = 120) -> str:
    left, bottom, top = 28.0, 18.0, 8.0
    plot_w, plot_h = width - left - 8, height - bottom - top
    sx = plot_w / hist.x_max
    sy = plot_h / max(hist.y_max, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="sebaran durasi">'
    ]
    base = top + plot_h
    for bar in hist.bars:
        if not bar.count:
            continue
        fill = "#f87171" if bar.over_budget else "#60a5fa"
        h = bar.count * sy
        parts.append(
            f'<rect x="{left + bar.low * sx + 0.5:.1f}" y="{base - h:.1f}" '
            f'width="{(bar.high - bar.low) * sx - 1:.1f}" height="{h:.1f}" fill="{fill}">'
            f"<title>{escape(duration(bar.low))}-{escape(duration(bar.high))}: "
            f"{bar.count}</title></rect>"
        )
    parts.append(f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#333"/>')
    parts.append(
        f'<text x="{left - 4}" y="{top + 6}" font-size="9" text-anchor="end">{hist.y_max}</text>'
    )
    parts.append(f'<text x="{left - 4}" y="{base}" font-size="9" text-anchor="end">0</text>')
    parts.append(f'<text x="{left}" y="{height - 4}" font-size="9">0</text>')
    parts.append(
        f'<text x="{left + plot_w}" y="{height - 4}" font-size="9" text-anchor="end">'
        f"{escape(duration(hist.x_max))}</text>"
    )
    if hist.budget is not None:
        x = left + hist.budget * sx
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{base}" stroke="#b91c1c" '
            'stroke-width="2" stroke-dasharray="4 3"/>'
        )
        near_edge = x > width - 60  # label on the left of the line, inside the chart
        anchor = ' text-anchor="end"' if near_edge else ""
        parts.append(
            f'<text x="{x - 3 if near_edge else x + 3:.1f}" y="{top + 4}" font-size="9" '
            f'fill="#b91c1c"{anchor}>batas {escape(duration(hist.budget))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
