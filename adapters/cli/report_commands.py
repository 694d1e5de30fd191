"""`sopflow report sla` and `sopflow report register`: auditors' figures and the paper register."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path

import typer

from adapters.cli.existing_db import existing_engine
from adapters.reports.errors import ReportError
from adapters.reports.period import Period
from adapters.reports.register_report import register_pdf
from adapters.reports.sla_report import FORMATS, render, sla_report
from adapters.roster import RosterError, load_roster
from adapters.settings import get_settings

report_app = typer.Typer(help="Reports: SLA figures and the daily register.", no_args_is_help=True)


def parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _write(data: bytes, output: Path | None, binary: bool, default: str) -> Path | None:
    if output is None and not binary:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return None
    path = output or Path(default)
    path.write_bytes(data)
    return path


@report_app.command("sla")
def sla(
    from_day: str = typer.Option(..., "--from", help="First office day, YYYY-MM-DD."),
    to_day: str = typer.Option(..., "--to", help="Last office day (inclusive), YYYY-MM-DD."),
    definition: str | None = typer.Option(None, "--definition", help="Only this definition id."),
    fmt: str = typer.Option("html", "--format", help="html, pdf, csv or json."),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="File to write; default stdout (PDF: sla-FROM-TO.pdf)."
    ),
    timezone: str | None = typer.Option(
        None, help="Time zone of office days; default SOPFLOW_INTAKE_TIMEZONE."
    ),
    staffing: bool = typer.Option(
        True, help="Add the forecast's share within budget against operators (SimPy)."
    ),
    include_demo: bool = typer.Option(
        False, "--include-demo", help="Count the cases `sopflow demo` made too."
    ),
) -> None:
    """Per step, SOP step and lane: count, p50, p90, max, budget, share within, breaches
    (finished over budget, and still waiting past it)."""
    if fmt not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    first, last = parse_day(from_day, "--from"), parse_day(to_day, "--to")
    settings = get_settings()
    engine = existing_engine(settings.database_url)
    try:
        period = Period(first, last, timezone or settings.intake_timezone)
        report = sla_report(
            engine,
            period,
            generated_at=datetime.now(UTC),
            definition_id=definition,
            staffing_office_hours=settings.office_hours if staffing else None,
            include_demo=include_demo,
        )
        data = render(report, fmt)
    except ReportError as error:
        raise _fail(str(error)) from None
    finally:
        engine.dispose()
    path = _write(data, output, fmt == "pdf", f"sla-{first}-{last}.pdf")
    cases = sum(d.cases for d in report.definitions)
    if path is not None:
        typer.echo(f"wrote {path} ({cases} cases, {period.label()})", err=True)


@report_app.command("register")
def register(
    on: str = typer.Option(..., "--date", help="Office day, YYYY-MM-DD."),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="PDF file; default register-DATE.pdf."
    ),
    definition: str | None = typer.Option(None, "--definition", help="Only this definition id."),
    timezone: str | None = typer.Option(
        None, help="Time zone of the office day; default SOPFLOW_INTAKE_TIMEZONE."
    ),
    include_demo: bool = typer.Option(
        False, "--include-demo", help="List the cases `sopflow demo` made too."
    ),
) -> None:
    """The daily register (A4 landscape PDF, Bahasa Indonesia) for the paper archive."""
    day = parse_day(on, "--date")
    settings = get_settings()
    try:
        roster = load_roster(settings.roster_file)
        names = {op.nip: op.name for ops in roster.root.values() for op in ops}
    except RosterError:
        names = {}
    engine = existing_engine(settings.database_url)
    try:
        pdf, count = register_pdf(
            engine,
            day,
            timezone=timezone or settings.intake_timezone,
            generated_at=datetime.now(UTC),
            operator_names=names,
            definition_id=definition,
            include_demo=include_demo,
        )
    except ReportError as error:
        raise _fail(str(error)) from None
    finally:
        engine.dispose()
    path = output or Path(f"register-{day}.pdf")
    path.write_bytes(pdf)
    typer.echo(f"wrote {path} ({count} cases on {day})", err=True)
