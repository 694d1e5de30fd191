"""cases: case, step_record, decision, reference_counter, audit_entry

Revision ID: cases_0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cases_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("cases",)
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "case",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        sa.Column("definition_id", sa.String(64), nullable=False, index=True),
        sa.Column("definition_version", sa.Integer(), nullable=False),
        sa.Column("definition_hash", sa.String(64), nullable=False),
        sa.Column("definition_snapshot", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("current_step", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(64), nullable=True),
        sa.Column("form_data", sa.JSON(), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("flow_run_id", sa.String(36), nullable=True),
        _ts("opened_at", nullable=True),
        _ts("submitted_at"),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("finished_at", nullable=True),
        _ts("purged_at", nullable=True),
    )
    op.create_index("ix_case_created_at", "case", ["created_at"])
    op.create_table(
        "step_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.String(36), nullable=False, index=True),
        sa.Column("step_id", sa.String(64), nullable=False),
        sa.Column("visit", sa.Integer(), nullable=False),
        sa.Column("sop_step", sa.Integer(), nullable=False),
        sa.Column("lane", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.Column("budget_seconds", sa.Float(), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("budget_exceeded", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(64), nullable=True),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.UniqueConstraint("case_id", "step_id", "visit", name="uq_step_record_visit"),
    )
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.String(36), nullable=False, index=True),
        sa.Column("step_id", sa.String(64), nullable=False),
        sa.Column("visit", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("operator_nip", sa.String(32), nullable=False),
        _ts("decided_at"),
        sa.UniqueConstraint("case_id", "step_id", "visit", name="uq_decision_visit"),
    )
    op.create_table(
        "reference_counter",
        sa.Column("prefix", sa.String(8), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last", sa.Integer(), nullable=False),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        _ts("at"),
        sa.Column("case_id", sa.String(36), nullable=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"])


def downgrade() -> None:
    for table in ("audit_entry", "reference_counter", "decision", "step_record", "case"):
        op.drop_table(table)
