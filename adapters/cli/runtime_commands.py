"""`sopflow migrate`, `deploy` and `runner`: putting the case runtime in place and running it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from adapters.db.migrate import upgrade
from adapters.definition_check import load_checked_definitions
from adapters.prefect.deploy import BudgetWatch, deploy
from adapters.prefect.service_urls import NoPrefectError, prefect_api_url
from adapters.settings import get_settings
from process_definitions import model as m
from process_definitions.loader import DefinitionErrors, LoadedDefinition

REPO_ROOT = Path(__file__).resolve().parents[2]


def definitions_in(folder: Path) -> list[LoadedDefinition]:
    """Every definition of `folder`, checked as `sopflow validate` checks them."""
    return load_checked_definitions(get_settings().model_copy(update={"definitions_dir": folder}))


def budget_watches(definitions: list[LoadedDefinition]) -> list[BudgetWatch]:
    return [
        BudgetWatch(d.definition.id, d.content_hash, d.definition.version, s.id, s.name, s.budget)
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
    """Deploy to the running service's Prefect: deployments, automations, definitions."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from adapters.db.engine import make_engine
    from adapters.db.published_definitions import publish_definitions

    settings = get_settings()
    try:
        definitions = definitions_in(settings.definitions_dir)
        api_url = prefect_api_url(settings.data_dir)
    except DefinitionErrors as errors:
        typer.echo(str(errors), err=True)
        raise typer.Exit(1) from None
    except NoPrefectError as error:
        typer.echo(f"deploy: {error}", err=True)
        raise typer.Exit(1) from None
    engine = make_engine(settings.database_url)
    try:
        published = publish_definitions(engine, definitions)
        with temporary_settings({PREFECT_API_URL: api_url}):
            report = asyncio.run(deploy(prefect_yaml, budget_watches(published)))
    except Exception as error:  # Prefect unreachable, bad prefect.yaml…
        typer.echo(f"deploy failed: {type(error).__name__}: {error}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"Prefect: {api_url}")
    for loaded in definitions:
        d = loaded.definition
        typer.echo(f"definition {d.id} v{d.version} ({loaded.content_hash[:12]}): new cases use it")
    for name, deployment_id in report.deployments.items():
        typer.echo(f"deployment {name}: {deployment_id}")
    for name in report.automations:
        typer.echo(f"automation {name}")


def runner(
    limit: int = typer.Option(64, help="Flow runs executed at once."),
    poll: float = typer.Option(0.25, help="Seconds between polls for scheduled runs."),
    name: str = typer.Option("", help="Worker name shown in the Prefect UI (default: host/pid)."),
) -> None:
    """A Prefect worker on the `sopflow` pool that runs flow runs in this process."""
    from adapters.cli.worker_main import run_worker

    try:
        load_checked_definitions(get_settings())  # the same refusal as validate, serve, deploy
        api_url = prefect_api_url(get_settings().data_dir)
    except DefinitionErrors as errors:
        typer.echo(str(errors), err=True)
        raise typer.Exit(1) from None
    except NoPrefectError as error:
        typer.echo(f"runner: {error}", err=True)
        raise typer.Exit(1) from None
    asyncio.run(run_worker(api_url=api_url, limit=limit, poll=poll, name=name or None))
