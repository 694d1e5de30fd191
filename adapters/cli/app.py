"""The `sopflow` command: the composition root that wires definitions, adapters and flows."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="sopflow",
    help="Run a government service SOP as an audited process.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def main() -> None:
    app()


from adapters.cli import definition_commands  # noqa: E402

app.command()(definition_commands.validate)
app.command()(definition_commands.diagram)

from adapters.cli.sdp_commands import sdp_app  # noqa: E402

app.add_typer(sdp_app, name="sdp")

from adapters.cli import poster_commands  # noqa: E402

app.command()(poster_commands.poster)

from adapters.cli import runtime_commands  # noqa: E402

app.command()(runtime_commands.migrate)
app.command("deploy")(runtime_commands.deploy_command)
app.command()(runtime_commands.runner)

from adapters.cli.audit_commands import audit_app  # noqa: E402

app.add_typer(audit_app, name="audit")

from adapters.cli import serve_command  # noqa: E402

app.command()(serve_command.serve)
app.command()(serve_command.intake)
app.command()(serve_command.status)

from adapters.cli import demo_command  # noqa: E402

app.command()(demo_command.demo)

from adapters.cli.report_commands import report_app  # noqa: E402

app.add_typer(report_app, name="report")

from adapters.cli import purge_commands  # noqa: E402
from adapters.cli.export_commands import export_app  # noqa: E402

app.command()(purge_commands.purge)
app.add_typer(export_app, name="export")

from adapters.cli.case_commands import case_app  # noqa: E402

app.add_typer(case_app, name="case")

from adapters.cli.skm_commands import skm  # noqa: E402

report_app.command("skm")(skm)

from adapters.cli.forecast_command import forecast_command  # noqa: E402

app.command("forecast")(forecast_command)
