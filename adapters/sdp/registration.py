"""SDP registration numbers: parsed tolerantly, stored normalised (e.g. `B.I 123/2021`).

Registers: A.I-A.V (detainees), B.I (> 1 year), B.IIa (3 months-1 year), B.IIb (< 3 months),
B.III (fine substitute). Exports write them in many ways: "BI-123/2021", "b.i. 0123 / 21",
"B.II A 45/2020". The serial loses leading zeros; a two-digit year becomes 19yy (>= 70) or 20yy.
"""

from __future__ import annotations

import re

from adapters.sdp.errors import RegistrationNumberError

KNOWN_REGISTERS = frozenset(
    {"A.I", "A.II", "A.III", "A.IV", "A.V", "B.I", "B.IIa", "B.IIb", "B.III"}
)

_PATTERN = re.compile(
    r"""^\s*
    (?P<cls>[AB])\s*[.\-\s]?\s*
    (?P<roman>IV|V|III|II|I)
    (?:\s*[.\-]?\s*(?P<sub>[AB]))?
    \s*[.\-/\s]*\s*
    (?P<serial>\d{1,7})
    (?:\s*[/\-.\s]\s*(?P<year>\d{4}|\d{2}))?
    \s*\.?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def normalise_registration_no(raw: str) -> str:
    """Return the canonical form of a registration number, or raise RegistrationNumberError."""
    match = _PATTERN.match(raw or "")
    if not match:
        raise RegistrationNumberError("unrecognised registration number format")
    cls = match["cls"].upper()
    roman = match["roman"].upper()
    sub = (match["sub"] or "").lower()
    register = f"{cls}.{roman}{sub}"
    if register not in KNOWN_REGISTERS:
        raise RegistrationNumberError(f"unknown register {register!r}")
    serial = int(match["serial"])
    year = match["year"]
    if year is None:
        return f"{register} {serial}"
    if len(year) == 2:
        yy = int(year)
        year = str(1900 + yy if yy >= 70 else 2000 + yy)
    return f"{register} {serial}/{year}"


def looks_like_registration_no(text: str) -> bool:
    try:
        normalise_registration_no(text)
    except RegistrationNumberError:
        return False
    return True
