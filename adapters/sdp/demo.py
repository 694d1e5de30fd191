"""The demo directory: ~20 fictional prisoners (`demo_directory.csv`, marked DATA DEMO FIKTIF)
whose names exercise the matching. `sopflow serve` loads it into an empty directory."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select

from adapters.sdp.errors import SdpImportError
from adapters.sdp.export_reader import ColumnMapping, open_export
from adapters.sdp.importer import import_records
from adapters.sdp.rows import RECORD_TABLE

DEMO_FILE = Path(__file__).resolve().parent / "demo_directory.csv"


def load_demo_directory(engine: Engine, *, now: datetime | None = None) -> int:
    """Import the demo records if the directory is empty; return how many were loaded (0 if
    the directory already had records). The engine's database must be migrated."""
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(RECORD_TABLE)).scalar_one():
            return 0
    export = open_export(DEMO_FILE, ColumnMapping.default())
    report = import_records(engine, export.rows, now=now or datetime.now(UTC))
    if not report.committed:
        raise SdpImportError(f"demo directory file is invalid: {report.summary()}")
    return report.inserted
