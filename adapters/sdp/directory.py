"""The SDP directory port: query, candidate and record models and the `SdpDirectory` Protocol."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, field_validator

from adapters.sdp.codes import IntegrasiProgramme, IntegrasiStage, parse_programme, parse_stage
from adapters.sdp.registration import normalise_registration_no
from adapters.sdp.terms import normalise_term

_DATE_FORMATS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$"), ("d", "m", "y")),
)


def parse_date(value: object) -> date | None:
    """Dates from exports: date objects (xlsx), `YYYY-MM-DD`, or day-first `DD-MM-YYYY`."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    text = text.split(" ")[0].split("T")[0]  # "2021-03-04 00:00:00" from spreadsheets
    if len(text) == 10 and text[4] == text[7] == "-" and text.isascii():
        try:  # the usual YYYY-MM-DD, without the patterns
            return date.fromisoformat(text)
        except ValueError:
            pass
    for pattern, order in _DATE_FORMATS:
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                return date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                break
    raise ValueError("invalid date (expected YYYY-MM-DD)")


def _clean_text(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def split_list(value: object) -> list[str]:
    """`alias`/`nama_kecil` cells: `;`-separated text, or a list already."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else str(value).split(";")
    cleaned = (_clean_text(item) for item in items)
    return [item for item in cleaned if item and item != "-"]


class SdpRecord(BaseModel):
    """One prisoner as the SDP export describes them. Lengths are normalised text."""

    model_config = ConfigDict(frozen=True)

    no_registrasi: str
    nama: str = Field(min_length=1)
    alias: list[str] = Field(default_factory=list)
    nama_kecil: list[str] = Field(default_factory=list)
    tanggal_lahir: date | None = None
    upt: str | None = None
    tanggal_mulai_ditahan: date | None = None
    lama_pidana: str | None = None
    remisi: str | None = None
    remisi_terakhir: str | None = None
    tanggal_ekspirasi: date | None = None
    perkara: str | None = None
    program_integrasi: IntegrasiProgramme | None = None
    tahap_integrasi: IntegrasiStage | None = None

    @field_validator("no_registrasi", mode="before")
    @classmethod
    def _registration(cls, value: object) -> str:
        return normalise_registration_no(str(value or ""))

    @field_validator("nama", mode="before")
    @classmethod
    def _name(cls, value: object) -> str:
        return _clean_text(value) or ""

    @field_validator("upt", "perkara", mode="before")
    @classmethod
    def _text(cls, value: object) -> str | None:
        return _clean_text(value)

    @field_validator("alias", "nama_kecil", mode="before")
    @classmethod
    def _list(cls, value: object) -> list[str]:
        return split_list(value)

    @field_validator("tanggal_lahir", "tanggal_mulai_ditahan", "tanggal_ekspirasi", mode="before")
    @classmethod
    def _date(cls, value: object) -> date | None:
        return parse_date(value)

    @field_validator("lama_pidana", "remisi", "remisi_terakhir", mode="before")
    @classmethod
    def _term(cls, value: object) -> str | None:
        text = _clean_text(value)
        return normalise_term(text) if text else None

    @field_validator("program_integrasi", mode="before")
    @classmethod
    def _programme(cls, value: object) -> IntegrasiProgramme | None:
        text = _clean_text(value)
        return parse_programme(text) if text and text != "-" else None

    @field_validator("tahap_integrasi", mode="before")
    @classmethod
    def _stage(cls, value: object) -> IntegrasiStage | None:
        text = _clean_text(value)
        return parse_stage(text) if text and text != "-" else None


class SdpQuery(BaseModel):
    """What the operator (or the SDP step) searches with: a name and optional second signals."""

    name: str = Field(min_length=1)
    upt: str | None = None
    born: date | None = None
    limit: int = Field(default=5, ge=1, le=100)


class SdpCandidate(BaseModel):
    """One ranked match. `reasons` speak of the query and this record only."""

    no_registrasi: str
    nama: str
    upt: str | None = None
    score: float = Field(ge=0, le=100)
    reasons: list[str] = Field(default_factory=list)

    def public_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


@runtime_checkable
class SdpDirectory(Protocol):
    """The national prisoner database, however this office reaches it."""

    def search(self, query: SdpQuery) -> list[SdpCandidate]:
        """Ranked candidates, best first, at most `query.limit`."""
        ...

    def get(self, registration_no: str) -> SdpRecord | None:
        """The record with this registration number (any spelling of it), or None."""
        ...
