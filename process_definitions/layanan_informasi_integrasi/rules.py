"""The integrasi rules file (`rules/integrasi_rules.yaml`): fractions, minimums, conditions."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from adapters.sdp.terms import TermKind

RULES_FILE = Path(__file__).resolve().parent / "rules" / "integrasi_rules.yaml"


class IntegrasiRulesError(ValueError):
    """The integrasi rules data file is missing or invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Konversi(_Strict):
    hari_per_bulan: int = Field(gt=0)
    hari_per_tahun: int = Field(gt=0)
    remisi_kosong_berarti_nol: bool = False

    def words(self, days: int) -> str:
        """A length in days as the rules count it: 545 -> `1 tahun 6 bulan`."""
        years, rest = divmod(days, self.hari_per_tahun)
        months, rest = divmod(rest, self.hari_per_bulan)
        parts = [
            f"{value} {unit}"
            for value, unit in ((years, "tahun"), (months, "bulan"), (rest, "hari"))
            if value
        ]
        return " ".join(parts) or "0 hari"


class Narkotika(_Strict):
    kata_kunci: list[str]
    pidana_minimum_hari: int


class TindakPidanaKhusus(_Strict):
    kata_kunci: list[str]
    narkotika: Narkotika


class TidakBerlaku(_Strict):
    pidana: list[TermKind]
    dasar_hukum: str


class Anak(_Strict):
    """Children (anak): thresholds are uncertain (DOMAIN.md); the answer says so."""

    kata_kunci_upt: list[str]
    catatan: str


class ProgrammeRule(_Strict):
    label: str
    pecahan: str | None = None
    pecahan_khusus: str | None = None
    minimum_hari: int | None = None
    minimum_hari_khusus: int | None = None
    maksimum_cuti_hari: int | None = None
    maksimum_pidana_hari: int | None = None
    dasar_hukum: list[str]
    syarat_lain: list[str] = Field(default_factory=list)

    def fraction(self, *, special: bool = False) -> Fraction:
        text = self.pecahan_khusus if special and self.pecahan_khusus else self.pecahan
        if text is None:
            raise IntegrasiRulesError(f"rule {self.label!r} has no fraction")
        return Fraction(text)


class ProgrammeRules(_Strict):
    ekspirasi: ProgrammeRule
    asimilasi: ProgrammeRule
    pembebasan_bersyarat: ProgrammeRule
    cuti_menjelang_bebas: ProgrammeRule
    cuti_bersyarat: ProgrammeRule


class IntegrasiRules(_Strict):
    versi: int
    konversi: Konversi
    catatan_umum: list[str]
    catatan_masa_pidana_berakhir: str
    dasar_hukum_umum: list[str]
    tindak_pidana_khusus: TindakPidanaKhusus
    tidak_berlaku: TidakBerlaku
    anak: Anak
    program: ProgrammeRules


def load_rules(path: Path = RULES_FILE) -> IntegrasiRules:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return IntegrasiRules.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError, ValueError) as exc:
        raise IntegrasiRulesError(f"invalid integrasi rules file {path.name}: {exc}") from None


@lru_cache(maxsize=1)
def default_rules() -> IntegrasiRules:
    return load_rules()
