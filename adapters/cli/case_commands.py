"""`sopflow case retry REF`: continue a stalled case once the cause is fixed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import typer

case_app = typer.Typer(help="Work on one case by its reference.", no_args_is_help=True)


@case_app.command("retry")
def retry(
    reference: str = typer.Argument(..., help="The case reference, e.g. LII-2026-000123"),
) -> None:
    """Continue a stalled case from the step where it stopped (no finished step or sent message
    is repeated)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from adapters.db import case_repository as repo
    from adapters.db.case_tables import CaseStatus
    from adapters.db.engine import make_engine, session_scope
    from adapters.prefect.service_urls import NoPrefectError, prefect_api_url
    from adapters.prefect.starter import OrchestratorUnavailableError, PrefectCaseStarter
    from adapters.settings import get_settings
    from tasks.case_store import clear_stalled

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            case = repo.get_case_by_reference(session, reference=reference.strip().upper())
            if case is None:
                typer.echo(f"case retry: no case {reference}", err=True)
                raise typer.Exit(1)
            if case.status != CaseStatus.STALLED.value:
                typer.echo(f"case retry: {case.reference} is {case.status}, not stalled", err=True)
                raise typer.Exit(1)
            case_id, previous_run = case.id, case.flow_run_id
            tags = [f"definition:{case.definition_id}", f"version:{case.definition_version}"]
        view = clear_stalled(engine, case_id=case_id, actor="administrator", now=datetime.now(UTC))
        try:
            api_url = prefect_api_url(settings.data_dir)
            with temporary_settings({PREFECT_API_URL: api_url}):
                run_id = asyncio.run(
                    PrefectCaseStarter().start_case(
                        case_id=case_id,
                        reference=view.reference,
                        tags=tags,
                        after_run=previous_run,
                    )
                )
        except (NoPrefectError, OrchestratorUnavailableError) as error:
            typer.echo(
                f"{view.reference} is queued again; the runner will start it ({error})", err=True
            )
            return
        typer.echo(f"{view.reference} continues at step {view.current_step}: flow run {run_id}")
    finally:
        engine.dispose()
