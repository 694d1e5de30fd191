"""Open a sopflow database that must exist already: read-only commands never create one.

SQLite creates a missing file on connect, and migrations create tables in an empty database, so
both are checked first: the file must exist, the server must answer, the database must hold
sopflow's tables (Alembic's version table). Then it is migrated to the newest revision (an
existing database after an update) and its engine returned. Errors say where they looked (the
URL without its password) in English, for the administrator.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from adapters.db.engine import make_engine
from adapters.db.migrate import upgrade

VERSION_TABLE = "alembic_version"


class MissingDatabaseError(RuntimeError):
    """No sopflow database where the settings point (nothing was created)."""


def describe(url: str) -> str:
    """Where a URL points, as a person reads it: a SQLite file's absolute path, otherwise the
    URL with its password hidden."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "an invalid database URL"
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite file {Path(parsed.database or '').resolve()}"
    return parsed.render_as_string(hide_password=True)


def open_existing_database(url: str, *, migrate: bool = True) -> Engine:
    """An engine on the existing database at `url`; `MissingDatabaseError` when there is none
    (a missing SQLite file, a server that does not answer, a database without sopflow tables)."""
    where = describe(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database or ""
        if name in ("", ":memory:") or not Path(name).is_file():
            raise MissingDatabaseError(f"no sopflow database: {where} does not exist")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            initialised = inspect(conn).has_table(VERSION_TABLE)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
        raise MissingDatabaseError(f"cannot open the database at {where}: {reason}") from None
    if not initialised:
        engine.dispose()
        raise MissingDatabaseError(f"no sopflow database: {where} holds no sopflow tables")
    if migrate:
        upgrade(url)
    return engine
