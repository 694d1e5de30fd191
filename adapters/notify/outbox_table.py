"""The outbox table: one row per message (case, step, channel, recipient)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, DateTime, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a delivery run; the send may be under way
    SENT = "sent"
    FAILED_PERMANENT = "failed_permanent"  # rejected, or transient failures exhausted
    UNKNOWN = "unknown"  # the send may or may not have happened: an operator decides
    SKIPPED = "skipped"  # no usable recipient for this channel (e.g. no valid WhatsApp number)


class OutboxMessage(SQLModel, table=True):
    """Recipient and rendered text are kept here to be sent (our own database);
    `last_error` holds an error class and a short code only, never personal data."""

    __tablename__ = "outbox_message"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_outbox_message_key"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    idempotency_key: str = Field(sa_column=Column(String(64), nullable=False))
    case_id: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    step_id: str = Field(sa_column=Column(String(64), nullable=False))
    channel: str = Field(sa_column=Column(String(32), nullable=False))
    recipient_hash: str = Field(sa_column=Column(String(64), nullable=False))
    recipient: str = Field(sa_column=Column(String(320), nullable=False))
    subject: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(
        default=OutboxStatus.PENDING.value,
        sa_column=Column(String(20), nullable=False, index=True),
    )
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    next_attempt_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    claim_token: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    claimed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    last_error: str | None = Field(default=None, sa_column=Column(String(120), nullable=True))
    sent_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
