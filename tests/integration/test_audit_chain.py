"""The hash-chained audit log on SQLite and PostgreSQL: appends, tampering found and named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from adapters.cli.app import app
from adapters.db.audit import ChainBreak, append_audit, verify_chain
from adapters.db.engine import session_scope

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def fill(engine: Engine, count: int = 5) -> None:
    for i in range(count):
        with session_scope(engine) as session:
            append_audit(
                session,
                at=T0 + timedelta(minutes=i),
                actor="sistem",
                action="step.completed",
                case_id=f"case-{i % 2}",
                details={"step": f"s{i}", "outcome": "ok"},
            )


def check(engine: Engine) -> tuple[int, ChainBreak | None]:
    with session_scope(engine) as session:
        return verify_chain(session)


def test_intact_chain(migrated_engine: Engine) -> None:
    fill(migrated_engine)
    checked, broken = check(migrated_engine)
    assert (checked, broken) == (5, None)


def test_changed_content_is_named(migrated_engine: Engine) -> None:
    fill(migrated_engine)
    with migrated_engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET actor = 'penyusup' WHERE id = 3"))
    checked, broken = check(migrated_engine)
    assert checked == 2 and broken is not None
    assert broken.entry_id == 3 and "changed" in broken.problem


def test_deleted_entry_is_named(migrated_engine: Engine) -> None:
    fill(migrated_engine)
    with migrated_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE id = 2"))
    checked, broken = check(migrated_engine)
    assert checked == 1 and broken is not None and broken.entry_id == 3
    assert "deleted" in broken.problem


def test_reordered_entries_are_named(migrated_engine: Engine) -> None:
    fill(migrated_engine)
    with migrated_engine.begin() as conn:  # entries 2 and 3 swap places
        conn.execute(text("UPDATE audit_entry SET id = 100 WHERE id = 2"))
        conn.execute(text("UPDATE audit_entry SET id = 2 WHERE id = 3"))
        conn.execute(text("UPDATE audit_entry SET id = 3 WHERE id = 100"))
    _, broken = check(migrated_engine)
    assert broken is not None and broken.entry_id == 2


def test_a_fork_is_impossible(migrated_engine: Engine) -> None:
    """Two writers appending on the same previous entry: the second is refused."""
    fill(migrated_engine, 1)
    from sqlalchemy.exc import IntegrityError

    from adapters.db.case_tables import AuditEntry

    with pytest.raises(IntegrityError), session_scope(migrated_engine) as session:
        last = session.get(AuditEntry, 1)
        assert last is not None
        session.add(
            AuditEntry(
                at=T0, actor="x", action="y", details={}, prev_hash=last.prev_hash, hash="f" * 64
            )
        )
        session.flush()


def test_cli_verify(tmp_path: object, monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    from adapters.db.engine import make_engine
    from adapters.db.migrate import upgrade
    from adapters.settings import get_settings

    monkeypatch.setenv("SOPFLOW_DATABASE_URL", database_url)
    monkeypatch.setenv("SOPFLOW_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    upgrade(database_url)
    engine = make_engine(database_url)
    fill(engine)
    runner = CliRunner()
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0 and "intact: 5 entries" in result.output
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET action = 'hapus' WHERE id = 4"))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and "entry 4" in result.output
    engine.dispose()
    get_settings.cache_clear()
