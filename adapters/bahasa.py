"""Dates as Indonesian readers write them (`27 November 2026`, `Jumat, 27 November 2026`)."""

from __future__ import annotations

from datetime import date, timedelta

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def month_name(value: date) -> str:
    return MONTHS[value.month - 1]


def long_date(value: date) -> str:
    """`date(2026, 1, 4)` -> `4 Januari 2026`."""
    return f"{value.day} {month_name(value)} {value.year}"


def day_and_date(value: date) -> str:
    """`date(2026, 11, 27)` -> `Jumat, 27 November 2026`."""
    return f"{DAYS[value.weekday()]}, {long_date(value)}"


def lama(value: timedelta) -> str:
    """`timedelta(seconds=150)` -> `2 menit 30 detik` (days, hours, minutes, seconds; no zeros)."""
    seconds = max(0, int(value.total_seconds()))
    parts = []
    for unit, size in (("hari", 86400), ("jam", 3600), ("menit", 60), ("detik", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}")
    return " ".join(parts) or "0 detik"
