"""cases: audit_entry.scheme (HMAC-keyed audit chain; NULL = an older unkeyed SHA-256 entry)

Revision ID: cases_0002_audit_hmac
Revises: cases_0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cases_0002_audit_hmac"
down_revision: str | None = "cases_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch:
        batch.add_column(sa.Column("scheme", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_column("scheme")
