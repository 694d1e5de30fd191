"""The outbox table on SQLite and PostgreSQL: idempotent enqueue, retries with backoff,
permanent failures, and no second send after a crash between send and record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from adapters.db.engine import session_scope
from adapters.notify.errors import (
    AmbiguousDeliveryError,
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from adapters.notify.message import RenderedMessage
from adapters.notify.outbox import (
    ExponentialBackoff,
    deliver_pending,
    enqueue,
    idempotency_key,
    outbox_report,
    record_skipped,
    requeue,
)
from adapters.notify.outbox_table import OutboxMessage, OutboxStatus

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MESSAGE = RenderedMessage(subject="[LII-1] Jawaban", text="Halo", html="<p>Halo</p>")


class SimulatedCrash(BaseException):
    """The worker dies (SIGKILL, OOM) right after the provider accepted the message."""


@dataclass
class FakeNotifier:
    """Implements the Notifier Protocol; scripted outcomes per call, records real sends."""

    script: list[DeliveryError | BaseException | None] = field(default_factory=list)
    crash_after_send: bool = False
    delivered: list[tuple[str, str, str]] = field(default_factory=list)
    calls: int = 0

    def send(
        self, *, channel: str, recipient: str, message: RenderedMessage, message_id: str
    ) -> None:
        self.calls += 1
        outcome = self.script.pop(0) if self.script else None
        if outcome is not None:
            raise outcome
        self.delivered.append((channel, recipient, message_id))
        if self.crash_after_send:
            raise SimulatedCrash


def case_id() -> str:
    return f"case-{uuid.uuid4().hex[:10]}"


def add(engine: Engine, case: str, channel: str, recipient: str, step: str = "s4") -> int:
    with session_scope(engine) as session:
        row = enqueue(
            session,
            case_id=case,
            step_id=step,
            channel=channel,
            recipient=recipient,
            message=MESSAGE,
            now=T0,
        )
        assert row.id is not None
        return row.id


def test_enqueue_is_idempotent_and_key_holds_no_personal_data(migrated_engine: Engine) -> None:
    case = case_id()
    first = add(migrated_engine, case, "email", "siti@example.com")
    again = add(migrated_engine, case, "email", "siti@example.com")
    other = add(migrated_engine, case, "whatsapp", "6281234567890")
    assert first == again != other
    with Session(migrated_engine) as session:
        rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.case_id) == case)).all()
    assert len(rows) == 2
    key = idempotency_key(case_id=case, step_id="s4", channel="email", recipient="siti@example.com")
    email_row = next(r for r in rows if r.channel == "email")
    assert email_row.idempotency_key == key
    assert "siti" not in key and case not in key
    assert email_row.status == OutboxStatus.PENDING
    assert (email_row.subject, email_row.body_text, email_row.body_html) == (
        "[LII-1] Jawaban",
        "Halo",
        "<p>Halo</p>",
    )


def test_sends_each_pending_row_once(migrated_engine: Engine) -> None:
    case = case_id()
    add(migrated_engine, case, "email", "siti@example.com")
    add(migrated_engine, case, "whatsapp", "6281234567890")
    notifier = FakeNotifier()
    report = deliver_pending(migrated_engine, notifier, case_id=case, now=T0)
    assert report.sent_now == 2
    assert report.complete and not report.needs_operator
    assert report.channels_reached == ["email", "whatsapp"]
    again = deliver_pending(migrated_engine, notifier, case_id=case, now=T0 + timedelta(hours=1))
    assert again.sent_now == 0
    assert len(notifier.delivered) == 2
    assert {o.status for o in again.outcomes} == {OutboxStatus.SENT}
    assert all(o.sent_at == T0 for o in again.outcomes)


def test_transient_failure_retried_with_backoff_then_sent(migrated_engine: Engine) -> None:
    case = case_id()
    add(migrated_engine, case, "email", "siti@example.com")
    notifier = FakeNotifier(script=[TransientDeliveryError("email", "connection")])
    backoff = ExponentialBackoff(base=timedelta(seconds=30), factor=2, cap=timedelta(minutes=5))

    first = deliver_pending(migrated_engine, notifier, case_id=case, now=T0, backoff=backoff)
    assert first.sent_now == 0 and not first.complete
    (pending,) = first.retry_pending
    assert pending.attempts == 1
    assert pending.last_error == "TransientDeliveryError:connection"
    assert first.next_attempt_at == T0 + timedelta(seconds=30)

    early = deliver_pending(
        migrated_engine, notifier, case_id=case, now=T0 + timedelta(seconds=10), backoff=backoff
    )
    assert early.sent_now == 0 and notifier.calls == 1

    later = deliver_pending(
        migrated_engine, notifier, case_id=case, now=T0 + timedelta(seconds=30), backoff=backoff
    )
    assert later.sent_now == 1 and later.complete
    (sent,) = later.sent
    assert sent.attempts == 2 and sent.last_error is None
    assert len(notifier.delivered) == 1


def test_transient_failures_exhausted_become_permanent(migrated_engine: Engine) -> None:
    case = case_id()
    add(migrated_engine, case, "email", "siti@example.com")
    notifier = FakeNotifier(script=[TransientDeliveryError("email", "http_503")] * 3)
    now = T0
    for _ in range(3):
        report = deliver_pending(
            migrated_engine,
            notifier,
            case_id=case,
            now=now,
            max_attempts=3,
            backoff=lambda n: timedelta(minutes=n),
        )
        now += timedelta(hours=1)
    (failed,) = report.failed_permanent
    assert failed.attempts == 3
    assert failed.last_error == "TransientDeliveryError:http_503 (attempts exhausted)"
    assert report.needs_operator and report.complete
    assert notifier.delivered == []


def test_permanent_and_ambiguous_are_not_retried(migrated_engine: Engine) -> None:
    case = case_id()
    add(migrated_engine, case, "whatsapp", "6281234567890")
    add(migrated_engine, case, "email", "siti@example.com")
    notifier = FakeNotifier(
        script=[
            PermanentDeliveryError("whatsapp", "http_400"),
            AmbiguousDeliveryError("email", "read_timeout"),
        ]
    )
    report = deliver_pending(migrated_engine, notifier, case_id=case, now=T0)
    by_channel = {o.channel: o for o in report.outcomes}
    assert by_channel["whatsapp"].status == OutboxStatus.FAILED_PERMANENT
    assert by_channel["whatsapp"].last_error == "PermanentDeliveryError:http_400"
    assert by_channel["email"].status == OutboxStatus.UNKNOWN
    later = deliver_pending(migrated_engine, notifier, case_id=case, now=T0 + timedelta(days=1))
    assert notifier.calls == 2 and later.needs_operator and later.sent_now == 0


def test_crash_between_send_and_record_never_sends_twice(migrated_engine: Engine) -> None:
    case = case_id()
    add(migrated_engine, case, "email", "siti@example.com")
    crashing = FakeNotifier(crash_after_send=True)
    with pytest.raises(SimulatedCrash):
        deliver_pending(migrated_engine, crashing, case_id=case, now=T0)
    assert len(crashing.delivered) == 1

    # The flow is re-run at once: the claim is fresh, the row is left alone.
    rerun = FakeNotifier()
    soon = deliver_pending(migrated_engine, rerun, case_id=case, now=T0 + timedelta(seconds=5))
    assert [o.status for o in soon.outcomes] == [OutboxStatus.SENDING]
    assert not soon.complete

    # Re-run after the claim timeout: recorded as unknown for an operator, not sent again.
    late = deliver_pending(migrated_engine, rerun, case_id=case, now=T0 + timedelta(minutes=10))
    (outcome,) = late.outcomes
    assert outcome.status == OutboxStatus.UNKNOWN
    assert outcome.last_error == "OrphanedClaim:interrupted_between_claim_and_record"
    assert late.complete and late.needs_operator
    assert rerun.calls == 0

    # Only an operator's explicit requeue sends it again.
    with session_scope(migrated_engine) as session:
        requeue(session, message_id=outcome.message_id, now=T0 + timedelta(minutes=11))
    final = deliver_pending(migrated_engine, rerun, case_id=case, now=T0 + timedelta(minutes=11))
    assert final.sent_now == 1 and rerun.calls == 1


def test_unexpected_notifier_bug_is_recorded_unknown(migrated_engine: Engine) -> None:
    case = case_id()
    add(migrated_engine, case, "email", "siti@example.com")
    report = deliver_pending(
        migrated_engine, FakeNotifier(script=[RuntimeError("boom")]), case_id=case, now=T0
    )
    (outcome,) = report.outcomes
    assert (outcome.status, outcome.last_error) == (OutboxStatus.UNKNOWN, "RuntimeError:unexpected")


def test_invalid_whatsapp_recorded_as_skipped_email_still_sent(migrated_engine: Engine) -> None:
    case = case_id()
    add(migrated_engine, case, "email", "siti@example.com")
    with session_scope(migrated_engine) as session:
        record_skipped(
            session,
            case_id=case,
            step_id="s4",
            channel="whatsapp",
            reason="InvalidRecipientError:whatsapp_not_mobile",
            now=T0,
        )
    report = deliver_pending(migrated_engine, FakeNotifier(), case_id=case, now=T0)
    assert report.channels_reached == ["email"]
    (skipped,) = report.skipped
    assert skipped.channel == "whatsapp"
    assert skipped.last_error == "InvalidRecipientError:whatsapp_not_mobile"
    assert report.complete and not report.needs_operator


def test_scope_by_step_and_report(migrated_engine: Engine) -> None:
    case = case_id()
    add(migrated_engine, case, "email", "siti@example.com", step="s4")
    add(migrated_engine, case, "email", "siti@example.com", step="s5")
    notifier = FakeNotifier()
    report = deliver_pending(migrated_engine, notifier, case_id=case, step_id="s5", now=T0)
    assert [o.step_id for o in report.outcomes] == ["s5"]
    whole = outbox_report(migrated_engine, case_id=case)
    assert {(o.step_id, o.status) for o in whole.outcomes} == {
        ("s4", OutboxStatus.PENDING),
        ("s5", OutboxStatus.SENT),
    }


def test_naive_time_is_refused(migrated_engine: Engine) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deliver_pending(migrated_engine, FakeNotifier(), case_id="x", now=datetime(2026, 1, 1))
