"""`sopflow audit verify`: walk the hash-chained audit log, name the first broken link."""

from __future__ import annotations

import typer

from adapters.db.audit import verify_chain
from adapters.db.engine import make_engine, session_scope
from adapters.db.migrate import upgrade
from adapters.settings import get_settings

audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)


@audit_app.command("verify")
def verify() -> None:
    """Exit 0 if every entry links to the one before and matches its hash, else 1."""
    settings = get_settings()
    settings.ensure_data_dir()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    with session_scope(engine) as session:
        checked, broken = verify_chain(session)
    if broken is None:
        typer.echo(f"audit log intact: {checked} entries")
        return
    typer.echo(
        f"audit log broken at entry {broken.entry_id} (after {checked} good entries): "
        f"{broken.problem}"
    )
    raise typer.Exit(1)
