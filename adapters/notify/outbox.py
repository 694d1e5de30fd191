"""The outbox: enqueue messages idempotently, deliver them at most once.

One row per (case, step, channel, recipient). Delivery of a row:

1. claim: `pending -> sending` with a fresh claim token, attempts + 1, committed on its own;
2. send through the Notifier;
3. record, matching the claim token: `sent`, back to `pending` with a later `next_attempt_at`
   (transient error), `failed_permanent` (permanent error, or transient errors exhausted) or
   `unknown` (the provider may have accepted it).

A crash between 1 and 3 leaves the row in `sending`. Nothing tells whether the provider got the
message, so a later run never sends such a row again: once the claim is older than
`claim_timeout` it becomes `unknown` ("at most once" for the ambiguous window) and the report asks
an operator to check; `requeue()` is the operator's explicit "send it again". The `outbox://`
channel is idempotent by itself (one file per idempotency key).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from adapters.notify.errors import AmbiguousDeliveryError, DeliveryError, TransientDeliveryError
from adapters.notify.message import RenderedMessage
from adapters.notify.outbox_table import OutboxMessage, OutboxStatus
from adapters.notify.protocol import Notifier

log = logging.getLogger(__name__)

_TABLE: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
_ORPHANED = "OrphanedClaim:interrupted_between_claim_and_record"


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("times passed to the outbox must be timezone-aware")
    return moment.astimezone(UTC)


def _read_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def recipient_hash(recipient: str) -> str:
    return hashlib.sha256(f"sopflow-outbox-recipient\x00{recipient}".encode()).hexdigest()


def idempotency_key(*, case_id: str | int, step_id: str, channel: str, recipient: str) -> str:
    """SHA-256 over case, step, channel and the recipient's hash: holds no personal data."""
    material = "\x00".join((str(case_id), step_id, channel, recipient_hash(recipient)))
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass(frozen=True)
class ExponentialBackoff:
    """Wait before attempt n+1 after n failed attempts: base * factor**(n-1), at most `cap`."""

    base: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    cap: timedelta = timedelta(minutes=30)

    def __call__(self, attempts: int) -> timedelta:
        return min(self.cap, self.base * (self.factor ** max(attempts - 1, 0)))


class MessageOutcome(BaseModel):
    """One outbox row as a delivery run sees it: no recipient, no text."""

    model_config = ConfigDict(frozen=True)

    message_id: int
    idempotency_key: str
    step_id: str
    channel: str
    status: OutboxStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None


class DeliveryReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcomes: tuple[MessageOutcome, ...]
    sent_now: int = 0

    def _with(self, *statuses: OutboxStatus) -> list[MessageOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status in statuses]

    @property
    def sent(self) -> list[MessageOutcome]:
        return self._with(OutboxStatus.SENT)

    @property
    def retry_pending(self) -> list[MessageOutcome]:
        return self._with(OutboxStatus.PENDING)

    @property
    def in_flight(self) -> list[MessageOutcome]:
        """Claimed by another (or an interrupted) run within claim_timeout: not touched."""
        return self._with(OutboxStatus.SENDING)

    @property
    def failed_permanent(self) -> list[MessageOutcome]:
        return self._with(OutboxStatus.FAILED_PERMANENT)

    @property
    def unknown(self) -> list[MessageOutcome]:
        return self._with(OutboxStatus.UNKNOWN)

    @property
    def skipped(self) -> list[MessageOutcome]:
        return self._with(OutboxStatus.SKIPPED)

    @property
    def complete(self) -> bool:
        """Nothing left to try: every row is sent, failed, unknown or skipped."""
        return not self.retry_pending and not self.in_flight

    @property
    def needs_operator(self) -> bool:
        return bool(self.failed_permanent or self.unknown)

    @property
    def next_attempt_at(self) -> datetime | None:
        times = [o.next_attempt_at for o in self.retry_pending if o.next_attempt_at is not None]
        return min(times) if times else None

    @property
    def channels_reached(self) -> list[str]:
        return sorted({outcome.channel for outcome in self.sent})


def _insert_ignoring_duplicate(session: Session, values: dict[str, Any]) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(
            postgresql.insert(_TABLE)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
        )
    elif dialect == "sqlite":
        session.execute(
            sqlite.insert(_TABLE)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
        )
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(f"outbox does not support the {dialect} dialect")


def _by_key(session: Session, key: str) -> OutboxMessage:
    row = session.get(OutboxMessage, _id_for_key(session, key))
    assert row is not None
    return row


def _id_for_key(session: Session, key: str) -> int:
    found = session.execute(select(_TABLE.c.id).where(_TABLE.c.idempotency_key == key)).scalar()
    if found is None:
        raise LookupError("outbox row vanished after insert")
    return int(found)


def enqueue(
    session: Session,
    *,
    case_id: str | int,
    step_id: str,
    channel: str,
    recipient: str,
    message: RenderedMessage,
    now: datetime,
) -> OutboxMessage:
    """Add a pending message, or return the row that already has this idempotency key
    (unchanged: a re-run flow never replaces what was, or is being, sent).

    `recipient` must already be normalised (ChannelConfig.normalise_recipient); the caller's
    transaction commits it.
    """
    key = idempotency_key(case_id=case_id, step_id=step_id, channel=channel, recipient=recipient)
    moment = _utc(now)
    _insert_ignoring_duplicate(
        session,
        {
            "idempotency_key": key,
            "case_id": str(case_id),
            "step_id": step_id,
            "channel": channel,
            "recipient_hash": recipient_hash(recipient),
            "recipient": recipient,
            "subject": message.subject,
            "body_text": message.text,
            "body_html": message.html,
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "next_attempt_at": moment,
            "created_at": moment,
            "updated_at": moment,
        },
    )
    return _by_key(session, key)


def record_skipped(
    session: Session,
    *,
    case_id: str | int,
    step_id: str,
    channel: str,
    reason: str,
    now: datetime,
) -> OutboxMessage:
    """Record that a channel was not used (e.g. `InvalidRecipientError.short`), so the case's
    outbox shows every channel of the step. `reason` must hold no personal data."""
    key = idempotency_key(case_id=case_id, step_id=step_id, channel=channel, recipient="")
    moment = _utc(now)
    _insert_ignoring_duplicate(
        session,
        {
            "idempotency_key": key,
            "case_id": str(case_id),
            "step_id": step_id,
            "channel": channel,
            "recipient_hash": recipient_hash(""),
            "recipient": "",
            "body_text": "",
            "status": OutboxStatus.SKIPPED.value,
            "attempts": 0,
            "next_attempt_at": moment,
            "last_error": reason[:120],
            "created_at": moment,
            "updated_at": moment,
        },
    )
    return _by_key(session, key)


def _scope(case_id: str | int, step_id: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [_TABLE.c.case_id == str(case_id)]
    if step_id is not None:
        conditions.append(_TABLE.c.step_id == step_id)
    return conditions


def _claim(engine: Engine, row_id: int, now: datetime) -> tuple[str, dict[str, Any]] | None:
    token = uuid.uuid4().hex
    with engine.begin() as conn:
        claimed = conn.execute(
            update(_TABLE)
            .where(
                _TABLE.c.id == row_id,
                _TABLE.c.status == OutboxStatus.PENDING.value,
                _TABLE.c.next_attempt_at <= now,
            )
            .values(
                status=OutboxStatus.SENDING.value,
                claim_token=token,
                claimed_at=now,
                attempts=_TABLE.c.attempts + 1,
                updated_at=now,
            )
        )
        if claimed.rowcount != 1:
            return None
        row = conn.execute(select(_TABLE).where(_TABLE.c.id == row_id)).mappings().one()
    return token, dict(row)


def _record(engine: Engine, row_id: int, token: str, values: dict[str, Any]) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(_TABLE)
            .where(
                _TABLE.c.id == row_id,
                _TABLE.c.claim_token == token,
                _TABLE.c.status.in_([OutboxStatus.SENDING.value, OutboxStatus.UNKNOWN.value]),
            )
            .values(**values)
        )


def _outcome_values(
    error: Exception | None,
    *,
    attempts: int,
    now: datetime,
    max_attempts: int,
    backoff: Callable[[int], timedelta],
) -> dict[str, Any]:
    if error is None:
        return {"status": OutboxStatus.SENT.value, "sent_at": now, "last_error": None}
    if isinstance(error, TransientDeliveryError):
        if attempts < max_attempts:
            return {
                "status": OutboxStatus.PENDING.value,
                "next_attempt_at": now + backoff(attempts),
                "last_error": error.short,
            }
        return {
            "status": OutboxStatus.FAILED_PERMANENT.value,
            "last_error": f"{error.short} (attempts exhausted)"[:120],
        }
    if isinstance(error, AmbiguousDeliveryError):
        return {"status": OutboxStatus.UNKNOWN.value, "last_error": error.short}
    if isinstance(error, DeliveryError):
        return {"status": OutboxStatus.FAILED_PERMANENT.value, "last_error": error.short}
    return {
        "status": OutboxStatus.UNKNOWN.value,
        "last_error": f"{type(error).__name__}:unexpected"[:120],
    }


def _message_of(row: dict[str, Any]) -> RenderedMessage:
    return RenderedMessage(subject=row["subject"], text=row["body_text"], html=row["body_html"])


def deliver_pending(
    engine: Engine,
    notifier: Notifier,
    *,
    case_id: str | int,
    step_id: str | None = None,
    now: datetime,
    max_attempts: int = 5,
    backoff: Callable[[int], timedelta] = ExponentialBackoff(),
    claim_timeout: timedelta = timedelta(minutes=5),
) -> DeliveryReport:
    """Send every due pending row of a case (or of one step of it) once, and report all its rows.

    Transient failures go back to `pending` with `next_attempt_at = now + backoff(attempts)`;
    call again at or after `report.next_attempt_at`. Rows left in `sending` by an interrupted run
    become `unknown` once older than `claim_timeout`, and are never re-sent automatically.
    """
    moment = _utc(now)
    scope = _scope(case_id, step_id)
    with engine.begin() as conn:
        conn.execute(
            update(_TABLE)
            .where(
                *scope,
                _TABLE.c.status == OutboxStatus.SENDING.value,
                _TABLE.c.claimed_at <= moment - claim_timeout,
            )
            .values(status=OutboxStatus.UNKNOWN.value, last_error=_ORPHANED, updated_at=moment)
        )
        due: Sequence[int] = (
            conn.execute(
                select(_TABLE.c.id)
                .where(
                    *scope,
                    _TABLE.c.status == OutboxStatus.PENDING.value,
                    _TABLE.c.next_attempt_at <= moment,
                )
                .order_by(_TABLE.c.id)
            )
            .scalars()
            .all()
        )

    sent_now = 0
    for row_id in due:
        claimed = _claim(engine, row_id, moment)
        if claimed is None:
            continue  # another run took it
        token, row = claimed
        error: Exception | None = None
        try:
            notifier.send(
                channel=row["channel"],
                recipient=row["recipient"],
                message=_message_of(row),
                message_id=row["idempotency_key"],
            )
        except DeliveryError as exc:
            error = exc
        except Exception as exc:  # a bug in a notifier: the send may have happened
            log.warning("outbox row %s: unexpected %s while sending", row_id, type(exc).__name__)
            error = exc
        values = _outcome_values(
            error,
            attempts=int(row["attempts"]),
            now=moment,
            max_attempts=max_attempts,
            backoff=backoff,
        )
        _record(engine, row_id, token, {**values, "updated_at": moment})
        sent_now += error is None
    return DeliveryReport(outcomes=tuple(_outcomes(engine, scope)), sent_now=sent_now)


def _outcomes(engine: Engine, scope: list[ColumnElement[bool]]) -> list[MessageOutcome]:
    with engine.connect() as conn:
        rows = conn.execute(select(_TABLE).where(*scope).order_by(_TABLE.c.id)).mappings().all()
    return [_outcome(row) for row in rows]


def _outcome(row: Any) -> MessageOutcome:
    status = OutboxStatus(row["status"])
    return MessageOutcome(
        message_id=row["id"],
        idempotency_key=row["idempotency_key"],
        step_id=row["step_id"],
        channel=row["channel"],
        status=status,
        attempts=row["attempts"],
        last_error=row["last_error"],
        next_attempt_at=(
            _read_utc(row["next_attempt_at"]) if status == OutboxStatus.PENDING else None
        ),
        sent_at=_read_utc(row["sent_at"]),
    )


def outbox_report(
    engine: Engine, *, case_id: str | int, step_id: str | None = None
) -> DeliveryReport:
    """The current state of a case's messages, without sending anything."""
    return DeliveryReport(outcomes=tuple(_outcomes(engine, _scope(case_id, step_id))))


def requeue(session: Session, *, message_id: int, now: datetime) -> OutboxMessage:
    """An operator's decision to send an `unknown` or `failed_permanent` message again."""
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise LookupError(f"no outbox message {message_id}")
    if row.status not in (OutboxStatus.UNKNOWN.value, OutboxStatus.FAILED_PERMANENT.value):
        raise ValueError(f"outbox message {message_id} is {row.status}; only unknown or failed")
    moment = _utc(now)
    row.status = OutboxStatus.PENDING.value
    row.attempts = 0
    row.next_attempt_at = moment
    row.claim_token = None
    row.updated_at = moment
    session.add(row)
    session.flush()
    return row


def count_by_status(engine: Engine, *, case_id: str | int) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(_TABLE.c.status, func.count())
            .where(_TABLE.c.case_id == str(case_id))
            .group_by(_TABLE.c.status)
        ).all()
    return {str(status): int(count) for status, count in rows}
