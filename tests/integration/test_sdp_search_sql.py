"""The labelled query/record pairs on the SQL directory (SQLite and PostgreSQL): blocking keys
must not lose what the full-scan matcher finds."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from adapters.db.engine import make_engine
from adapters.db.migrate import alembic_config, upgrade
from adapters.sdp import sql_directory
from adapters.sdp.directory import SdpQuery
from adapters.sdp.importer import import_records
from adapters.sdp.sql_directory import KEY_POSTING_LIMIT, TOKEN_POSTING_LIMIT, SqlSdpDirectory
from tests.unit.test_sdp_matching import DIRECTORY_RECORDS, MATCHES, NOT_FIRST, SERANG, reg
from tests.unit.test_sdp_spacing import CONTAINED, SPACING_MATCHES, SPACING_RECORDS
from tests.unit.test_sdp_spacing import reg as spacing_reg


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


def test_a_date_of_birth_finds_the_person_when_every_name_token_is_mistyped(
    directory: SqlSdpDirectory,
) -> None:
    # "Suparmen" is within one edit of both Suparman and Suparmin; "Sntoso" misses Santoso.
    found = directory.search(SdpQuery(name="Budi Sntosa", born=date(1985, 3, 4)))
    assert found[0].no_registrasi == reg(1)
    assert "tanggal lahir cocok" in found[0].reasons
    found = directory.search(SdpQuery(name="Svparmqn", born=date(1982, 2, 2)))
    assert found and found[0].no_registrasi == reg(12)


def _single_name_crowd(
    upt: str, names: list[str], start: int
) -> list[tuple[int, dict[str, object]]]:
    return [
        (i + 2, {"no_registrasi": f"B.I {start + i}/2025", "nama": name, "upt": upt})
        for i, name in enumerate(names)
    ]


def test_a_typed_token_with_the_upt_is_not_crowded_out_by_corrections(
    migrated_engine: Engine,
) -> None:
    """'I Surdi' at Palembang: dozens of single-name records spelled one edit away (Sardi,
    Sudi, ...) at the same UPT hold two keys each (name and name+UPT) for a corrected token;
    the person whose typed token agrees with the UPT must still be looked at and come first."""
    palembang = "Lapas Kelas I Palembang"
    crowd = [
        n for n in ("Sardi", "Sudi", "Sugdi", "Sukdi", "Sumdi", "Sundi", "Purdi") for _ in range(6)
    ]
    rows = _single_name_crowd(palembang, crowd, 1)
    # Surdi is a common name elsewhere: too common for the widening step to read all of them.
    rows += _single_name_crowd("Lapas Kelas IIA Serang", ["Surdi"] * (TOKEN_POSTING_LIMIT + 1), 500)
    rows.append(
        (
            len(rows) + 2,
            {"no_registrasi": "B.I 999/2025", "nama": "I Komang Surdi", "upt": palembang},
        )
    )
    report = import_records(migrated_engine, rows, now=datetime(2026, 1, 10, tzinfo=UTC))
    assert report.committed, report.rejections
    found = SqlSdpDirectory(migrated_engine).search(SdpQuery(name="I Surdi", upt=palembang))
    assert found and found[0].no_registrasi == "B.I 999/2025", [c.nama for c in found]


def test_the_born_key_migration_fills_in_keys_for_an_existing_replica(
    database_url: str, directory: SqlSdpDirectory
) -> None:
    """A replica imported before `b:` keys existed gets them from migration sdp_0002."""
    engine = make_engine(database_url)
    try:
        command.downgrade(alembic_config(database_url), "sdp_0001")  # removes the b: keys
        with engine.connect() as conn:
            born_keys = conn.execute(text("SELECT count(*) FROM sdp_name_key WHERE key LIKE 'b:%'"))
            assert born_keys.scalar_one() == 0
        upgrade(database_url)
        with engine.connect() as conn:
            born_keys = conn.execute(text("SELECT key FROM sdp_name_key WHERE key LIKE 'b:%'"))
            keys = sorted(born_keys.scalars())
    finally:
        engine.dispose()
    born = sorted(f"b:{r.tanggal_lahir.isoformat()}" for r in DIRECTORY_RECORDS if r.tanggal_lahir)
    assert keys == born
    found = directory.search(SdpQuery(name="Svparmqn", born=date(1982, 2, 2)))
    assert found and found[0].no_registrasi == reg(12)


def test_a_search_on_sqlite_does_not_wait_for_a_writer(
    sqlite_url: str, sqlite_engine: Engine
) -> None:
    """Searches are reads: while an import (or any writer) holds SQLite's write lock, operators
    can still search. (A search that took the write lock would wait here, then fail.)"""
    rows = [(i + 2, r.model_dump(mode="json")) for i, r in enumerate(DIRECTORY_RECORDS)]
    assert import_records(sqlite_engine, rows, now=datetime(2026, 1, 10, tzinfo=UTC)).committed
    writer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        found = SqlSdpDirectory(sqlite_engine).search(SdpQuery(name="Budi Santoso", upt=SERANG))
        assert found[0].no_registrasi == reg(1)
        writer.execute("ROLLBACK")
    finally:
        writer.close()


def test_spacing_prefixes_and_contained_queries_on_sql(migrated_engine: Engine) -> None:
    """The spacing table of the in-memory directory, on the SQL directory: "Nur Hayati" finds
    NURHAYATI (it found no candidate at all), and a query whose tokens all occur in a record's
    names never comes back empty."""
    rows = [(i + 2, r.model_dump(mode="json")) for i, r in enumerate(SPACING_RECORDS)]
    assert import_records(migrated_engine, rows, now=datetime(2026, 1, 10, tzinfo=UTC)).committed
    directory = SqlSdpDirectory(migrated_engine)
    wrong = []
    for name, number in SPACING_MATCHES:
        found = directory.search(SdpQuery(name=name))
        if not found or found[0].no_registrasi != spacing_reg(number):
            wrong.append((name, [c.nama for c in found[:3]]))
    for name, number in CONTAINED:
        found = directory.search(SdpQuery(name=name, limit=10))
        if spacing_reg(number) not in [c.no_registrasi for c in found]:
            wrong.append((name, [c.nama for c in found[:3]]))
    assert wrong == []


def test_a_key_held_by_too_many_records_brings_none_of_them(
    migrated_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A one-word nickname held by more than KEY_POSTING_LIMIT records tells none of them apart:
    its key is left out (reading it would cost more than the rest of the search), so the
    namesakes do not crowd the person whose whole name was typed."""
    crowd = _single_name_crowd(SERANG, ["Badak"] * (KEY_POSTING_LIMIT + 1), 1)
    person: dict[str, object] = {
        "no_registrasi": "B.I 1/2024",
        "nama": "Deden Tridi als Badak",
        "upt": SERANG,
    }
    rows = [*crowd, (len(crowd) + 2, person)]
    assert import_records(migrated_engine, rows, now=datetime(2026, 1, 10, tzinfo=UTC)).committed
    query = SdpQuery(name="Deden Tridi als Badak")
    found = SqlSdpDirectory(migrated_engine).search(query)
    assert [c.no_registrasi for c in found] == ["B.I 1/2024"], [c.nama for c in found]
    # with a higher limit the nickname's key is read: its holders are candidates again
    monkeypatch.setattr(sql_directory, "KEY_POSTING_LIMIT", KEY_POSTING_LIMIT + 10)
    found = SqlSdpDirectory(migrated_engine).search(query)
    assert found[0].no_registrasi == "B.I 1/2024" and len(found) == 5, [c.nama for c in found]


def test_a_query_of_common_tokens_contained_in_a_long_name_is_never_empty(
    migrated_engine: Engine,
) -> None:
    """Every token too common for the single-token step (more than TOKEN_POSTING_LIMIT records
    hold it) and no record with this name alone: the records holding all of them still come."""
    crowd = TOKEN_POSTING_LIMIT + 5
    rows = _single_name_crowd(SERANG, [f"Siti Rahma Sari {i}" for i in range(crowd)], 1)
    rows += _single_name_crowd(SERANG, [f"Dewi Kartika Sari {i}" for i in range(crowd)], 2000)
    rows.append(
        (len(rows) + 2, {"no_registrasi": "B.I 999/2025", "nama": "Siti Dewi Kartika Rahma Sari"})
    )
    assert import_records(migrated_engine, rows, now=datetime(2026, 1, 10, tzinfo=UTC)).committed
    directory = SqlSdpDirectory(migrated_engine)
    assert directory.search(SdpQuery(name="Sari"))
    found = directory.search(SdpQuery(name="Siti Dewi Sari", limit=10))
    assert "B.I 999/2025" in [c.no_registrasi for c in found], [c.nama for c in found]


def test_the_spacing_migration_rebuilds_the_index_of_an_existing_replica(
    database_url: str, migrated_engine: Engine
) -> None:
    """A replica indexed by the older rules (here: no keys, no parsed names at all) is searchable
    by the new ones after migration sdp_0003."""
    rows = [(i + 2, r.model_dump(mode="json")) for i, r in enumerate(SPACING_RECORDS)]
    assert import_records(migrated_engine, rows, now=datetime(2026, 1, 10, tzinfo=UTC)).committed
    command.downgrade(alembic_config(database_url), "sdp_0002")
    with migrated_engine.begin() as conn:
        conn.execute(text("DELETE FROM sdp_name_key"))
        conn.execute(text("""UPDATE sdp_record SET name_index = '{"f":[],"b":[]}'"""))
    directory = SqlSdpDirectory(migrated_engine)
    assert directory.search(SdpQuery(name="Nur Hayati")) == []
    upgrade(database_url)
    found = directory.search(SdpQuery(name="Nur Hayati"))
    assert found and found[0].no_registrasi == spacing_reg(1)
    found = directory.search(SdpQuery(name="St Khodijah"))
    assert found and found[0].no_registrasi == spacing_reg(6)


def test_a_database_error_in_a_search_is_sqlalchemys_not_the_drivers(
    directory: SqlSdpDirectory, migrated_engine: Engine
) -> None:
    """The hot statements run on the driver's cursor; their errors still come as SQLAlchemy's
    (the runtime tells a transient OperationalError from a bug by them), naming no parameter."""
    with migrated_engine.begin() as conn:
        conn.execute(text("DROP TABLE sdp_token_variant"))
    with pytest.raises(DBAPIError) as raised:
        directory.search(SdpQuery(name="Budi Santoso"))
    assert "Budi" not in str(raised.value) and "budi" not in str(raised.value)


def test_a_search_whose_connection_died_is_run_again_on_a_fresh_one(
    directory: SqlSdpDirectory, migrated_engine: Engine
) -> None:
    """Searches on PostgreSQL skip the pool's pre-ping: a pooled connection the server has
    dropped (a restart, an idle timeout) fails its first statement, and the search runs again."""
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to drop a connection")
    query = SdpQuery(name="Budi Santoso", upt=SERANG)
    before = [c.no_registrasi for c in directory.search(query)]
    assert before
    with migrated_engine.connect() as conn:
        dropped = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    assert dropped >= 1  # the search's pooled connection among them
    assert [c.no_registrasi for c in directory.search(query)] == before


def test_search_sessions_prefer_generic_plans_and_keep_the_urls_options(
    database_url: str, migrated_engine: Engine
) -> None:
    """The search pool sets plan_cache_mode on each of its sessions, without replacing the
    `options` an administrator put in the database URL."""
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    url = f"{database_url}?options=-c%20statement_timeout%3D4321"
    directory = SqlSdpDirectory(make_engine(url))
    assert directory.search(SdpQuery(name="Budi Santoso")) == []
    with directory._engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_generic_plan"
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "4321ms"
