"""`sopflow sdp ...`: import SDP exports into the replica, search it, show a record."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from adapters.db.engine import make_engine
from adapters.db.existing import MissingDatabaseError, open_existing_database
from adapters.db.migrate import upgrade
from adapters.sdp.directory import SdpQuery
from adapters.sdp.errors import SdpError
from adapters.sdp.export_reader import FIELDS, ColumnMapping, open_export
from adapters.sdp.importer import import_records
from adapters.sdp.sql_directory import SqlSdpDirectory
from adapters.settings import get_settings

sdp_app = typer.Typer(
    name="sdp",
    help="The SDP directory (Sistem Database Pemasyarakatan): import exports, search, show.",
    no_args_is_help=True,
)
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    _err.print(f"error: {message}", markup=False)
    return typer.Exit(code=1)


@contextmanager
def _database(*, create: bool = False) -> Iterator[Engine]:
    """The case database from Settings, migrated to the newest revision. Only `create` (an
    import) makes a new one; searches and lookups need an existing database."""
    settings = get_settings()
    try:
        if create:
            if settings.database_url.startswith("sqlite"):
                settings.ensure_data_dir()
            upgrade(settings.database_url)
            engine = make_engine(settings.database_url)
        else:
            engine = open_existing_database(settings.database_url)
    except MissingDatabaseError as exc:
        raise _fail(str(exc)) from None
    except (SQLAlchemyError, OSError) as exc:
        raise _fail(f"cannot open the database: {type(exc).__name__}") from None
    try:
        yield engine
    finally:
        engine.dispose()


@sdp_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="The export: .csv or .xlsx.")],
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            "-c",
            help="FIELD=HEADER: read FIELD from the column HEADER (repeat; alias and nama_kecil "
            f"may be given several times). Fields: {', '.join(FIELDS)}.",
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(help="YAML or JSON file mapping each field to a header or list of headers."),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option(help="xlsx: the sheet to read (default first).")
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="csv: the delimiter (default: guessed from , ; or tab).")
    ] = None,
    encoding: Annotated[str, typer.Option(help="csv: the text encoding.")] = "utf-8-sig",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import an SDP export: upsert by registration number, in one transaction.

    Row numbers in the report are those a spreadsheet shows (the header is row 1).
    """
    try:
        column_mapping = ColumnMapping.build(mapping_file=mapping, pairs=column)
        export = open_export(
            file, column_mapping, sheet=sheet, delimiter=delimiter, encoding=encoding
        )
    except SdpError as exc:
        raise _fail(str(exc)) from None
    with _database(create=True) as engine:
        progress = Progress(
            TextColumn("importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_err,
            transient=True,
        )
        with progress:
            task = progress.add_task("import", total=export.total)
            try:
                report = import_records(
                    engine,
                    export.rows,
                    now=datetime.now(UTC),
                    on_progress=lambda n: progress.advance(task, n),
                )
            except (SdpError, UnicodeDecodeError) as exc:
                raise _fail(f"cannot read {file.name}: {exc}") from None
            except SQLAlchemyError as exc:
                raise _fail(f"database error, nothing imported: {type(exc).__name__}") from None
    if as_json:
        _out.print_json(report.model_dump_json())
    else:
        _out.print(report.summary(), markup=False)
        for rejection in report.rejections:
            _out.print(f"  row {rejection.row}: {rejection.reason}", markup=False)
        if report.rejected > len(report.rejections):
            _out.print(f"  ... and {report.rejected - len(report.rejections)} more", markup=False)
    if not report.committed:
        raise typer.Exit(code=1)


@sdp_app.command("search")
def search_command(
    name: Annotated[str, typer.Argument(help="The prisoner's name (or a registration number).")],
    upt: Annotated[str | None, typer.Option(help="The UPT (prison), a second signal.")] = None,
    born: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Date of birth YYYY-MM-DD, a second signal."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many candidates.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """Ranked candidates for a name, best first (score 0-100, with the reasons)."""
    if not name.strip():
        raise _fail("the name is empty")
    query = SdpQuery(name=name, upt=upt, born=born.date() if born else None, limit=limit)
    with _database() as engine:
        try:
            candidates = SqlSdpDirectory(engine).search(query)
        except SQLAlchemyError as exc:
            raise _fail(f"database error: {type(exc).__name__}") from None
    if as_json:
        sys.stdout.write(json.dumps([c.public_dict() for c in candidates], ensure_ascii=False))
        sys.stdout.write("\n")
        return
    if not candidates:
        _out.print("no candidates")
        return
    table = Table("score", "no_registrasi", "nama", "upt", "reasons")
    for c in candidates:
        table.add_row(f"{c.score:.1f}", c.no_registrasi, c.nama, c.upt or "-", "; ".join(c.reasons))
    _out.print(table)


@sdp_app.command("show")
def show_command(
    registration_no: Annotated[str, typer.Argument(help="The registration number, any spelling.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One record as the directory holds it (a SOP's answer, e.g. integrasi dates, is drafted
    by that SOP's service action in a case)."""
    with _database() as engine:
        record = SqlSdpDirectory(engine).get(registration_no)
    if record is None:
        raise _fail("no record with that registration number")
    if as_json:
        payload = {"record": record.model_dump(mode="json")}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    for field, value in record.model_dump(mode="json").items():
        _out.print(f"{field}: {value if value not in (None, []) else '-'}", markup=False)
