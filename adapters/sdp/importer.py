"""Import an SDP export into the replica: validate every row, upsert by registration number.

One transaction: if any row is rejected, nothing is written and the report lists every rejected
row (spreadsheet row number and reason, never the row's content).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Connection, Engine, Table, bindparam, delete, insert, select, text, update

from adapters.sdp.directory import SdpRecord
from adapters.sdp.export_reader import RawRow
from adapters.sdp.keys import record_keys, token_variants, vocabulary
from adapters.sdp.matching import record_names, upt_tokens
from adapters.sdp.rows import KEY_TABLE, RECORD_TABLE, VARIANT_TABLE, record_values

_NEXT_RECORD_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('sdp_record', 'id')) FROM generate_series(1, :n)"
)
BATCH_SIZE = 1000
MAX_LISTED_REJECTIONS = 200
VACUUM_FROM = 10_000  # rows changed by one import


class Rejection(BaseModel):
    row: int
    reason: str


class ImportReport(BaseModel):
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    rejected: int = 0
    rejections: list[Rejection] = Field(default_factory=list)
    committed: bool = False

    def summary(self) -> str:
        state = "committed" if self.committed else "nothing changed (one transaction)"
        return (
            f"rows read: {self.rows_read}, inserted: {self.inserted}, updated: {self.updated}, "
            f"rejected: {self.rejected}; {state}"
        )


class _Rollback(Exception):
    """Raised inside the transaction to undo it when a row was rejected."""


def _reason(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"]) or "row"
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{field}: {message}")
    return "; ".join(parts)


def import_records(
    engine: Engine,
    rows: Iterable[tuple[int, RawRow]],
    *,
    now: datetime,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Upsert the rows; `now` stamps `imported_at`. Returns the report (never raises per row)."""
    report = ImportReport()
    try:
        with engine.begin() as conn, _Writer(conn, now) as writer:
            seen: dict[str, int] = {}
            batch: list[SdpRecord] = []
            for number, raw in rows:
                report.rows_read += 1
                record = _validate(number, raw, seen, report)
                if record is not None and not report.rejected:
                    batch.append(record)
                if len(batch) >= BATCH_SIZE:
                    writer.write(batch, report)
                    batch = []
                if on_progress is not None and report.rows_read % 500 == 0:
                    on_progress(500)
            if on_progress is not None:
                on_progress(report.rows_read % 500)
            if report.rejected:
                raise _Rollback
            writer.write(batch, report)
            writer.drain()
            if not _vacuums_after(engine, report):
                writer.analyse()
    except _Rollback:
        report.inserted = report.updated = 0
        return report
    report.committed = True
    if _vacuums_after(engine, report):
        # A bulk load leaves the visibility map cold: index-only scans need a VACUUM.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE sdp_record, sdp_name_key, sdp_token_variant"))
    return report


def _vacuums_after(engine: Engine, report: ImportReport) -> bool:
    """Whether the import ends with VACUUM ANALYZE (which refreshes the statistics too)."""
    return engine.dialect.name == "postgresql" and report.inserted + report.updated >= VACUUM_FROM


def _validate(
    number: int, raw: RawRow, seen: dict[str, int], report: ImportReport
) -> SdpRecord | None:
    try:
        record = SdpRecord.model_validate(raw)
    except ValidationError as exc:
        _reject(report, number, _reason(exc))
        return None
    first = seen.setdefault(record.no_registrasi, number)
    if first != number:
        _reject(report, number, f"no_registrasi: duplicate of row {first}")
        return None
    return record


def _reject(report: ImportReport, number: int, reason: str) -> None:
    report.rejected += 1
    if len(report.rejections) < MAX_LISTED_REJECTIONS:
        report.rejections.append(Rejection(row=number, reason=reason))


def _chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Writer:
    """Writes batches of valid records, their blocking keys and new vocabulary tokens.

    On PostgreSQL the keys of a batch (about 150 narrow rows a record, most of the server's
    work) are copied by a background thread while this one parses and keys the next batch:
    the thread waits on the server with the GIL released, so the two cores both work. Only one
    statement at a time uses the connection: each batch waits for the previous copy first."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self._conn = conn
        self._now = now
        self._vocabulary: set[str] | None = None
        self._record_ids: dict[str, int] | None = None
        self._background = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="sdp-import-copy")
            if conn.dialect.name == "postgresql"
            else None
        )
        self._pending: Future[None] | None = None

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # never leave the transaction while a copy still uses its connection
        try:
            self.drain()
        finally:
            if self._background is not None:
                self._background.shutdown(wait=True)

    def drain(self) -> None:
        """Wait for the background copy (raising its error, if any)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def _known_tokens(self) -> set[str]:
        if self._vocabulary is None:
            query = select(VARIANT_TABLE.c.token).where(
                VARIANT_TABLE.c.variant == VARIANT_TABLE.c.token
            )
            self._vocabulary = set(self._conn.execute(query).scalars())
        return self._vocabulary

    def _existing_ids(self) -> dict[str, int]:
        """Registration number -> id of every record already in the replica, read once: a
        per-batch lookup slows down as the table grows inside the import's transaction (the
        planner has no statistics for it yet)."""
        if self._record_ids is None:
            query = select(RECORD_TABLE.c.no_registrasi, RECORD_TABLE.c.id)
            self._record_ids = {row.no_registrasi: row.id for row in self._conn.execute(query)}
        return self._record_ids

    def write(self, records: list[SdpRecord], report: ImportReport) -> None:
        if not records:
            return
        ids = self._existing_ids()
        known = self._known_tokens()
        # CPU only, while the previous batch's keys are still being copied
        names = [record_names(r) for r in records]
        values = [record_values(r, n, self._now) for r, n in zip(records, names, strict=True)]
        keys = [
            record_keys(n, upt_tokens(r.upt), r.tanggal_lahir)
            for r, n in zip(records, names, strict=True)
        ]
        new_tokens = {t for n in names for t in vocabulary(n)} - known
        vocabulary_rows = [(v, t) for t in sorted(new_tokens) for v in token_variants(t)]
        known.update(new_tokens)
        new_rows = [v for v in values if v["no_registrasi"] not in ids]
        old_rows = [
            {f"v_{k}": value for k, value in v.items()} | {"b_id": ids[v["no_registrasi"]]}
            for v in values
            if v["no_registrasi"] in ids
        ]
        self.drain()
        conn = self._conn
        if new_rows:
            ids.update(self._insert_new(new_rows))
        if old_rows:
            columns: dict[str, Any] = {c: bindparam(f"v_{c}") for c in values[0]}
            conn.execute(
                update(RECORD_TABLE).where(RECORD_TABLE.c.id == bindparam("b_id")).values(columns),
                old_rows,
            )
            for chunk in _chunks([r["b_id"] for r in old_rows]):
                conn.execute(delete(KEY_TABLE).where(KEY_TABLE.c.record_id.in_(chunk)))
        key_rows = sorted(
            (key, ids[r.no_registrasi])
            for r, record_key_set in zip(records, keys, strict=True)
            for key in record_key_set
        )
        report.inserted += len(new_rows)
        report.updated += len(old_rows)
        if self._background is None:
            self._copy(key_rows, vocabulary_rows)
        else:
            self._pending = self._background.submit(self._copy, key_rows, vocabulary_rows)

    def _copy(
        self, key_rows: list[tuple[Any, ...]], vocabulary_rows: list[tuple[Any, ...]]
    ) -> None:
        bulk_insert(self._conn, KEY_TABLE, ("key", "record_id"), key_rows)
        bulk_insert(self._conn, VARIANT_TABLE, ("variant", "token"), vocabulary_rows)

    def _insert_new(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        """Insert new records; their ids by registration number."""
        conn = self._conn
        if conn.dialect.name != "postgresql":
            inserted = conn.execute(
                insert(RECORD_TABLE).returning(
                    RECORD_TABLE.c.no_registrasi, RECORD_TABLE.c.id, sort_by_parameter_order=True
                ),
                rows,
            )
            return {row.no_registrasi: row.id for row in inserted}
        # PostgreSQL: ids from the sequence, rows by COPY. (A thousand-row INSERT ... RETURNING
        # is a statement of 17,000 placeholders that psycopg parses again for every batch.)
        new_ids = conn.execute(_NEXT_RECORD_IDS, {"n": len(rows)}).scalars().all()
        columns = ["id", *rows[0]]
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        copy_sql = f"COPY sdp_record ({', '.join(columns)}) FROM STDIN"
        with closing(cursor), cursor.copy(copy_sql) as copy:
            for record_id, row in zip(new_ids, rows, strict=True):
                values = (json.dumps(v) if isinstance(v, list) else v for v in row.values())
                copy.write_row([record_id, *values])
        return {
            row["no_registrasi"]: record_id for record_id, row in zip(new_ids, rows, strict=True)
        }

    def analyse(self) -> None:
        """Refresh planner statistics after a bulk change."""
        if self._conn.dialect.name == "postgresql":
            self._conn.execute(text("ANALYZE sdp_record, sdp_name_key, sdp_token_variant"))
        else:
            self._conn.execute(text("ANALYZE"))


def bulk_insert(
    conn: Connection, table: Table, columns: tuple[str, str], rows: list[tuple[Any, ...]]
) -> None:
    """Many narrow rows: COPY on PostgreSQL, the driver's executemany on SQLite (both in the
    connection's transaction)."""
    if not rows:
        return
    dbapi = conn.connection.dbapi_connection
    with closing(dbapi.cursor()) as cursor:  # type: ignore[union-attr]
        if conn.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write(_copy_block(rows))
            return
        # The driver's executemany with tuples: SQLAlchemy's per-row parameter handling
        # would cost more than the insert itself.
        statement = insert(table).values({c: bindparam(c) for c in columns})
        cursor.executemany(str(statement.compile(dialect=conn.dialect)), rows)


def _copy_block(rows: list[tuple[Any, ...]]) -> str:
    """Two-column rows as one block of COPY text (psycopg's write_row costs more per narrow row
    than the key itself). Keys never hold a tab, newline or backslash; were one to, the rows are
    escaped one by one."""
    block = "".join(f"{a}\t{b}\n" for a, b in rows)
    if block.count("\t") == block.count("\n") == len(rows) and not _COPY_SPECIAL.search(block):
        return block
    return "".join("\t".join(map(_copy_text, row)) + "\n" for row in rows)


_COPY_SPECIAL = re.compile(r"[\\\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: object) -> str:
    """A non-null value in COPY's text format."""
    return str(value).translate(_COPY_ESCAPES)
