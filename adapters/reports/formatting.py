"""How figures read in the reports: `2m30s`, `87%`, `-` for nothing."""

from __future__ import annotations

from datetime import timedelta

from process_definitions.units import format_duration


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return format_duration(timedelta(seconds=round(seconds)))


def share(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def references(items: list[str], limit: int = 0) -> str:
    if not items:
        return "-"
    if limit and len(items) > limit:
        return ", ".join(items[:limit]) + f" (+{len(items) - limit} more)"
    return ", ".join(items)
