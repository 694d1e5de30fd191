"""`sopflow audit verify` and `sopflow audit anchor`: the keyed audit chain and its anchors."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from adapters.db.audit import anchor_record, anchors_path, read_anchors, verify_chain
from adapters.db.audit_key import AuditKeyError
from adapters.db.engine import make_engine, session_scope
from adapters.db.migrate import upgrade
from adapters.settings import get_settings

audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)


@audit_app.command("verify")
def verify() -> None:
    """Exit 0 if every entry links to the one before, matches its keyed hash, and every
    recorded anchor is still on the chain; else 1."""
    settings = get_settings()
    settings.ensure_data_dir()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    anchors = read_anchors(anchors_path())
    try:
        with session_scope(engine) as session:
            checked, broken = verify_chain(session, anchors=anchors)
    except AuditKeyError as error:
        typer.echo(f"audit key: {error}", err=True)
        raise typer.Exit(2) from None
    if broken is None:
        typer.echo(f"audit log intact: {checked} entries, {len(anchors)} anchors reached")
        return
    typer.echo(
        f"audit log broken at entry {broken.entry_id} (after {checked} good entries): "
        f"{broken.problem}"
    )
    raise typer.Exit(1)


@audit_app.command("anchor")
def anchor() -> None:
    """Record the chain's head in the local anchors file and print it (run it daily, and
    copy the line somewhere the database's administrators cannot write)."""
    settings = get_settings()
    settings.ensure_data_dir()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    with session_scope(engine) as session:
        record = anchor_record(session, now=datetime.now(UTC))
    typer.echo(record.line() if record else "audit log empty: nothing to anchor")
