"""`sopflow export cases`: a period's cases for auditors, personal data masked unless
`--unmasked` (which is recorded in the audit log: who, when, which cases)."""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path

import typer

from adapters.cli.existing_db import existing_engine
from adapters.cli.report_commands import parse_day
from adapters.db.audit import append_audit
from adapters.db.engine import session_scope
from adapters.reports.errors import ReportError
from adapters.reports.export import export_records, render_export
from adapters.reports.period import Period
from adapters.settings import get_settings

export_app = typer.Typer(help="Exports for auditors.", no_args_is_help=True)
UNMASKED_ACTION = "export.unmasked"


@export_app.command("cases")
def cases(
    from_day: str = typer.Option(..., "--from", help="First office day, YYYY-MM-DD."),
    to_day: str = typer.Option(..., "--to", help="Last office day (inclusive), YYYY-MM-DD."),
    fmt: str = typer.Option("csv", "--format", help="csv or jsonl."),
    unmasked: bool = typer.Option(
        False, "--unmasked", help="Personal data in clear (recorded in the audit log)."
    ),
    definition: str | None = typer.Option(None, "--definition", help="Only this definition id."),
    output: Path | None = typer.Option(None, "-o", "--output", help="File; default stdout."),
    actor: str | None = typer.Option(None, help="Who exports, for the audit log; default OS user."),
    timezone: str | None = typer.Option(
        None, help="Time zone of office days; default SOPFLOW_INTAKE_TIMEZONE."
    ),
    include_demo: bool = typer.Option(
        False, "--include-demo", help="Export the cases `sopflow demo` made too."
    ),
) -> None:
    """One row per case submitted in the period (CSV), or one JSON object with its steps."""
    if fmt not in ("csv", "jsonl"):
        raise typer.BadParameter("choose csv or jsonl", param_hint="--format")
    first, last = parse_day(from_day, "--from"), parse_day(to_day, "--to")
    settings = get_settings()
    engine = existing_engine(settings.database_url)
    try:
        period = Period(first, last, timezone or settings.intake_timezone)
        rows, field_ids, case_ids = export_records(
            engine,
            period,
            masked=not unmasked,
            definition_id=definition,
            include_demo=include_demo,
        )
        text = render_export(rows, field_ids, fmt)
        if unmasked:  # recorded before the data leaves: an export that fails is still logged
            with session_scope(engine) as session:
                append_audit(
                    session,
                    at=datetime.now(UTC),
                    actor=actor or getpass.getuser(),
                    action=UNMASKED_ACTION,
                    details={
                        "from": first.isoformat(),
                        "to": last.isoformat(),
                        "format": fmt,
                        "definition": definition,
                        "count": len(case_ids),
                        "cases": case_ids,
                    },
                )
    except ReportError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output} ({len(rows)} cases)", err=True)
