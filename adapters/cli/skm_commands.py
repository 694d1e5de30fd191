"""`sopflow report skm`: the satisfaction index (IKM) of a period, PermenPAN-RB 14/2017."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from adapters.cli.existing_db import existing_engine
from adapters.cli.report_commands import _fail, _write, parse_day
from adapters.reports.errors import ReportError
from adapters.reports.period import Period
from adapters.reports.skm import skm_report
from adapters.reports.skm_render import SKM_FORMATS, render_skm
from adapters.settings import get_settings


def skm(
    from_day: str = typer.Option(..., "--from", help="First office day, YYYY-MM-DD."),
    to_day: str = typer.Option(..., "--to", help="Last office day (inclusive), YYYY-MM-DD."),
    fmt: str = typer.Option("html", "--format", help="html, pdf, json or csv."),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="File to write; default stdout (PDF: skm-FROM-TO.pdf)."
    ),
    definition: str | None = typer.Option(None, "--definition", help="Only this definition id."),
    timezone: str | None = typer.Option(
        None, help="Time zone of office days; default SOPFLOW_INTAKE_TIMEZONE."
    ),
) -> None:
    """Per element NRR and weighted value, IKM with its grade, respondents against the required
    sample, and the public's suggestions."""
    if fmt not in SKM_FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(SKM_FORMATS)}", param_hint="--format")
    first, last = parse_day(from_day, "--from"), parse_day(to_day, "--to")
    settings = get_settings()
    engine = existing_engine(settings.database_url)  # read-only: never creates one
    try:
        period = Period(first, last, timezone or settings.intake_timezone)
        report = skm_report(
            engine, period, generated_at=datetime.now(UTC), definition_id=definition
        )
        data = render_skm(report, fmt)
    except ReportError as error:
        raise _fail(str(error)) from None
    finally:
        engine.dispose()
    path = _write(data, output, fmt == "pdf", f"skm-{first}-{last}.pdf")
    if path is not None:
        typer.echo(f"wrote {path} ({report.respondents} respondents, {period.label()})", err=True)
