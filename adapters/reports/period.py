"""Report periods: whole office-local days turned into a UTC half-open interval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapters.reports.errors import ReportError


@dataclass(frozen=True)
class Period:
    """Days `first`..`last` (inclusive) in `timezone`; `start`/`end` are UTC, end exclusive."""

    first: date
    last: date
    timezone: str

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ReportError(f"period ends ({self.last}) before it starts ({self.first})")
        zone(self.timezone)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), zone(self.timezone)).astimezone(UTC)

    @property
    def end(self) -> datetime:
        next_day = self.last + timedelta(days=1)
        return datetime.combine(next_day, time(), zone(self.timezone)).astimezone(UTC)

    def local(self, moment: datetime) -> datetime:
        """`moment` (UTC; naive counts as UTC) in the office's time zone."""
        aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
        return aware.astimezone(zone(self.timezone))

    def label(self) -> str:
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ReportError(f"unknown time zone {name!r}") from None


def day(on: date, timezone: str) -> Period:
    return Period(on, on, timezone)
