"""The SLA report as one self-contained HTML page (Jinja2, autoescaped, inline SVG, no assets)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from adapters.forecast.staffing_chart import staffing_svg
from adapters.reports import formatting
from adapters.reports.charts import histogram
from adapters.reports.sla_models import DurationStats, SlaReport
from adapters.reports.svg import diagram_svg, histogram_svg

_env = Environment(
    loader=PackageLoader("adapters.reports", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["duration"] = formatting.duration
_env.filters["share"] = formatting.share
_env.filters["refs"] = formatting.references


def _chart(stats: DurationStats) -> Markup:
    if not stats.count:
        return Markup("")
    svg = histogram_svg(histogram(stats.durations, stats.budget_seconds))
    return Markup(svg)  # noqa: S704 - built from escaped parts in svg.py


def _diagram(diagram: object) -> Markup:
    return Markup(diagram_svg(diagram))  # type: ignore[arg-type]  # noqa: S704


_env.globals["chart"] = _chart
_env.globals["staffing_chart"] = lambda curve: Markup(staffing_svg(curve))  # noqa: S704
_env.globals["diagram"] = _diagram


def render_html(report: SlaReport) -> str:
    return _env.get_template("sla.html.j2").render(
        report=report,
        period=formatting.period_text(report.period_first, report.period_last),
        zone=formatting.zone_label(report.timezone),
        generated=formatting.local_time(report.generated_at, report.timezone),
    )
