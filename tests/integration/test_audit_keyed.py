"""Issue 15 #7: the audit chain is keyed and anchored; re-chaining and truncation are found."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import col, select

from adapters.db.audit import (
    GENESIS,
    AuditAnchor,
    anchor_record,
    append_audit,
    entry_hash,
    read_anchors,
    verify_chain,
)
from adapters.db.audit_key import key_from_file, using_audit_key
from adapters.db.case_tables import AuditEntry
from adapters.db.engine import session_scope

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
KEY = b"k" * 64


@pytest.fixture(autouse=True)
def audit_key() -> Iterator[None]:
    with using_audit_key(KEY):
        yield


def fill(engine: Engine, count: int, start: int = 0) -> None:
    with session_scope(engine) as session:
        for i in range(start, start + count):
            append_audit(
                session,
                at=T0 + timedelta(minutes=i),
                actor="sistem",
                action="step.completed",
                case_id=f"case-{i % 3}",
                details={"step": f"s{i}"},
            )


def check(engine: Engine, anchors: list[AuditAnchor] | None = None) -> tuple[int, object]:
    with session_scope(engine) as session:
        return verify_chain(session, anchors=anchors or [])


def rechain_from(engine: Engine, first_id: int, *, key: bytes | None) -> None:
    """What an attacker with the database does after editing a row: recompute every hash
    from there on (with plain SHA-256, or a key of their own)."""
    with session_scope(engine) as session:
        entries = list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))))
        prev = GENESIS
        for entry in entries:
            if entry.id is not None and entry.id >= first_id:
                entry.prev_hash = prev
                entry.hash = entry_hash(
                    prev_hash=prev,
                    at=entry.at,
                    case_id=entry.case_id,
                    actor=entry.actor,
                    action=entry.action,
                    details=entry.details,
                    key=key,
                )
                entry.scheme = "hmac-sha256" if key else None
                session.add(entry)
                session.flush()
            prev = entry.hash


@pytest.mark.parametrize("attacker_key", [None, b"guessed-" * 8], ids=["sha256", "other-key"])
def test_changing_row_41_and_rechaining_is_found(
    migrated_engine: Engine, attacker_key: bytes | None
) -> None:
    fill(migrated_engine, 60)
    with migrated_engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET actor = 'penyusup' WHERE id = 41"))
    rechain_from(migrated_engine, 41, key=attacker_key)

    checked, broken = check(migrated_engine)

    assert checked == 40 and broken is not None
    assert broken.entry_id == 41  # type: ignore[attr-defined]


def test_cutting_the_last_ten_rows_is_found_by_the_anchor(
    migrated_engine: Engine, tmp_path: Path
) -> None:
    fill(migrated_engine, 50)
    anchors_file = tmp_path / "anchors.jsonl"
    with session_scope(migrated_engine) as session:
        anchor = anchor_record(session, now=T0 + timedelta(days=1), anchors_file=anchors_file)
    assert anchor is not None and anchor.entry_id == 50
    assert read_anchors(anchors_file) == [anchor]
    assert check(migrated_engine, [anchor]) == (50, None)

    with migrated_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE id > 40"))

    checked, broken = check(migrated_engine, read_anchors(anchors_file))
    assert checked == 40 and broken is not None
    assert broken.entry_id == 50  # type: ignore[attr-defined]
    assert "cut short" in broken.problem  # type: ignore[attr-defined]


def test_anchors_file_is_private_and_append_only(migrated_engine: Engine, tmp_path: Path) -> None:
    fill(migrated_engine, 3)
    path = tmp_path / "anchors.jsonl"
    with session_scope(migrated_engine) as session:
        anchor_record(session, now=T0, anchors_file=path)
    fill(migrated_engine, 2, start=3)
    with session_scope(migrated_engine) as session:
        anchor_record(session, now=T0 + timedelta(hours=1), anchors_file=path)
    assert [a.entry_id for a in read_anchors(path)] == [3, 5]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert check(migrated_engine, read_anchors(path)) == (5, None)


def test_entries_written_before_the_key_still_verify(migrated_engine: Engine) -> None:
    fill(migrated_engine, 5)
    rechain_from(migrated_engine, 1, key=None)  # as the log was before this change
    fill(migrated_engine, 3, start=5)
    assert check(migrated_engine) == (8, None)


def test_an_unkeyed_entry_after_keyed_ones_is_a_break(migrated_engine: Engine) -> None:
    fill(migrated_engine, 8)
    rechain_from(migrated_engine, 6, key=None)
    checked, broken = check(migrated_engine)
    assert checked == 5 and broken is not None
    assert broken.entry_id == 6  # type: ignore[attr-defined]


def test_the_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "audit.key"
    first = key_from_file(path)
    assert len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_from_file(path) == first
