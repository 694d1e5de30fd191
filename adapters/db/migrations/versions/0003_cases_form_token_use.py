"""cases: form_token_use (one-time form tokens)

Revision ID: cases_0003_form_tokens
Revises: cases_0002_audit_hmac
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cases_0003_form_tokens"
down_revision: str | None = "cases_0002_audit_hmac"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_token_use",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("form_token_use")
