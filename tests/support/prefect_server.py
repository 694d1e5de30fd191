"""A Prefect server for a test: on a throw-away PostgreSQL database, on 127.0.0.1, with this
process's clients pointed at it; its clients drained and the server stopped afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect.settings import PREFECT_API_URL, temporary_settings

from adapters.local_prefect import start_local_prefect
from tests.support.databases import temporary_postgres_database
from tests.support.prefect_clients import drain_prefect_clients


@contextmanager
def prefect_on_postgres(database: str, home: Path) -> Iterator[str]:
    """The API URL of a Prefect server whose database is a fresh `database`."""
    with temporary_postgres_database(database) as url:
        asyncpg_url = url.replace("postgresql+psycopg://", "postgresql+asyncpg://")
        server = start_local_prefect(home, database_url=asyncpg_url)
        try:
            with temporary_settings({PREFECT_API_URL: server.api_url}):
                yield server.api_url
        finally:
            drain_prefect_clients()
            server.stop()
