"""Imports every table module so SQLModel.metadata is complete (Alembic env, tests).

Each feature adds one import line here.
"""

import adapters.db.case_tables
import adapters.db.form_token_table
import adapters.db.published_definitions
import adapters.notify.outbox_table
import adapters.sdp.tables
import adapters.survey.tables  # noqa: F401
