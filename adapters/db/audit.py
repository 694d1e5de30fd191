"""The append-only audit log: HMAC-keyed hash chain, anchors, verification.

Each entry's `hash` is HMAC-SHA256, under a key kept outside the database (`audit_key`), over
the previous entry's hash and the entry's canonical content. Someone who can only write the
database can therefore change, reorder or delete entries, but cannot re-chain what follows:
the first entry after the change no longer verifies. What the chain alone cannot show is a cut
tail (the last entries deleted); for that the head (id, hash) is *anchored*, published where the
database cannot reach: a local append-only file, the daily register PDF and a Prefect artifact
(`anchor_record`). `verify_chain` checks that every anchor is still on the chain.

Entries written before the key existed (`scheme` NULL) carry plain SHA-256 hashes and stay
verifiable; an unkeyed entry after a keyed one is a break (a downgrade). Details carry ids, step
ids, opaque keys and NIPs: never personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from adapters.db.audit_key import audit_key
from adapters.db.case_tables import AuditEntry

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 0x50F1_A0D1  # pg advisory lock id of the audit chain
KEYED = "hmac-sha256"
ANCHORS_FILE = "audit-anchors.jsonl"


def _canonical_time(at: datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _content(
    *,
    prev_hash: str,
    at: datetime,
    case_id: str | None,
    actor: str,
    action: str,
    details: Mapping[str, Any],
) -> bytes:
    return json.dumps(
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
    ).encode("utf-8")


def entry_hash(
    *,
    prev_hash: str,
    at: datetime,
    case_id: str | None,
    actor: str,
    action: str,
    details: Mapping[str, Any],
    key: bytes | None = None,
) -> str:
    """HMAC-SHA256 under `key`; with `key=None` the unkeyed SHA-256 of older entries."""
    content = _content(
        prev_hash=prev_hash, at=at, case_id=case_id, actor=actor, action=action, details=details
    )
    if key is None:
        return hashlib.sha256(content).hexdigest()
    return hmac.new(key, content, hashlib.sha256).hexdigest()


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
    key = audit_key()
    if session.get_bind().dialect.name == "postgresql":
        # One appender at a time (until commit): the chain stays linear under concurrency.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    last = _head(session)
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
            key=key,
        ),
        scheme=KEYED,
    )
    session.add(entry)
    session.flush()
    return entry


def _head(session: Session) -> AuditEntry | None:
    return session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(1)).first()


# --- anchors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditAnchor:
    """The chain's head at a moment: publish it where the database cannot rewrite it."""

    entry_id: int
    hash: str
    at: datetime

    def line(self) -> str:
        """One line for a PDF footer or a log: `audit #1234 9f2c...e1 (2026-12-03T09:00Z)`."""
        return f"audit #{self.entry_id} {self.hash} ({self.at.strftime('%Y-%m-%dT%H:%MZ')})"

    def markdown(self) -> str:
        """For a Prefect artifact."""
        return (
            "| audit head | hash | anchored at (UTC) |\n|---|---|---|\n"
            f"| {self.entry_id} | `{self.hash}` | {_canonical_time(self.at)} |\n"
        )

    def to_json(self) -> str:
        return json.dumps({"id": self.entry_id, "hash": self.hash, "at": _canonical_time(self.at)})

    @classmethod
    def from_json(cls, line: str) -> AuditAnchor:
        data = json.loads(line)
        return cls(int(data["id"]), str(data["hash"]), datetime.fromisoformat(data["at"]))


def anchors_path() -> Path:
    from adapters.settings import get_settings

    return get_settings().ensure_data_dir() / ANCHORS_FILE


def anchor_record(
    session: Session, *, now: datetime, anchors_file: Path | None = None
) -> AuditAnchor | None:
    """The current head as an anchor (None for an empty log), also appended to the local
    anchors file (default `audit-anchors.jsonl` in the data dir, mode 0600). The daily
    sla-summary flow publishes `markdown()` as an artifact; the register PDF prints `line()`."""
    head = _head(session)
    if head is None or head.id is None:
        return None
    anchor = AuditAnchor(head.id, head.hash, now.astimezone(UTC))
    append_anchor(anchor, anchors_file or anchors_path())
    return anchor


def append_anchor(anchor: AuditAnchor, path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(anchor.to_json() + "\n")


def read_anchors(path: Path) -> list[AuditAnchor]:
    """Anchors recorded in `path` (none if the file does not exist yet)."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [AuditAnchor.from_json(line) for line in lines if line.strip()]


# --- verification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int | None
    problem: str


def verify_chain(
    session: Session, *, anchors: Iterable[AuditAnchor] = (), key: bytes | None = None
) -> tuple[int, ChainBreak | None]:
    """Walk the log in id order; return (entries checked, the first break or None). Every
    entry's HMAC must match under the key, and every anchor must still be on the chain."""
    key = key if key is not None else audit_key()
    wanted = {anchor.entry_id: anchor for anchor in anchors}
    found: dict[int, str] = {}
    prev_hash = GENESIS
    checked = 0
    keyed_seen = False
    for entry in session.exec(select(AuditEntry).order_by(col(AuditEntry.id))):
        if entry.prev_hash != prev_hash:
            return checked, ChainBreak(
                entry.id,
                "previous-hash link does not match the entry before it "
                "(an entry was deleted, inserted or reordered)",
            )
        keyed = entry.scheme == KEYED
        if keyed_seen and not keyed:
            return checked, ChainBreak(entry.id, "unkeyed entry after keyed ones (re-chained)")
        keyed_seen = keyed_seen or keyed
        expected = entry_hash(
            prev_hash=entry.prev_hash,
            at=entry.at,
            case_id=entry.case_id,
            actor=entry.actor,
            action=entry.action,
            details=entry.details,
            key=key if keyed else None,
        )
        if not hmac.compare_digest(expected, entry.hash):
            return checked, ChainBreak(
                entry.id,
                "content does not match its keyed hash (the entry was changed or re-chained)",
            )
        if entry.id in wanted:
            found[entry.id] = entry.hash
        prev_hash = entry.hash
        checked += 1
    for entry_id in sorted(wanted):
        if entry_id not in found:
            return checked, ChainBreak(
                entry_id, "an anchored entry is missing (the log was cut short)"
            )
        if found[entry_id] != wanted[entry_id].hash:
            return checked, ChainBreak(entry_id, "an anchored entry differs from its anchor")
    return checked, None


__all__ = [
    "GENESIS",
    "AuditAnchor",
    "ChainBreak",
    "IntegrityError",
    "anchor_record",
    "append_audit",
    "entry_hash",
    "read_anchors",
    "verify_chain",
]
