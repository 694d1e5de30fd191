"""The append-only, hash-chained audit log: append an entry, verify the chain.

Each entry's hash is SHA-256 over the previous hash and the entry's canonical content, so a
changed, reordered or deleted row breaks the chain at that point. Details carry ids, step ids,
opaque keys and NIPs: never personal data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from adapters.db.case_tables import AuditEntry

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 0x50F1_A0D1  # pg advisory lock id of the audit chain


def _canonical_time(at: datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(
    *,
    prev_hash: str,
    at: datetime,
    case_id: str | None,
    actor: str,
    action: str,
    details: Mapping[str, Any],
) -> str:
    content = json.dumps(
        {
            "prev": prev_hash,
            "at": _canonical_time(at),
            "case": case_id,
            "actor": actor,
            "action": action,
            "details": details,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def append_audit(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    case_id: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry inside the caller's transaction (flushed, not committed).

    A concurrent append on the same previous entry violates the unique `prev_hash` and
    raises IntegrityError; the caller's transaction retries as a whole.
    """
    if session.get_bind().dialect.name == "postgresql":
        # One appender at a time (until commit): the chain stays linear under concurrency.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    last = session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(1)).first()
    prev_hash = last.hash if last else GENESIS
    payload = dict(details or {})
    entry = AuditEntry(
        at=at,
        case_id=case_id,
        actor=actor,
        action=action,
        details=payload,
        prev_hash=prev_hash,
        hash=entry_hash(
            prev_hash=prev_hash,
            at=at,
            case_id=case_id,
            actor=actor,
            action=action,
            details=payload,
        ),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int | None
    problem: str


def verify_chain(session: Session) -> tuple[int, ChainBreak | None]:
    """Walk the log in id order; return (entries checked, the first break or None)."""
    prev_hash = GENESIS
    checked = 0
    for entry in session.exec(select(AuditEntry).order_by(col(AuditEntry.id))):
        if entry.prev_hash != prev_hash:
            return checked, ChainBreak(
                entry.id,
                "previous-hash link does not match the entry before it "
                "(an entry was deleted, inserted or reordered)",
            )
        expected = entry_hash(
            prev_hash=entry.prev_hash,
            at=entry.at,
            case_id=entry.case_id,
            actor=entry.actor,
            action=entry.action,
            details=entry.details,
        )
        if expected != entry.hash:
            return checked, ChainBreak(
                entry.id, "content does not match its hash (the entry was changed)"
            )
        prev_hash = entry.hash
        checked += 1
    return checked, None


__all__ = ["GENESIS", "ChainBreak", "IntegrityError", "append_audit", "entry_hash", "verify_chain"]
