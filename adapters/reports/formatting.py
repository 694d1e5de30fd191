"""How figures read in the reports, in Bahasa Indonesia: `2 menit 30 detik`, `87%`, `-` for
nothing, times in the office's zone (`27 November 2026 08.05 WIB`)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from adapters.bahasa import long_date

_UNITS = (("hari", 86400), ("jam", 3600), ("menit", 60), ("detik", 1))
_ZONE_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def duration(seconds: float | None, *, parts: int = 2) -> str:
    """`150` -> `2 menit 30 detik`; at most `parts` units, the largest first (`1 jam 5 menit`)."""
    if seconds is None:
        return "-"
    remaining = round(seconds)
    words = []
    for unit, size in _UNITS:
        count, remaining = divmod(remaining, size)
        if count:
            words.append(f"{count} {unit}")
    return " ".join(words[:parts]) or "0 detik"


def share(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def references(items: list[str], limit: int = 0) -> str:
    if not items:
        return "-"
    if limit and len(items) > limit:
        return ", ".join(items[:limit]) + f" (+{len(items) - limit} lainnya)"
    return ", ".join(items)


def zone_label(timezone: str) -> str:
    """`Asia/Jakarta` -> `WIB`; other zones by name."""
    return _ZONE_LABELS.get(timezone, timezone)


def local_time(moment: datetime, timezone: str) -> str:
    """`27 November 2026 08.05 WIB`: a moment as the office reads it."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{long_date(local)} {local:%H.%M} {zone_label(timezone)}"


def period_text(first: date, last: date) -> str:
    """`27 November 2026`, or `1 November 2026 s.d. 30 November 2026`."""
    if first == last:
        return long_date(first)
    return f"{long_date(first)} s.d. {long_date(last)}"
