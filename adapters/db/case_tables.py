"""Case tables: cases, step records, operator decisions, reference counters, the audit log.

The case row is the source of truth for where a case stands; Prefect only orchestrates.
Personal data lives in `case.form_data` (and the object store), nowhere else.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Column, DateTime, Float, Integer, String, false
from sqlalchemy import UniqueConstraint as Unique
from sqlmodel import Field, SQLModel


def _ts(nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index),
    )


class CaseStatus(StrEnum):
    SUBMITTED = "submitted"  # stored, no flow run yet (the reconciler starts it)
    RUNNING = "running"
    WAITING = "waiting"  # an operator step waits for a decision
    COMPLETED = "completed"
    STALLED = "stalled"  # stopped for a definition/configuration/code reason: `case retry`
    FAILED = "failed"


class Case(SQLModel, table=True):
    __tablename__ = "case"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    reference: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    definition_id: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    definition_version: int = Field(sa_column=Column(Integer, nullable=False))
    definition_hash: str = Field(sa_column=Column(String(64), nullable=False))
    definition_snapshot: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False, index=True))
    current_step: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    outcome: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    form_data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    variables: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    flow_run_id: str | None = Field(default=None, sa_column=Column(String(36), nullable=True))
    opened_at: datetime | None = _ts(nullable=True)
    submitted_at: datetime = _ts()
    created_at: datetime = _ts(index=True)
    updated_at: datetime = _ts()
    finished_at: datetime | None = _ts(nullable=True)
    purged_at: datetime | None = _ts(nullable=True)
    # Made by `sopflow demo` (marked by reference after submission: the public form cannot set
    # it); reports, the register and exports leave demo cases out unless asked.
    is_demo: bool = Field(
        default=False,
        sa_column=Column(Boolean, nullable=False, default=False, server_default=false()),
    )


class StepRecord(SQLModel, table=True):
    """One execution of one step of one case (start, end, budget, outcome, who)."""

    __tablename__ = "step_record"
    __table_args__ = (Unique("case_id", "step_id", "visit", name="uq_step_record_visit"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    case_id: str = Field(sa_column=Column(String(36), nullable=False, index=True))
    step_id: str = Field(sa_column=Column(String(64), nullable=False))
    visit: int = Field(default=1, sa_column=Column(Integer, nullable=False))
    sop_step: int = Field(sa_column=Column(Integer, nullable=False))
    lane: str = Field(sa_column=Column(String(64), nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    started_at: datetime = _ts()
    finished_at: datetime | None = _ts(nullable=True)
    budget_seconds: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    duration_seconds: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    budget_exceeded: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    outcome: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    actor: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))


class Decision(SQLModel, table=True):
    """What an operator decided at a user task: opaque values only, plus their NIP."""

    __tablename__ = "decision"
    __table_args__ = (Unique("case_id", "step_id", "visit", name="uq_decision_visit"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    case_id: str = Field(sa_column=Column(String(36), nullable=False, index=True))
    step_id: str = Field(sa_column=Column(String(64), nullable=False))
    visit: int = Field(default=1, sa_column=Column(Integer, nullable=False))
    values: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    operator_nip: str = Field(sa_column=Column(String(32), nullable=False))
    decided_at: datetime = _ts()


class ReferenceCounter(SQLModel, table=True):
    """Per prefix and year, the last serial handed out (LII-2026-000123)."""

    __tablename__ = "reference_counter"

    prefix: str = Field(sa_column=Column(String(8), primary_key=True))
    year: int = Field(sa_column=Column(Integer, primary_key=True))
    last: int = Field(default=0, sa_column=Column(Integer, nullable=False))


class AuditEntry(SQLModel, table=True):
    """Append-only, hash-chained: each entry's hash covers its content and the previous hash."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    at: datetime = _ts(index=True)
    case_id: str | None = Field(default=None, sa_column=Column(String(36), nullable=True))
    actor: str = Field(sa_column=Column(String(64), nullable=False))
    action: str = Field(sa_column=Column(String(64), nullable=False))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Unique: two writers racing on the same previous entry cannot fork the chain.
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    # "hmac-sha256" (keyed, see adapters.db.audit); None for entries written before the key.
    scheme: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
