"""Importing SDP exports into the replica, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from adapters.sdp import importer
from adapters.sdp.demo import load_demo_directory
from adapters.sdp.directory import SdpQuery
from adapters.sdp.errors import SdpImportError
from adapters.sdp.export_reader import DEFAULT_COLUMNS, ColumnMapping, open_export
from adapters.sdp.importer import ImportReport, import_records
from adapters.sdp.rows import KEY_TABLE, RECORD_TABLE
from adapters.sdp.sql_directory import SqlSdpDirectory
from tests.conftest import REPO_ROOT

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "sdp"
NOW = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
WANITA = "Lapas Perempuan Kelas IIA Tangerang"


def run_import(engine: Engine, path: Path, mapping: ColumnMapping | None = None) -> ImportReport:
    export = open_export(path, mapping or ColumnMapping.default())
    return import_records(engine, export.rows, now=NOW)


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(RECORD_TABLE)).scalar_one())


def test_good_file_is_imported_and_searchable(migrated_engine: Engine) -> None:
    report = run_import(migrated_engine, FIXTURES / "good.csv")
    assert report.committed
    assert (report.rows_read, report.inserted, report.updated, report.rejected) == (8, 8, 0, 0)
    directory = SqlSdpDirectory(migrated_engine)
    assert directory.count() == 8
    record = directory.get("B.I 201/2023")
    assert record is not None
    assert record.no_registrasi == "B.I 201/2023"  # written "BI-201/2023" in the file
    assert record.alias == ["Kiki"]
    assert record.tanggal_lahir == date(1994, 7, 12)
    assert record.lama_pidana == "3 tahun" and record.remisi == "2 bulan"
    assert record.program_integrasi is not None and record.program_integrasi.value == (
        "PEMBEBASAN_BERSYARAT"
    )
    assert directory.get("b.iia-203/25") is not None
    tjahjono = directory.get("B.I 202/2023")
    assert tjahjono is not None and tjahjono.alias == ["Tjahjo", "Ateng"]
    assert tjahjono.nama_kecil == ["Joni"] and tjahjono.remisi == "150 hari"
    found = directory.search(SdpQuery(name="Moch. Rizky", upt="Serang"))
    assert found[0].no_registrasi == "B.I 201/2023"
    assert directory.search(SdpQuery(name="Joni", upt="Pandeglang"))[0].no_registrasi == (
        "B.I 202/2023"
    )


def test_missing_column_is_refused_before_anything_is_read(migrated_engine: Engine) -> None:
    with pytest.raises(SdpImportError, match="missing column\\(s\\): nama_kecil"):
        run_import(migrated_engine, FIXTURES / "missing_column.csv")
    assert count(migrated_engine) == 0


def test_bad_date_in_row_7_changes_nothing(migrated_engine: Engine) -> None:
    assert run_import(migrated_engine, FIXTURES / "good.csv").committed
    before = SqlSdpDirectory(migrated_engine).get("B.I 201/2023")
    report = run_import(migrated_engine, FIXTURES / "bad_date_row7.csv")
    assert not report.committed
    assert (report.rows_read, report.inserted, report.updated, report.rejected) == (7, 0, 0, 1)
    assert [r.row for r in report.rejections] == [7]
    assert "tanggal_lahir" in report.rejections[0].reason
    assert "Yusuf" not in report.rejections[0].reason  # no personal data in the report
    assert count(migrated_engine) == 8
    assert SqlSdpDirectory(migrated_engine).get("B.I 301/2023") is None
    assert SqlSdpDirectory(migrated_engine).get("B.I 201/2023") == before


def test_reimport_updates_instead_of_duplicating(migrated_engine: Engine) -> None:
    run_import(migrated_engine, FIXTURES / "good.csv")
    report = run_import(migrated_engine, FIXTURES / "good_updated.csv")
    assert report.committed
    assert (report.inserted, report.updated) == (1, 2)
    assert count(migrated_engine) == 9
    directory = SqlSdpDirectory(migrated_engine)
    rizki = directory.get("B.I 201/2023")
    assert (
        rizki is not None and rizki.upt == "Lapas Kelas IIB Cilegon" and rizki.remisi == "3 bulan"
    )
    # The blocking keys follow the new name: the old keys are gone, the new ones are found.
    found = directory.search(SdpQuery(name="Budi Santoso Wijaya"))
    assert found[0].no_registrasi == "B.I 208/2022"
    with migrated_engine.connect() as conn:
        keys = conn.execute(
            select(func.count())
            .select_from(KEY_TABLE)
            .join(RECORD_TABLE, RECORD_TABLE.c.id == KEY_TABLE.c.record_id)
            .where(
                RECORD_TABLE.c.no_registrasi == "B.I 208/2022", KEY_TABLE.c.key == "n:budi santoso"
            )
        ).scalar_one()
    assert keys == 0


def test_xlsx_export_is_imported(migrated_engine: Engine, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(DEFAULT_COLUMNS))
    sheet.append(
        [
            "B.I 501/2024",
            "Nurhayati",
            "Yati",
            "Nunung",
            datetime(1992, 7, 7),
            WANITA,
            datetime(2024, 4, 20),
            "1 tahun 6 bulan",
            30,
            None,
            "Penipuan",
            "CB",
            "Pendataan",
        ]
    )
    sheet.append(
        [
            "BI 502/2024",
            "Ujang",
            None,
            None,
            None,
            "Rutan Kelas IIB Pandeglang",
            None,
            "2 bulan",
            None,
            None,
            None,
            None,
            None,
        ]
    )
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    report = run_import(migrated_engine, path)
    assert report.committed and report.inserted == 2
    record = SqlSdpDirectory(migrated_engine).get("B.I 501/2024")
    assert record is not None
    assert record.tanggal_lahir == date(1992, 7, 7) and record.remisi == "30 hari"
    assert record.nama_kecil == ["Nunung"]


def test_real_export_with_a_column_mapping(migrated_engine: Engine) -> None:
    mapping = ColumnMapping.build(mapping_file=FIXTURES / "real_export_mapping.yaml")
    report = run_import(migrated_engine, FIXTURES / "real_export.csv", mapping)
    assert report.committed and report.inserted == 2, report.rejections
    record = SqlSdpDirectory(migrated_engine).get("B.I 401/2022")
    assert record is not None
    assert record.alias == ["JUSUF", "UCUP"]
    assert record.tanggal_lahir == date(1996, 6, 6)
    assert record.lama_pidana == "2 tahun 3 bulan"
    life = SqlSdpDirectory(migrated_engine).get("B.I 402/2021")
    assert life is not None and life.lama_pidana == "seumur hidup"


def test_column_pairs_and_bad_mappings() -> None:
    mapping = ColumnMapping.build(pairs=["nama=Nama WBP", "alias=Alias 1", "alias=Alias 2"])
    assert mapping.columns["alias"] == ("Alias 1", "Alias 2")
    with pytest.raises(SdpImportError, match="unknown field"):
        ColumnMapping.build(pairs=["name=Nama"])
    with pytest.raises(SdpImportError, match="takes one column"):
        ColumnMapping.build(pairs=["nama=A", "nama=B"])
    with pytest.raises(SdpImportError, match="FIELD=HEADER"):
        ColumnMapping.build(pairs=["nama"])


def test_duplicate_registration_in_one_file_is_rejected(
    migrated_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(
        ",".join(DEFAULT_COLUMNS) + "\nB.I 1/2024,Satu,,,,,,,,,,,\nBI-1/2024,Dua,,,,,,,,,,,\n",
        encoding="utf-8",
    )
    report = run_import(migrated_engine, path)
    assert not report.committed
    assert [(r.row, r.reason) for r in report.rejections] == [
        (3, "no_registrasi: duplicate of row 2")
    ]
    assert count(migrated_engine) == 0


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    other = tmp_path / "x.json"
    other.write_text("{}", encoding="utf-8")
    with pytest.raises(SdpImportError, match="unsupported file type"):
        open_export(other, ColumnMapping.default())
    with pytest.raises(SdpImportError, match="no such file"):
        open_export(tmp_path / "absent.csv", ColumnMapping.default())


def test_demo_directory_loads_into_an_empty_directory_only(migrated_engine: Engine) -> None:
    loaded = load_demo_directory(migrated_engine, now=NOW)
    assert loaded >= 20
    assert load_demo_directory(migrated_engine, now=NOW) == 0
    assert count(migrated_engine) == loaded
    directory = SqlSdpDirectory(migrated_engine)
    assert (
        directory.search(SdpQuery(name="Tjahjo", upt="Pandeglang"))[0].nama == "Tjahjono Soedirman"
    )


def test_a_key_copy_that_fails_leaves_nothing_written(
    migrated_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keys of a batch are copied while the next batch is prepared (in the background on
    PostgreSQL): a copy that fails must still fail the import, before its transaction ends."""
    copies: list[int] = []
    real_bulk_insert = importer.bulk_insert

    def failing_second_key_copy(conn: Any, table: Any, columns: Any, rows: Any) -> None:
        if table is KEY_TABLE:
            copies.append(len(rows))
            if len(copies) == 2:
                raise RuntimeError("copy failed")
        real_bulk_insert(conn, table, columns, rows)

    monkeypatch.setattr(importer, "bulk_insert", failing_second_key_copy)
    rows = [
        (i + 2, {"no_registrasi": f"B.I {i}/2024", "nama": f"Budi Santoso {i}"})
        for i in range(1, 2 * importer.BATCH_SIZE + 2)
    ]
    with pytest.raises(RuntimeError, match="copy failed"):
        import_records(migrated_engine, rows, now=NOW)
    assert len(copies) == 2
    assert count(migrated_engine) == 0
    with migrated_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(KEY_TABLE)).scalar_one() == 0
