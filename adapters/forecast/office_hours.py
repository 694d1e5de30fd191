"""Office hours on a weekly clock: when operators work.

Times are seconds since a Monday 00:00 in the office's time zone (the simulation's clock);
`OfficeHours.seconds(dt)` and `.moment(t)` convert. Parsed from the setting, e.g.
"Mon-Fri 08:00-16:00" or "Mon-Thu 08:00-16:00, Fri 08:00-11:30".
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from adapters.forecast.errors import ForecastError

WEEK = 7 * 24 * 3600.0
DAY = 24 * 3600.0
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PART = re.compile(
    r"^\s*(?P<d1>[a-z]{3})(?:\s*-\s*(?P<d2>[a-z]{3}))?\s+"
    r"(?P<h1>\d{1,2}):(?P<m1>\d{2})\s*-\s*(?P<h2>\d{1,2}):(?P<m2>\d{2})\s*$"
)
EPOCH = datetime(2024, 1, 1)  # a Monday; made aware in the office's zone


@dataclass(frozen=True)
class OfficeHours:
    windows: tuple[tuple[float, float], ...]  # sorted (open, close) in seconds of the week
    timezone: str = "Asia/Jakarta"
    _opens: list[float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.windows:
            raise ForecastError("office hours have no open time")
        object.__setattr__(self, "_opens", [start for start, _ in self.windows])

    @property
    def open_seconds_per_week(self) -> float:
        return sum(end - start for start, end in self.windows)

    @property
    def open_days(self) -> list[int]:
        return sorted({int(start // DAY) for start, _ in self.windows})

    def _epoch(self) -> datetime:
        return EPOCH.replace(tzinfo=ZoneInfo(self.timezone))

    def seconds(self, moment: datetime) -> float:
        aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
        return (aware - self._epoch()).total_seconds()

    def moment(self, t: float) -> datetime:
        return (self._epoch() + timedelta(seconds=t)).astimezone(UTC)

    def _locate(self, t: float) -> tuple[float, int]:
        """(start of t's week, index of the first window ending after t's time of week)."""
        week = math.floor(t / WEEK) * WEEK
        tow = t - week
        i = bisect.bisect_right(self._opens, tow) - 1
        if i >= 0 and tow < self.windows[i][1]:
            return week, i
        return week, i + 1

    def next_open(self, t: float) -> float:
        """t itself when the office is open then, else the next opening."""
        week, i = self._locate(t)
        if i >= len(self.windows):
            return week + WEEK + self.windows[0][0]
        return max(t, week + self.windows[i][0])

    def add_office_seconds(self, t: float, seconds: float) -> float:
        """The moment `seconds` of open office time after t (starting at the next opening)."""
        left = seconds
        now = self.next_open(t)
        while True:
            week, i = self._locate(now)
            close = week + self.windows[i][1]
            if now + left <= close:
                return now + left
            left -= close - now
            now = self.next_open(close)

    def office_seconds_between(self, a: float, b: float) -> float:
        """Open office time in [a, b]."""
        total = 0.0
        now = self.next_open(a)
        while now < b:
            week, i = self._locate(now)
            close = week + self.windows[i][1]
            total += min(close, b) - now
            now = self.next_open(close)
        return total


def parse_office_hours(text: str, timezone: str = "Asia/Jakarta") -> OfficeHours:
    """ "Mon-Fri 08:00-16:00[, Sat 08:00-12:00]" -> OfficeHours; ForecastError naming the part."""
    windows: dict[int, tuple[float, float]] = {}
    for part in text.lower().split(","):
        match = _PART.match(part)
        if not match:
            raise ForecastError(f"office hours {part.strip()!r}: write e.g. 'Mon-Fri 08:00-16:00'")
        try:
            first = _DAYS.index(match["d1"])
            last = _DAYS.index(match["d2"] or match["d1"])
        except ValueError:
            raise ForecastError(f"office hours {part.strip()!r}: days are Mon..Sun") from None
        start = int(match["h1"]) * 3600 + int(match["m1"]) * 60
        end = int(match["h2"]) * 3600 + int(match["m2"]) * 60
        if not 0 <= start < end <= DAY or last < first:
            raise ForecastError(f"office hours {part.strip()!r}: open before close, Mon before Sun")
        for day in range(first, last + 1):
            windows[day] = (day * DAY + start, day * DAY + end)
    return OfficeHours(tuple(sorted(windows.values())), timezone)
