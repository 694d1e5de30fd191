"""Imports every table module so SQLModel.metadata is complete (Alembic env, tests).

Each feature adds one import line here.
"""
