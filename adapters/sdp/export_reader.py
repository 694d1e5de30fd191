"""Reading SDP spreadsheet exports (`.csv`, `.xlsx`) into rows of record fields.

The default format is a CSV with the header `DEFAULT_COLUMNS`. Real exports name their columns
otherwise (`No. Registrasi`, `Alias 1`, `Alias 2`, ...): a `ColumnMapping` says which header(s)
feed each field; several headers for `alias`/`nama_kecil` are joined. Header names compare
case-, space- and punctuation-insensitively. Rows are numbered as a spreadsheet shows them:
the header is row 1, the first record row 2.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openpyxl import load_workbook

from adapters.sdp.errors import SdpImportError

DEFAULT_COLUMNS: tuple[str, ...] = (
    "no_registrasi",
    "nama",
    "alias",
    "nama_kecil",
    "tanggal_lahir",
    "upt",
    "tanggal_mulai_ditahan",
    "lama_pidana",
    "remisi",
    "tanggal_ekspirasi",
    "perkara",
    "program_integrasi",
    "tahap_integrasi",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("remisi_terakhir",)
FIELDS = DEFAULT_COLUMNS + OPTIONAL_COLUMNS
LIST_FIELDS = frozenset({"alias", "nama_kecil"})
REQUIRED_FIELDS = ("no_registrasi", "nama")

RawRow = dict[str, Any]


def header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", str(name).lower())


@dataclass(frozen=True)
class ColumnMapping:
    """field -> the export headers that feed it. `explicit` is False for the default format."""

    columns: Mapping[str, tuple[str, ...]]
    explicit: bool

    @classmethod
    def default(cls) -> ColumnMapping:
        return cls({f: (f,) for f in FIELDS}, explicit=False)

    @classmethod
    def build(
        cls, *, mapping_file: Path | None = None, pairs: list[str] | None = None
    ) -> ColumnMapping:
        """From a YAML/JSON file `{field: header | [headers]}` and/or `field=header` pairs
        (a list field named twice collects both headers)."""
        if mapping_file is None and not pairs:
            return cls.default()
        given: dict[str, list[str]] = {}
        if mapping_file is not None:
            given.update(_read_mapping_file(mapping_file))
        explicit_pairs: dict[str, list[str]] = {}
        for pair in pairs or []:
            field, sep, header = pair.partition("=")
            field, header = field.strip(), header.strip()
            if not sep or not field or not header:
                raise SdpImportError(f"column mapping {pair!r} is not FIELD=HEADER")
            explicit_pairs.setdefault(field, []).append(header)
        given.update(explicit_pairs)
        unknown = sorted(set(given) - set(FIELDS))
        if unknown:
            raise SdpImportError(
                f"unknown field(s) in column mapping: {', '.join(unknown)}; "
                f"fields are: {', '.join(FIELDS)}"
            )
        for field, headers in given.items():
            if len(headers) > 1 and field not in LIST_FIELDS:
                raise SdpImportError(f"field {field!r} takes one column, not {len(headers)}")
        columns = {f: (f,) for f in FIELDS} | {f: tuple(h) for f, h in given.items()}
        return cls(columns, explicit=True)


def _read_mapping_file(path: Path) -> dict[str, list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise SdpImportError(f"cannot read column mapping file {path.name}: {exc}") from None
    if not isinstance(data, dict):
        raise SdpImportError(f"column mapping file {path.name} must map field names to headers")
    result: dict[str, list[str]] = {}
    for field, headers in data.items():
        items = headers if isinstance(headers, list) else [headers]
        result[str(field)] = [str(h) for h in items]
    return result


@dataclass(frozen=True)
class ResolvedColumns:
    """field -> column indexes in this file."""

    indexes: Mapping[str, tuple[int, ...]]

    def extract(self, cells: list[Any]) -> RawRow:
        row: RawRow = {}
        for field, positions in self.indexes.items():
            values = [cells[i] if i < len(cells) else None for i in positions]
            if field in LIST_FIELDS:
                row[field] = ";".join(str(v) for v in values if v not in (None, ""))
            else:
                row[field] = values[0]
        return row


def resolve(header: list[Any], mapping: ColumnMapping) -> ResolvedColumns:
    """Find every mapped field's columns in the header, or raise naming what is missing."""
    positions = {header_key(h): i for i, h in enumerate(header) if h is not None}
    indexes: dict[str, tuple[int, ...]] = {}
    missing: list[str] = []
    for field, headers in mapping.columns.items():
        found = tuple(positions[header_key(h)] for h in headers if header_key(h) in positions)
        if found:
            indexes[field] = found
            continue
        needed = (
            field in REQUIRED_FIELDS
            or (not mapping.explicit and field in DEFAULT_COLUMNS)
            or (mapping.explicit and headers != (field,))
        )
        if needed:
            missing.extend(headers)
    if missing:
        raise SdpImportError(f"missing column(s): {', '.join(missing)}")
    return ResolvedColumns(indexes)


@dataclass
class ExportFile:
    """An opened export: the number of data rows (if known cheaply) and an iterator of rows."""

    total: int | None
    rows: Iterator[tuple[int, RawRow]]


def open_export(
    path: Path,
    mapping: ColumnMapping,
    *,
    sheet: str | None = None,
    delimiter: str | None = None,
    encoding: str = "utf-8-sig",
) -> ExportFile:
    if not path.is_file():
        raise SdpImportError(f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _open_csv(path, mapping, delimiter=delimiter, encoding=encoding)
    if suffix == ".xlsx":
        return _open_xlsx(path, mapping, sheet=sheet)
    raise SdpImportError(f"unsupported file type {suffix or '(none)'}: use .csv or .xlsx")


def _count_csv_rows(path: Path, encoding: str, delimiter: str) -> int:
    with path.open(encoding=encoding, newline="") as handle:
        return max(sum(1 for _ in csv.reader(handle, delimiter=delimiter)) - 1, 0)


def _open_csv(
    path: Path, mapping: ColumnMapping, *, delimiter: str | None, encoding: str
) -> ExportFile:
    try:
        with path.open(encoding=encoding, newline="") as handle:
            first_line = handle.readline()
    except UnicodeDecodeError:
        raise SdpImportError(f"{path.name} is not {encoding} text; pass --encoding") from None
    if not first_line.strip():
        raise SdpImportError(f"{path.name} is empty: no header row")
    if delimiter is None:
        delimiter = max((",", ";", "\t"), key=first_line.count)
    header = next(csv.reader([first_line], delimiter=delimiter))
    columns = resolve(header, mapping)
    try:
        total = _count_csv_rows(path, encoding, delimiter)
    except UnicodeDecodeError:
        raise SdpImportError(f"{path.name} is not {encoding} text; pass --encoding") from None

    def rows() -> Iterator[tuple[int, RawRow]]:
        with path.open(encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            next(reader, None)
            for number, cells in enumerate(reader, start=2):
                if not any(c.strip() for c in cells):
                    continue
                yield number, columns.extract(cells)

    return ExportFile(total, rows())


def _open_xlsx(path: Path, mapping: ColumnMapping, *, sheet: str | None) -> ExportFile:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise SdpImportError(
            f"cannot open {path.name} as a workbook: {type(exc).__name__}"
        ) from None
    if sheet is not None and sheet not in workbook.sheetnames:
        workbook.close()
        raise SdpImportError(f"{path.name} has no sheet {sheet!r}")
    worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    iterator = worksheet.iter_rows(values_only=True)
    header = list(next(iterator, None) or [])
    if not any(h is not None for h in header):
        workbook.close()
        raise SdpImportError(f"{path.name} is empty: no header row")
    try:
        columns = resolve(header, mapping)
    except SdpImportError:
        workbook.close()
        raise
    total = max(worksheet.max_row - 1, 0) if worksheet.max_row else None

    def rows() -> Iterator[tuple[int, RawRow]]:
        try:
            for number, cells in enumerate(iterator, start=2):
                values = list(cells)
                if all(v is None or str(v).strip() == "" for v in values):
                    continue
                yield number, columns.extract(values)
        finally:
            workbook.close()

    return ExportFile(total, rows())
