"""SDP directory: rebuild the search index for the spacing and prefix rules.

Names joined or split by a space (Nur Hayati, Nurhayati) got `n:`/`t:` keys of their joined
forms, the father's name `t:` keys, and `St.` now reads as Siti: every record's parsed names
and blocking keys are written again (the records themselves are unchanged).

Revision ID: sdp_0003_spacing_keys
Revises: sdp_0002
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

from adapters.sdp.rekey import rebuild_index

revision: str = "sdp_0003_spacing_keys"
down_revision: str | None = "sdp_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    rebuild_index(op.get_bind())


def downgrade() -> None:
    # The older search reads the keys it knows and ignores the others: nothing to undo.
    pass
