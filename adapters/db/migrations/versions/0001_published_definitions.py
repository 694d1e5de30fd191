"""Published definitions: what `sopflow deploy` made current for new cases.

Revision ID: published_0001
Revises:
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "published_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("published",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "published_definition",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("definition_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_published_definition_definition_id", "published_definition", ["definition_id"]
    )


def downgrade() -> None:
    op.drop_table("published_definition")
