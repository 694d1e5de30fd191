"""Errors of the staffing forecast (messages in English: admin CLI)."""

from __future__ import annotations


class ForecastError(Exception):
    """Bad forecast input (office hours, operators, arrivals) or no history to learn from."""
