"""`purge --older-than` ages: one number and an explicit unit (`90d`, `12w`, `6mo`, `2 years`).

A bare `m` is refused: a person reads `1m` as a month as easily as a minute, and a purge that
takes the wrong one deletes personal data months early. Months are 30 days, years 365.
"""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS: dict[str, timedelta] = {}
for _names, _size in (
    ("min mins minute minutes", timedelta(minutes=1)),
    ("h hr hrs hour hours", timedelta(hours=1)),
    ("d day days", timedelta(days=1)),
    ("w wk wks week weeks", timedelta(weeks=1)),
    ("mo mon mos month months", timedelta(days=30)),
    ("y yr yrs year years", timedelta(days=365)),
):
    _UNITS.update(dict.fromkeys(_names.split(), _size))

ACCEPTED = (
    "a whole number and a unit: minutes (30min, 30minutes), hours (12h, 12hours), days (90d, "
    "90days), weeks (12w, 12weeks), months of 30 days (6mo, 6months) or years of 365 days "
    "(1y, 1year)"
)
_AGE = re.compile(r"^\s*(\d+)\s*([a-z]+)\s*$")


def parse_age(text: str) -> timedelta:
    """`90d` -> 90 days. Raises ValueError (naming the accepted forms) on anything else,
    `m` alone included."""
    match = _AGE.match(text.lower())
    if match is None:
        raise ValueError(f"`{text}` is not an age; write {ACCEPTED}")
    count, unit = int(match.group(1)), match.group(2)
    if unit == "m":
        raise ValueError(
            f"`{text}` is ambiguous: `m` could mean minutes or months; write "
            f"`{count}min` for minutes or `{count}mo` for months ({ACCEPTED})"
        )
    if unit not in _UNITS:
        raise ValueError(f"`{text}`: unknown unit `{unit}`; write {ACCEPTED}")
    if count <= 0:
        raise ValueError(f"`{text}` is not a positive age; write {ACCEPTED}")
    return count * _UNITS[unit]
