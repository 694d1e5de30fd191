"""SDP directory: `b:<date of birth>` blocking keys for records already imported.

The importer writes these keys from now on; this fills them in for an existing replica so a search
with a date of birth finds its person even when every name token is mistyped.

Revision ID: sdp_0002
Revises: sdp_0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "sdp_0002"
down_revision: str | None = "sdp_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "INSERT INTO sdp_name_key (key, record_id) "
            "SELECT 'b:' || to_char(tanggal_lahir, 'YYYY-MM-DD'), id FROM sdp_record "
            "WHERE tanggal_lahir IS NOT NULL ON CONFLICT DO NOTHING"
        )
    else:  # SQLite keeps dates as ISO text
        op.execute(
            "INSERT OR IGNORE INTO sdp_name_key (key, record_id) "
            "SELECT 'b:' || tanggal_lahir, id FROM sdp_record WHERE tanggal_lahir IS NOT NULL"
        )


def downgrade() -> None:
    op.execute("DELETE FROM sdp_name_key WHERE key LIKE 'b:%'")
