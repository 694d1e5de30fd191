"""`sopflow audit verify`: walk the hash-chained audit log, name the first broken link."""

from __future__ import annotations

import typer

from adapters.cli.existing_db import existing_engine
from adapters.db.audit import verify_chain
from adapters.db.engine import session_scope
from adapters.settings import get_settings

audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)


@audit_app.command("verify")
def verify() -> None:
    """Exit 0 if every entry links to the one before and matches its hash, else 1."""
    engine = existing_engine(get_settings().database_url)
    try:
        with session_scope(engine) as session:
            checked, broken = verify_chain(session)
    finally:
        engine.dispose()
    if broken is None:
        typer.echo(f"audit log intact: {checked} entries")
        return
    typer.echo(
        f"audit log broken at entry {broken.entry_id} (after {checked} good entries): "
        f"{broken.problem}"
    )
    raise typer.Exit(1)
