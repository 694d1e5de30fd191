"""`sopflow migrate`, `deploy` and `runner`: putting the case runtime in place and running it."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import typer

from adapters.db.migrate import upgrade
from adapters.definition_check import load_checked_definitions
from adapters.orchestrator import BudgetWatch, deploy
from adapters.settings import get_settings
from process_definitions import model as m
from process_definitions.loader import DefinitionErrors, LoadedDefinition

REPO_ROOT = Path(__file__).resolve().parents[2]


def definitions_in(folder: Path) -> list[LoadedDefinition]:
    """Every definition of `folder`, checked as `sopflow validate` checks them."""
    return load_checked_definitions(get_settings().model_copy(update={"definitions_dir": folder}))


def budget_watches(definitions: list[LoadedDefinition]) -> list[BudgetWatch]:
    return [
        BudgetWatch(d.definition.id, d.definition.version, s.id, s.name, s.budget)
        for d in definitions
        for s in d.definition.steps
        if isinstance(s, m.UserTaskStep) and s.budget
    ]


def migrate() -> None:
    """Apply the case database migrations (idempotent)."""
    settings = get_settings()
    settings.ensure_data_dir()
    upgrade(settings.database_url)
    typer.echo(f"database at revision heads: {settings.database_url.split('@')[-1]}")


def deploy_command(
    prefect_yaml: Path = typer.Option(REPO_ROOT / "prefect.yaml", "--prefect-yaml"),
) -> None:
    """Create or update the deployments of prefect.yaml and the budget automations."""
    settings = get_settings()
    try:
        definitions = definitions_in(settings.definitions_dir)
    except DefinitionErrors as errors:
        typer.echo(str(errors), err=True)
        raise typer.Exit(1) from None
    try:
        report = asyncio.run(deploy(prefect_yaml, budget_watches(definitions)))
    except Exception as error:  # Prefect unreachable, bad prefect.yaml…
        typer.echo(f"deploy failed: {type(error).__name__}: {error}", err=True)
        raise typer.Exit(1) from None
    for name, deployment_id in report.deployments.items():
        typer.echo(f"deployment {name}: {deployment_id}")
    for name in report.automations:
        typer.echo(f"automation {name}")


def runner(
    limit: int = typer.Option(64, help="Flow runs executed at once."),
    poll: float = typer.Option(0.5, help="Seconds between polls for scheduled runs."),
) -> None:
    """Execute the sopflow deployments' runs in this process (no process per run or resume)."""
    from flows.case_flow import run_case
    from flows.reconcile_flow import reconcile_cases
    from flows.runner import CaseRunner, recover_interrupted, resolve_deployments
    from flows.sla_summary_flow import publish_sla_summary
    from flows.supervisor_alert_flow import alert_supervisor

    async def main() -> None:
        flows = await resolve_deployments(
            {
                "run-case/run-case": run_case,
                "reconcile-cases/reconcile-cases": reconcile_cases,
                "alert-supervisor/alert-supervisor": alert_supervisor,
                "sla-summary/sla-summary": publish_sla_summary,
            }
        )
        recovered = await recover_interrupted(list(flows))
        case_runner = CaseRunner(flows, limit=limit, poll_interval=poll)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, case_runner.stop)
        typer.echo(f"runner ready: {len(flows)} deployments, {recovered} run(s) rescheduled")
        await case_runner.run()

    asyncio.run(main())
