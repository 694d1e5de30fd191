"""SDP directory replica: records, blocking keys, token vocabulary.

Revision ID: sdp_0001
Revises:
Create Date: 2026-01-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sdp_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("sdp",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sdp_record",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("no_registrasi", sa.String(40), nullable=False),
        sa.Column("nama", sa.String(300), nullable=False),
        sa.Column("alias", sa.JSON(), nullable=False),
        sa.Column("nama_kecil", sa.JSON(), nullable=False),
        sa.Column("tanggal_lahir", sa.Date(), nullable=True),
        sa.Column("upt", sa.String(200), nullable=True),
        sa.Column("upt_key", sa.String(200), nullable=True),
        sa.Column("tanggal_mulai_ditahan", sa.Date(), nullable=True),
        sa.Column("lama_pidana", sa.String(60), nullable=True),
        sa.Column("remisi", sa.String(60), nullable=True),
        sa.Column("remisi_terakhir", sa.String(60), nullable=True),
        sa.Column("tanggal_ekspirasi", sa.Date(), nullable=True),
        sa.Column("perkara", sa.Text(), nullable=True),
        sa.Column("program_integrasi", sa.String(40), nullable=True),
        sa.Column("tahap_integrasi", sa.String(40), nullable=True),
        sa.Column("name_index", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("no_registrasi", name="uq_sdp_record_no_registrasi"),
    )
    op.create_table(
        "sdp_name_key",
        sa.Column("key", sa.String(200), primary_key=True),
        # No foreign key: the importer owns these derived rows (deletes them with the record's
        # update) and a per-row check would triple the import time on PostgreSQL.
        sa.Column("record_id", sa.Integer(), primary_key=True),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_sdp_name_key_record_id", "sdp_name_key", ["record_id"])
    op.create_table(
        "sdp_token_variant",
        sa.Column("variant", sa.String(80), primary_key=True),
        sa.Column("token", sa.String(80), primary_key=True),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("sdp_token_variant")
    op.drop_index("ix_sdp_name_key_record_id", table_name="sdp_name_key")
    op.drop_table("sdp_name_key")
    op.drop_table("sdp_record")
