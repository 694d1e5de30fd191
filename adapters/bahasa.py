"""Dates as Indonesian readers write them (`27 November 2026`, `Jumat, 27 November 2026`)."""

from __future__ import annotations

from datetime import date

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
