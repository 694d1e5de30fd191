"""Sentence and remission lengths as SDP exports write them: `2 tahun 6 bulan`, `180 hari`, `90`.

A bare number means days. `seumur hidup` and `mati` are kept as kinds of sentence (no integrasi).
Lengths are stored normalised as text (`2 tahun 6 bulan`); converting them to days is the
integrasi rules' business (their `konversi`), not the importer's.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from adapters.sdp.errors import TermError


class TermKind(StrEnum):
    FIXED = "tetap"
    LIFE = "seumur_hidup"
    DEATH = "mati"


class Term(BaseModel):
    """A length of time in years, months and days (or a life or death sentence)."""

    model_config = ConfigDict(frozen=True)

    kind: TermKind = TermKind.FIXED
    years: int = 0
    months: int = 0
    days: int = 0

    def to_days(self, *, days_per_month: int, days_per_year: int) -> int:
        if self.kind is not TermKind.FIXED:
            raise TermError("a life or death sentence has no length in days")
        return self.years * days_per_year + self.months * days_per_month + self.days

    def text(self) -> str:
        if self.kind is TermKind.LIFE:
            return "seumur hidup"
        if self.kind is TermKind.DEATH:
            return "mati"
        parts = [
            f"{value} {unit}"
            for value, unit in ((self.years, "tahun"), (self.months, "bulan"), (self.days, "hari"))
            if value
        ]
        return " ".join(parts) or "0 hari"


_UNITS = {
    "tahun": "years",
    "thn": "years",
    "th": "years",
    "t": "years",
    "bulan": "months",
    "bln": "months",
    "bl": "months",
    "b": "months",
    "hari": "days",
    "hr": "days",
    "h": "days",
}
_PART = re.compile(r"(\d+)\s*([a-z]+)\.?")
_LIFE = re.compile(r"^(pidana\s+)?(penjara\s+)?seumur\s*hidup$")
_DEATH = re.compile(r"^(pidana\s+)?(hukuman\s+)?mati$")


def parse_term(raw: str) -> Term:
    """Parse a length; raise TermError (without echoing the value) if it is not one."""
    text = " ".join((raw or "").lower().replace(",", " ").split())
    if not text:
        raise TermError("empty length")
    if _LIFE.match(text):
        return Term(kind=TermKind.LIFE)
    if _DEATH.match(text):
        return Term(kind=TermKind.DEATH)
    if text.isdigit():
        return Term(days=int(text))
    values = {"years": 0, "months": 0, "days": 0}
    seen: set[str] = set()
    position = 0
    for match in _PART.finditer(text):
        if text[position : match.start()].strip():
            raise TermError("unrecognised length")
        unit = _UNITS.get(match[2])
        if unit is None or unit in seen:
            raise TermError("unrecognised length unit")
        seen.add(unit)
        values[unit] = int(match[1])
        position = match.end()
    if not seen or text[position:].strip():
        raise TermError("unrecognised length")
    return Term(**values)


@lru_cache(maxsize=4096)
def normalise_term(raw: str) -> str:
    """A length as text in its canonical form (cached: exports repeat a few hundred lengths)."""
    return parse_term(raw).text()
