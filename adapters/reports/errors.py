"""Errors of the report layer (ids and dates only, never personal data)."""

from __future__ import annotations


class ReportError(Exception):
    """A report cannot be made as asked (bad period, unknown definition, unknown format)."""
