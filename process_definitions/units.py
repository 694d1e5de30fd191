"""Human units used in definitions: time budgets (`1m`, `1h30m`) and sizes (`2MB`)."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION_PART = re.compile(r"(\d+)\s*(d|h|m|s)")
_DURATION_WHOLE = re.compile(r"^\s*(?:\d+\s*[dhms]\s*)+$")
_SECONDS_PER_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)\s*$", re.IGNORECASE)
_BYTES_PER_UNIT = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}

DURATION_HINT = "write a duration like `1m`, `10m`, `1h30m`, `90s` or `30d`"
SIZE_HINT = "write a size like `500KB` or `2MB`"


def parse_duration(text: str) -> timedelta:
    """`1h30m` -> 1:30:00. Raises ValueError on anything else (zero included)."""
    if not isinstance(text, str) or not _DURATION_WHOLE.match(text):
        raise ValueError(f"`{text}` is not a duration; {DURATION_HINT}")
    seconds = sum(
        int(n) * _SECONDS_PER_UNIT[unit] for n, unit in _DURATION_PART.findall(text.lower())
    )
    if seconds <= 0:
        raise ValueError(f"`{text}` is not a positive duration; {DURATION_HINT}")
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """Inverse of parse_duration, canonical (`90s` -> `1m30s`)."""
    seconds = int(value.total_seconds())
    parts = []
    for unit, size in _SECONDS_PER_UNIT.items():
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def parse_size(text: str | int) -> int:
    """`2MB` -> 2097152 bytes (binary units, as phones and Windows show them)."""
    if isinstance(text, int) and not isinstance(text, bool) and text > 0:
        return text
    match = _SIZE.match(str(text))
    if not match:
        raise ValueError(f"`{text}` is not a size; {SIZE_HINT}")
    size = int(float(match.group(1)) * _BYTES_PER_UNIT[match.group(2).upper()])
    if size <= 0:
        raise ValueError(f"`{text}` is not a positive size; {SIZE_HINT}")
    return size
