"""The database of a read-only command: it must exist; otherwise say where we looked, exit 1."""

from __future__ import annotations

import typer
from sqlalchemy import Engine

from adapters.db.existing import MissingDatabaseError, open_existing_database


def existing_engine(url: str) -> Engine:
    try:
        return open_existing_database(url)
    except MissingDatabaseError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
