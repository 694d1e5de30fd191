"""Estimated integrasi dates for the answer of SOP step 5 (rules: `integrasi_rules.yaml`).

Every computed date is an estimate ("perkiraan"). A date is never produced when an input it
needs is not recorded: the estimate says which input is missing instead.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from adapters.sdp.codes import (
    PROGRAMME_LABELS,
    STAGE_LABELS,
    IntegrasiProgramme,
    IntegrasiStage,
)
from adapters.sdp.directory import SdpRecord
from adapters.sdp.errors import IntegrasiRulesError
from adapters.sdp.terms import Term, TermKind, parse_term

RULES_FILE = Path(__file__).resolve().parent / "integrasi_rules.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Konversi(_Strict):
    hari_per_bulan: int = Field(gt=0)
    hari_per_tahun: int = Field(gt=0)
    remisi_kosong_berarti_nol: bool = False


class Narkotika(_Strict):
    kata_kunci: list[str]
    pidana_minimum_hari: int


class TindakPidanaKhusus(_Strict):
    kata_kunci: list[str]
    narkotika: Narkotika


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
    dasar_hukum_umum: list[str]
    tindak_pidana_khusus: TindakPidanaKhusus
    tidak_berlaku_untuk: list[TermKind]
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


class ProgrammeEstimate(BaseModel):
    code: str
    label: str
    estimated_date: date | None
    perkiraan: bool = True
    reason: str
    legal_basis: list[str]
    conditions: list[str] = Field(default_factory=list)
    reached: bool | None = None  # the date is on or before `as_of`


class IntegrasiInformation(BaseModel):
    no_registrasi: str
    as_of: date
    perkiraan: bool = True
    ekspirasi: ProgrammeEstimate
    asimilasi: ProgrammeEstimate
    pembebasan_bersyarat: ProgrammeEstimate
    cuti_menjelang_bebas: ProgrammeEstimate
    cuti_bersyarat: ProgrammeEstimate
    current_programme: IntegrasiProgramme | None = None
    current_programme_label: str | None = None
    current_stage: IntegrasiStage | None = None
    current_stage_label: str | None = None
    notes: list[str] = Field(default_factory=list)
    legal_basis: list[str] = Field(default_factory=list)

    def programmes(self) -> list[ProgrammeEstimate]:
        return [
            self.asimilasi,
            self.pembebasan_bersyarat,
            self.cuti_menjelang_bebas,
            self.cuti_bersyarat,
            self.ekspirasi,
        ]


class _Inputs:
    """The record's inputs in days, with the reasons for any that are missing."""

    def __init__(self, record: SdpRecord, rules: IntegrasiRules) -> None:
        conversion = rules.konversi
        self.missing: list[str] = []
        self.t0 = record.tanggal_mulai_ditahan
        if self.t0 is None:
            self.missing.append("tanggal mulai ditahan tidak tercatat")
        self.term: Term | None = parse_term(record.lama_pidana) if record.lama_pidana else None
        self.sentence: int | None = None
        if self.term is None:
            self.missing.append("lama pidana tidak tercatat")
        elif self.term.kind is TermKind.FIXED:
            self.sentence = self._days(self.term, rules)
        else:
            self.missing.append(f"pidana {self.term.text()}")
        self.remission: int | None = None
        if record.remisi:
            self.remission = self._days(parse_term(record.remisi), rules)
        elif conversion.remisi_kosong_berarti_nol:
            self.remission = 0
        else:
            self.missing.append("remisi tidak tercatat")
        self.last_remission = (
            self._days(parse_term(record.remisi_terakhir), rules)
            if record.remisi_terakhir
            else None
        )

    @staticmethod
    def _days(term: Term, rules: IntegrasiRules) -> int:
        return term.to_days(
            days_per_month=rules.konversi.hari_per_bulan,
            days_per_year=rules.konversi.hari_per_tahun,
        )

    @property
    def base(self) -> int | None:
        if self.sentence is None or self.remission is None:
            return None
        return self.sentence - self.remission


def _is_special(record: SdpRecord, sentence: int | None, rules: IntegrasiRules) -> bool:
    offence = (record.perkara or "").lower()
    special = rules.tindak_pidana_khusus
    if any(word in offence for word in special.kata_kunci):
        return True
    narcotics = special.narkotika
    return (
        any(word in offence for word in narcotics.kata_kunci)
        and sentence is not None
        and sentence >= narcotics.pidana_minimum_hari
    )


def _estimate(
    code: str,
    rule: ProgrammeRule,
    when: date | None,
    reason: str,
    today: date,
    *,
    perkiraan: bool = True,
) -> ProgrammeEstimate:
    return ProgrammeEstimate(
        code=code,
        label=rule.label,
        estimated_date=when,
        perkiraan=perkiraan,
        reason=reason,
        legal_basis=list(rule.dasar_hukum),
        conditions=list(rule.syarat_lain),
        reached=None if when is None else when <= today,
    )


def _fraction_days(fraction: Fraction, base: int) -> int:
    return math.ceil(fraction * base)


def integrasi_information(
    record: SdpRecord, today: date, rules: IntegrasiRules | None = None
) -> IntegrasiInformation:
    """Estimated dates of every programme for this record, as of `today`."""
    rules = rules or default_rules()
    inputs = _Inputs(record, rules)
    programmes = rules.program
    codes = (
        "ekspirasi",
        "asimilasi",
        "pembebasan_bersyarat",
        "cuti_menjelang_bebas",
        "cuti_bersyarat",
    )
    estimates: dict[str, ProgrammeEstimate] = {}

    excluded = inputs.term is not None and inputs.term.kind in rules.tidak_berlaku_untuk
    if excluded:
        assert inputs.term is not None
        reason = (
            f"pidana {inputs.term.text()}: tidak ada program integrasi maupun tanggal ekspirasi"
            " (UU No. 22 Tahun 2022, Pasal 10)"
        )
        for code in codes:
            estimates[code] = _estimate(code, getattr(programmes, code), None, reason, today)
    else:
        estimates = _compute(record, inputs, rules, today)

    notes = list(rules.catatan_umum)
    expiry = estimates["ekspirasi"].estimated_date
    if expiry is not None and expiry <= today:
        notes.append("Menurut data ini masa pidana telah berakhir; periksa status terkini di SDP.")
    programme = record.program_integrasi
    stage = record.tahap_integrasi
    return IntegrasiInformation(
        no_registrasi=record.no_registrasi,
        as_of=today,
        current_programme=programme,
        current_programme_label=PROGRAMME_LABELS[programme] if programme else None,
        current_stage=stage,
        current_stage_label=STAGE_LABELS[stage] if stage else None,
        notes=notes,
        legal_basis=list(rules.dasar_hukum_umum),
        **estimates,
    )


def _compute(
    record: SdpRecord, inputs: _Inputs, rules: IntegrasiRules, today: date
) -> dict[str, ProgrammeEstimate]:
    p = rules.program
    t0, base = inputs.t0, inputs.base
    missing = "; ".join(inputs.missing)
    special = _is_special(record, inputs.sentence, rules)
    out: dict[str, ProgrammeEstimate] = {}

    # Ekspirasi: SDP's own date when it has one, else T0 + (P - R).
    if record.tanggal_ekspirasi is not None:
        out["ekspirasi"] = _estimate(
            "ekspirasi",
            p.ekspirasi,
            record.tanggal_ekspirasi,
            "tanggal ekspirasi menurut SDP",
            today,
            perkiraan=False,
        )
    elif t0 is not None and base is not None:
        out["ekspirasi"] = _estimate(
            "ekspirasi",
            p.ekspirasi,
            t0 + timedelta(days=base),
            f"tanggal mulai ditahan + (lama pidana - remisi) = {base} hari",
            today,
        )
    else:
        out["ekspirasi"] = _estimate("ekspirasi", p.ekspirasi, None, missing, today)
    expiry = out["ekspirasi"].estimated_date

    if t0 is None or base is None:
        for code in ("asimilasi", "pembebasan_bersyarat", "cuti_menjelang_bebas", "cuti_bersyarat"):
            out[code] = _estimate(code, getattr(p, code), None, missing, today)
        return out
    if base <= 0:
        reason = "remisi tidak lebih kecil dari lama pidana: periksa data SDP"
        for code in ("asimilasi", "pembebasan_bersyarat", "cuti_menjelang_bebas", "cuti_bersyarat"):
            out[code] = _estimate(code, getattr(p, code), None, reason, today)
        return out

    # Asimilasi: 1/2 (P - R); tindak pidana tertentu 2/3, and 2/3 at least 9 months.
    fraction = p.asimilasi.fraction(special=special)
    days = _fraction_days(fraction, base)
    label = "tindak pidana tertentu, " if special else ""
    if special and p.asimilasi.minimum_hari_khusus and days < p.asimilasi.minimum_hari_khusus:
        out["asimilasi"] = _estimate(
            "asimilasi",
            p.asimilasi,
            None,
            f"{label}{fraction} masa pidana kurang dari 9 bulan",
            today,
        )
    else:
        out["asimilasi"] = _estimate(
            "asimilasi",
            p.asimilasi,
            t0 + timedelta(days=days),
            f"{label}tanggal mulai ditahan + {fraction} x (lama pidana - remisi) = {days} hari",
            today,
        )

    # Pembebasan Bersyarat: 2/3 (P - R), and 2/3 at least 9 months.
    two_thirds = _fraction_days(p.pembebasan_bersyarat.fraction(), base)
    pb_date = t0 + timedelta(days=two_thirds)
    short = p.pembebasan_bersyarat.minimum_hari is not None and (
        two_thirds < p.pembebasan_bersyarat.minimum_hari
    )
    if short:
        out["pembebasan_bersyarat"] = _estimate(
            "pembebasan_bersyarat",
            p.pembebasan_bersyarat,
            None,
            "2/3 masa pidana kurang dari 9 bulan",
            today,
        )
    else:
        out["pembebasan_bersyarat"] = _estimate(
            "pembebasan_bersyarat",
            p.pembebasan_bersyarat,
            pb_date,
            f"tanggal mulai ditahan + 2/3 x (lama pidana - remisi) = {two_thirds} hari",
            today,
        )

    # Cuti Menjelang Bebas: max(2/3 date, ekspirasi - min(last remission, 6 months)).
    cmb = p.cuti_menjelang_bebas
    cmb_two_thirds = _fraction_days(cmb.fraction(), base)
    if cmb.minimum_hari is not None and cmb_two_thirds < cmb.minimum_hari:
        out["cuti_menjelang_bebas"] = _estimate(
            "cuti_menjelang_bebas", cmb, None, "2/3 masa pidana kurang dari 9 bulan", today
        )
    elif inputs.last_remission is None:
        out["cuti_menjelang_bebas"] = _estimate(
            "cuti_menjelang_bebas", cmb, None, "remisi terakhir tidak tercatat", today
        )
    elif expiry is None:
        out["cuti_menjelang_bebas"] = _estimate(
            "cuti_menjelang_bebas", cmb, None, "tanggal ekspirasi tidak tercatat", today
        )
    else:
        leave = min(inputs.last_remission, cmb.maksimum_cuti_hari or inputs.last_remission)
        when = max(t0 + timedelta(days=cmb_two_thirds), expiry - timedelta(days=leave))
        out["cuti_menjelang_bebas"] = _estimate(
            "cuti_menjelang_bebas",
            cmb,
            when,
            f"paling awal 2/3 masa pidana, dan ekspirasi dikurangi remisi terakhir ({leave} hari)",
            today,
        )

    # Cuti Bersyarat: 2/3 (P - R), only for sentences up to 1 year 6 months.
    cb = p.cuti_bersyarat
    assert inputs.sentence is not None
    if cb.maksimum_pidana_hari is not None and inputs.sentence > cb.maksimum_pidana_hari:
        out["cuti_bersyarat"] = _estimate(
            "cuti_bersyarat",
            cb,
            None,
            "hanya untuk pidana paling lama 1 tahun 6 bulan",
            today,
        )
    else:
        cb_days = _fraction_days(cb.fraction(), base)
        out["cuti_bersyarat"] = _estimate(
            "cuti_bersyarat",
            cb,
            t0 + timedelta(days=cb_days),
            f"tanggal mulai ditahan + 2/3 x (lama pidana - remisi) = {cb_days} hari",
            today,
        )
    return out
