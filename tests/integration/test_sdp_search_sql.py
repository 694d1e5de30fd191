"""The labelled query/record pairs on the SQL directory (SQLite and PostgreSQL): blocking keys
must not lose what the full-scan matcher finds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from adapters.sdp.directory import SdpQuery
from adapters.sdp.importer import import_records
from adapters.sdp.sql_directory import SqlSdpDirectory
from tests.unit.test_sdp_matching import DIRECTORY_RECORDS, MATCHES, NOT_FIRST, reg


@pytest.fixture
def directory(migrated_engine: Engine) -> SqlSdpDirectory:
    rows = [(i + 2, r.model_dump(mode="json")) for i, r in enumerate(DIRECTORY_RECORDS)]
    report = import_records(migrated_engine, rows, now=datetime(2026, 1, 10, tzinfo=UTC))
    assert report.committed, report.rejections
    return SqlSdpDirectory(migrated_engine)


def test_labelled_pairs_on_sql(directory: SqlSdpDirectory) -> None:
    wrong = []
    for query, number in MATCHES:
        found = directory.search(query)
        if not found or found[0].no_registrasi != reg(number):
            wrong.append((query.name, query.upt, [c.no_registrasi for c in found[:3]]))
    for query, number in NOT_FIRST:
        found = directory.search(query)
        if not found or found[0].no_registrasi == reg(number):
            wrong.append((query.name, query.upt, [c.no_registrasi for c in found[:3]]))
    assert wrong == []


def test_typos_and_partial_names_are_found_through_the_vocabulary(
    directory: SqlSdpDirectory,
) -> None:
    cases = [
        ("Yusuf Cnadra", 16),  # transposition
        ("Made Sudarsna", 27),  # deletion, two tokens of three
        ("Khairull Anwar", 18),  # insertion
        ("Zainal Abiddin", 28),
        ("Tjahjono", 7),  # one token of two
    ]
    for name, number in cases:
        numbers = [c.no_registrasi for c in directory.search(SdpQuery(name=name))]
        assert reg(number) in numbers[:5], (name, numbers)


def test_get_and_registration_queries(directory: SqlSdpDirectory) -> None:
    record = directory.get("bi 0012/24")
    assert record is not None and record.nama == "Suparman" and record.alias == ["Parman"]
    assert directory.get("B.I 999/2024") is None
    assert directory.get("not a number") is None
    assert [c.score for c in directory.search(SdpQuery(name="B.I 12/2024"))] == [100.0]
    assert directory.search(SdpQuery(name="Xaverius Quintero")) == []
