"""Errors of the retention job (case ids and references only, never personal data)."""

from __future__ import annotations


class PurgeError(Exception):
    """The purge stopped; cases purged before the failure stay purged."""
