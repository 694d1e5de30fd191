"""survey: survey_token (one-time link per case, hashed, no case id) and survey_answer

Revision ID: survey_0001
Revises:
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "survey_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("survey",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey_token",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("definition_id", sa.String(64), nullable=False),
        sa.Column("end_step_id", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "survey_answer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("definition_id", sa.String(64), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        *(sa.Column(f"u{i}", sa.SmallInteger(), nullable=False) for i in range(1, 10)),
        sa.Column("suggestion", sa.Text(), nullable=True),
    )
    op.create_index("ix_survey_answer_definition_id", "survey_answer", ["definition_id"])
    op.create_index("ix_survey_answer_answered_on", "survey_answer", ["answered_on"])


def downgrade() -> None:
    op.drop_table("survey_answer")
    op.drop_table("survey_token")
