"""Estimated integrasi dates from an SDP record (rules: `rules/integrasi_rules.yaml`).

Every computed date is an estimate ("perkiraan"). A date is never produced when an input it
needs is not recorded: the estimate says which input is missing instead. Each estimate has a
status: `date` (a date, reached or not as of the day asked), `not_applicable` (the rule that
excludes it is the reason) or `unknown` (an input is missing). Numbers in reasons come from the
rules file.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, Field

from adapters.sdp.codes import IntegrasiProgramme, IntegrasiStage
from adapters.sdp.directory import SdpRecord
from adapters.sdp.terms import Term, TermKind, parse_term

from .labels import PROGRAMME_LABELS, STAGE_LABELS
from .rules import IntegrasiRules, ProgrammeRule, default_rules

Status = Literal["date", "not_applicable", "unknown"]
PROGRAMME_CODES = ("asimilasi", "pembebasan_bersyarat", "cuti_menjelang_bebas", "cuti_bersyarat")


class ProgrammeEstimate(BaseModel):
    code: str
    label: str
    status: Status
    estimated_date: date | None
    perkiraan: bool = True
    reason: str
    legal_basis: list[str]
    conditions: list[str] = Field(default_factory=list)
    reached: bool | None = None  # the date is on or before `as_of`
    note: str | None = None  # how the date was reached, when the applicant should know


class IntegrasiInformation(BaseModel):
    no_registrasi: str
    as_of: date
    perkiraan: bool = True
    anak: bool = False
    ekspirasi: ProgrammeEstimate
    asimilasi: ProgrammeEstimate
    pembebasan_bersyarat: ProgrammeEstimate
    cuti_menjelang_bebas: ProgrammeEstimate
    cuti_bersyarat: ProgrammeEstimate
    current_programme: IntegrasiProgramme | None = None
    current_programme_label: str | None = None
    current_stage: IntegrasiStage | None = None
    current_stage_label: str | None = None
    notes: list[str] = Field(default_factory=list)  # general notes (for the operator)
    public_notes: list[str] = Field(default_factory=list)  # about this record, for the applicant
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
            self.missing.append("tanggal mulai ditahan tidak tercatat di SDP")
        self.term: Term | None = parse_term(record.lama_pidana) if record.lama_pidana else None
        self.sentence: int | None = None
        if self.term is None:
            self.missing.append("lama pidana tidak tercatat di SDP")
        elif self.term.kind is TermKind.FIXED:
            self.sentence = self._days(self.term, rules)
        self.remission: int | None = None
        if record.remisi:
            self.remission = self._days(parse_term(record.remisi), rules)
        elif conversion.remisi_kosong_berarti_nol:
            self.remission = 0
        else:
            self.missing.append("remisi tidak tercatat di SDP")
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


def _is_child(record: SdpRecord, rules: IntegrasiRules) -> bool:
    upt = (record.upt or "").lower()
    return any(word in upt for word in rules.anak.kata_kunci_upt)


class _Estimator:
    def __init__(self, rules: IntegrasiRules, today: date) -> None:
        self.rules = rules
        self.today = today

    def words(self, days: int) -> str:
        return self.rules.konversi.words(days)

    def dated(
        self,
        code: str,
        rule: ProgrammeRule,
        when: date,
        reason: str,
        *,
        perkiraan: bool = True,
        note: str | None = None,
    ) -> ProgrammeEstimate:
        made = self._make(code, rule, "date", when, reason, perkiraan=perkiraan)
        return made.model_copy(update={"note": note}) if note else made

    def not_applicable(self, code: str, rule: ProgrammeRule, reason: str) -> ProgrammeEstimate:
        return self._make(code, rule, "not_applicable", None, reason)

    def unknown(self, code: str, rule: ProgrammeRule, reason: str) -> ProgrammeEstimate:
        return self._make(code, rule, "unknown", None, reason)

    def _make(
        self,
        code: str,
        rule: ProgrammeRule,
        status: Status,
        when: date | None,
        reason: str,
        *,
        perkiraan: bool = True,
    ) -> ProgrammeEstimate:
        return ProgrammeEstimate(
            code=code,
            label=rule.label,
            status=status,
            estimated_date=when,
            perkiraan=perkiraan,
            reason=reason,
            legal_basis=list(rule.dasar_hukum),
            conditions=list(rule.syarat_lain),
            reached=None if when is None else when <= self.today,
        )


def integrasi_information(
    record: SdpRecord, today: date, rules: IntegrasiRules | None = None
) -> IntegrasiInformation:
    """Estimated dates of every programme for this record, as of `today`."""
    rules = rules or default_rules()
    inputs = _Inputs(record, rules)
    estimator = _Estimator(rules, today)
    programmes = rules.program
    estimates: dict[str, ProgrammeEstimate]
    if inputs.term is not None and inputs.term.kind in rules.tidak_berlaku.pidana:
        reason = (
            f"tidak ada untuk pidana {inputs.term.text()} menurut {rules.tidak_berlaku.dasar_hukum}"
        )
        estimates = {
            code: estimator.not_applicable(code, getattr(programmes, code), reason)
            for code in ("ekspirasi", *PROGRAMME_CODES)
        }
    else:
        estimates = _compute(record, inputs, rules, estimator)

    public_notes: list[str] = []
    if estimates["ekspirasi"].reached:
        public_notes.append(rules.catatan_masa_pidana_berakhir)
    child = _is_child(record, rules)
    if child:
        public_notes.append(rules.anak.catatan)
    programme = record.program_integrasi
    stage = record.tahap_integrasi
    return IntegrasiInformation(
        no_registrasi=record.no_registrasi,
        as_of=today,
        anak=child,
        current_programme=programme,
        current_programme_label=PROGRAMME_LABELS[programme] if programme else None,
        current_stage=stage,
        current_stage_label=STAGE_LABELS[stage] if stage else None,
        notes=list(rules.catatan_umum),
        public_notes=public_notes,
        legal_basis=list(rules.dasar_hukum_umum),
        **estimates,
    )


def _fraction_days(fraction: Fraction, base: int) -> int:
    return math.ceil(fraction * base)


def _compute(
    record: SdpRecord, inputs: _Inputs, rules: IntegrasiRules, e: _Estimator
) -> dict[str, ProgrammeEstimate]:
    p = rules.program
    t0, base = inputs.t0, inputs.base
    missing = "; ".join(inputs.missing)
    out: dict[str, ProgrammeEstimate] = {}

    # Ekspirasi: SDP's own date when it has one, else T0 + (P - R).
    if record.tanggal_ekspirasi is not None:
        out["ekspirasi"] = e.dated(
            "ekspirasi",
            p.ekspirasi,
            record.tanggal_ekspirasi,
            "tanggal ekspirasi menurut SDP",
            perkiraan=False,
        )
    elif t0 is not None and base is not None:
        out["ekspirasi"] = e.dated(
            "ekspirasi",
            p.ekspirasi,
            t0 + timedelta(days=base),
            f"tanggal mulai ditahan + (lama pidana - remisi) = {base} hari",
        )
    else:
        out["ekspirasi"] = e.unknown("ekspirasi", p.ekspirasi, missing)

    if t0 is None or base is None:
        for code in PROGRAMME_CODES:
            out[code] = e.unknown(code, getattr(p, code), missing)
        return out
    if base <= 0:
        reason = "remisi tidak lebih kecil dari lama pidana; data SDP perlu diperiksa"
        for code in PROGRAMME_CODES:
            out[code] = e.unknown(code, getattr(p, code), reason)
        return out
    assert inputs.sentence is not None
    special = _is_special(record, inputs.sentence, rules)
    out["asimilasi"] = _asimilasi(p.asimilasi, t0, base, special, e)
    out["pembebasan_bersyarat"] = _pembebasan_bersyarat(p.pembebasan_bersyarat, t0, base, e)
    out["cuti_menjelang_bebas"] = _cuti_menjelang_bebas(
        p.cuti_menjelang_bebas, t0, base, inputs.last_remission, out["ekspirasi"], e
    )
    out["cuti_bersyarat"] = _cuti_bersyarat(p.cuti_bersyarat, t0, base, inputs.sentence, e)
    return out


def _asimilasi(
    rule: ProgrammeRule, t0: date, base: int, special: bool, e: _Estimator
) -> ProgrammeEstimate:
    """1/2 (P - R); tindak pidana tertentu 2/3, and that at least the special minimum."""
    fraction = rule.fraction(special=special)
    days = _fraction_days(fraction, base)
    minimum = rule.minimum_hari_khusus
    if special and minimum and days < minimum:
        return e.not_applicable(
            "asimilasi",
            rule,
            f"untuk tindak pidana tertentu, {fraction} masa pidana harus paling sedikit "
            f"{e.words(minimum)}, sedangkan di sini {e.words(days)}",
        )
    label = "tindak pidana tertentu: " if special else ""
    return e.dated(
        "asimilasi",
        rule,
        t0 + timedelta(days=days),
        f"{label}tanggal mulai ditahan + {fraction} x (lama pidana - remisi) = {days} hari",
        note=f"untuk tindak pidana tertentu dihitung dari {fraction} masa pidana"
        if special
        else None,
    )


def _short(rule: ProgrammeRule, days: int, fraction: Fraction, e: _Estimator) -> str | None:
    """The reason a programme does not apply when `fraction` of the sentence is too short."""
    if rule.minimum_hari is None or days >= rule.minimum_hari:
        return None
    return (
        f"{fraction} masa pidana harus paling sedikit {e.words(rule.minimum_hari)}, "
        f"sedangkan di sini {e.words(days)}"
    )


def _pembebasan_bersyarat(
    rule: ProgrammeRule, t0: date, base: int, e: _Estimator
) -> ProgrammeEstimate:
    fraction = rule.fraction()
    days = _fraction_days(fraction, base)
    short = _short(rule, days, fraction, e)
    if short:
        return e.not_applicable("pembebasan_bersyarat", rule, short)
    return e.dated(
        "pembebasan_bersyarat",
        rule,
        t0 + timedelta(days=days),
        f"tanggal mulai ditahan + {fraction} x (lama pidana - remisi) = {days} hari",
    )


def _cuti_menjelang_bebas(
    rule: ProgrammeRule,
    t0: date,
    base: int,
    last_remission: int | None,
    expiry: ProgrammeEstimate,
    e: _Estimator,
) -> ProgrammeEstimate:
    """max(2/3 date, ekspirasi - min(last remission, the longest leave))."""
    fraction = rule.fraction()
    days = _fraction_days(fraction, base)
    short = _short(rule, days, fraction, e)
    if short:
        return e.not_applicable("cuti_menjelang_bebas", rule, short)
    if last_remission is None:
        return e.unknown("cuti_menjelang_bebas", rule, "remisi terakhir tidak tercatat di SDP")
    if expiry.estimated_date is None:
        return e.unknown("cuti_menjelang_bebas", rule, "tanggal ekspirasi tidak tercatat di SDP")
    leave = min(last_remission, rule.maksimum_cuti_hari or last_remission)
    when = max(t0 + timedelta(days=days), expiry.estimated_date - timedelta(days=leave))
    return e.dated(
        "cuti_menjelang_bebas",
        rule,
        when,
        f"paling awal {fraction} masa pidana, dan ekspirasi dikurangi remisi terakhir "
        f"({leave} hari)",
    )


def _cuti_bersyarat(
    rule: ProgrammeRule, t0: date, base: int, sentence: int, e: _Estimator
) -> ProgrammeEstimate:
    """2/3 (P - R), only for sentences up to the rule's maximum."""
    if rule.maksimum_pidana_hari is not None and sentence > rule.maksimum_pidana_hari:
        return e.not_applicable(
            "cuti_bersyarat",
            rule,
            f"hanya untuk pidana paling lama {e.words(rule.maksimum_pidana_hari)}, "
            f"sedangkan pidana ini {e.words(sentence)}",
        )
    fraction = rule.fraction()
    days = _fraction_days(fraction, base)
    return e.dated(
        "cuti_bersyarat",
        rule,
        t0 + timedelta(days=days),
        f"tanggal mulai ditahan + {fraction} x (lama pidana - remisi) = {days} hari",
    )
