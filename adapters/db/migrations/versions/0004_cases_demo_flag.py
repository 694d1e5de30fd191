"""cases: `case.is_demo`, set for the cases `sopflow demo` makes (left out of reports)

Revision ID: cases_0002_demo_flag
Revises: cases_0003_form_tokens
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cases_0002_demo_flag"
down_revision: str | None = "cases_0003_form_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.add_column(
            sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.drop_column("is_demo")
