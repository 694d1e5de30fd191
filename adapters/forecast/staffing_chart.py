"""Share within budget against operators, from the forecast: the series and an SVG chart.

The SLA report shows, per operator lane, how its steps' share within budget would have moved
with 1..N operators on the period's own arrivals (the back-test replay). Every text in the SVG
is escaped.
"""

from __future__ import annotations

from html import escape

from sqlalchemy import Engine

from adapters.forecast.curve import CurvePoint, StaffingCurve
from adapters.forecast.errors import ForecastError
from adapters.forecast.forecast import backtest, default_operators
from adapters.forecast.history import OPERATOR_KIND, ProcessHistory, load_history, operator_lanes
from adapters.forecast.office_hours import OfficeHours
from adapters.reports.period import Period

COLOURS = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c")


def staffing_curves(
    history: ProcessHistory,
    *,
    office: OfficeHours,
    office_hours_text: str,
    max_extra: int = 2,
    replications: int = 5,
    seed: int = 0,
) -> list[StaffingCurve]:
    """One curve per operator lane: 1 .. (observed + max_extra) operators, others as seen."""
    observed = default_operators(history)
    curves = []
    for lane in operator_lanes(history.definition):
        steps = {
            s.id: s.name
            for s in history.definition.steps
            if s.lane == lane and s.kind == OPERATOR_KIND
        }
        points = []
        for k in range(1, observed[lane] + max_extra + 1):
            result = backtest(
                history,
                operators={**observed, lane: k},
                office=office,
                office_hours_text=office_hours_text,
                replications=replications,
                seed=seed,
            )
            shares = {s.step_id: s.within_share for s in result.steps if s.step_id in steps}
            use = next((x.utilisation for x in result.lanes if x.lane == lane), None)
            points.append(CurvePoint(operators=k, within_share=shares, utilisation=use))
        lane_spec = history.definition.lanes.get(lane)
        curves.append(
            StaffingCurve(
                lane=lane,
                lane_name=lane_spec.name if lane_spec else lane,
                steps=steps,
                observed_operators=observed[lane],
                points=points,
            )
        )
    return curves


def period_staffing(
    engine: Engine, period: Period, office: OfficeHours, office_hours_text: str, definition_id: str
) -> list[StaffingCurve]:
    """The curves of one definition's cases in a report period ([] without operator steps)."""
    try:
        history = load_history(engine, period, office, definition_id=definition_id)
    except ForecastError:
        return []
    if not history.arrivals:
        return []
    return staffing_curves(history, office=office, office_hours_text=office_hours_text)


def staffing_svg(curve: StaffingCurve, *, width: float = 420, plot_h: float = 150) -> str:
    left, right, top = 40.0, 16.0, 12.0
    plot_w = width - left - right
    legend_y = top + plot_h + 34
    height = legend_y + 14 * len(curve.steps) + 4
    ks = [p.operators for p in curve.points]
    span = max(max(ks, default=1) - min(ks, default=1), 1)

    def x(k: int) -> float:
        return left + (k - min(ks)) / span * plot_w

    def y(share: float) -> float:
        return top + (1 - share) * plot_h

    label = escape(f"{curve.lane_name}: share within budget against operators", quote=True)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{label}">'
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_w}" y2="{y(tick):.1f}" '
            f'stroke="#e2e8f0"/><text x="{left - 4}" y="{y(tick) + 3:.1f}" font-size="9" '
            f'text-anchor="end">{tick * 100:.0f}%</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{y(0.95):.1f}" x2="{left + plot_w}" y2="{y(0.95):.1f}" '
        f'stroke="#b91c1c" stroke-dasharray="4 3"/><text x="{left + plot_w}" '
        f'y="{y(0.95) + 10:.1f}" font-size="9" fill="#b91c1c" text-anchor="end">95%</text>'
    )
    for k in ks:
        weight = ' font-weight="bold"' if k == curve.observed_operators else ""
        parts.append(
            f'<text x="{x(k):.1f}" y="{top + plot_h + 12}" font-size="9" text-anchor="middle"'
            f"{weight}>{k}</text>"
        )
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{top + plot_h + 24}" font-size="9" '
        'text-anchor="middle">operators (bold: as in the period)</text>'
    )
    for i, (step_id, name) in enumerate(curve.steps.items()):
        colour = COLOURS[i % len(COLOURS)]
        points = [
            (x(p.operators), y(share))
            for p in curve.points
            if (share := p.within_share.get(step_id)) is not None
        ]
        if points:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
            parts += [
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>'
                for px, py in points
            ]
        ly = legend_y + i * 14
        text = name if len(name) <= 70 else name[:69] + "…"
        parts.append(
            f'<rect x="{left}" y="{ly - 4}" width="12" height="3" fill="{colour}"/>'
            f'<text x="{left + 16}" y="{ly}" font-size="9">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
