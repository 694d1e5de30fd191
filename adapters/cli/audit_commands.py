"""`sopflow audit verify` and `sopflow audit anchor`: the keyed audit chain and its anchors."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from adapters.cli.existing_db import existing_engine
from adapters.db.audit import anchor_record, anchors_path, read_anchors, verify_chain
from adapters.db.audit_key import AuditKeyError
from adapters.db.engine import session_scope
from adapters.settings import get_settings

audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)


@audit_app.command("verify")
def verify() -> None:
    """Exit 0 if every entry links to the one before, matches its keyed hash, and every
    recorded anchor is still on the chain; else 1. Never creates a database."""
    engine = existing_engine(get_settings().database_url)
    anchors = read_anchors(anchors_path())
    try:
        with session_scope(engine) as session:
            checked, broken = verify_chain(session, anchors=anchors)
    except AuditKeyError as error:
        typer.echo(f"audit key: {error}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
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
    engine = existing_engine(get_settings().database_url)
    try:
        with session_scope(engine) as session:
            record = anchor_record(session, now=datetime.now(UTC))
    finally:
        engine.dispose()
    typer.echo(record.line() if record else "audit log empty: nothing to anchor")
