"""Integrasi programmes and proposal stages as SDP records them, parsed from the many ways
exports write them. How the public reads them is the SOP's business (its labels module)."""

from __future__ import annotations

import re
from enum import StrEnum


class IntegrasiProgramme(StrEnum):
    ASIMILASI = "ASIMILASI"
    PEMBEBASAN_BERSYARAT = "PEMBEBASAN_BERSYARAT"
    CUTI_MENJELANG_BEBAS = "CUTI_MENJELANG_BEBAS"
    CUTI_BERSYARAT = "CUTI_BERSYARAT"
    CUTI_MENGUNJUNGI_KELUARGA = "CUTI_MENGUNJUNGI_KELUARGA"


class IntegrasiStage(StrEnum):
    PENDATAAN = "PENDATAAN"
    LITMAS_BAPAS = "LITMAS_BAPAS"
    SIDANG_TPP_UPT = "SIDANG_TPP_UPT"
    USULAN_KALAPAS = "USULAN_KALAPAS"
    VERIFIKASI_KANWIL = "VERIFIKASI_KANWIL"
    VERIFIKASI_DITJENPAS = "VERIFIKASI_DITJENPAS"
    SK_TERBIT = "SK_TERBIT"
    SK_DILAKSANAKAN = "SK_DILAKSANAKAN"


_PROGRAMME_ALIASES = {
    "PB": IntegrasiProgramme.PEMBEBASAN_BERSYARAT,
    "CMB": IntegrasiProgramme.CUTI_MENJELANG_BEBAS,
    "CB": IntegrasiProgramme.CUTI_BERSYARAT,
    "CMK": IntegrasiProgramme.CUTI_MENGUNJUNGI_KELUARGA,
    "AS": IntegrasiProgramme.ASIMILASI,
}
_STAGE_ALIASES = {
    "LITMAS": IntegrasiStage.LITMAS_BAPAS,
    "SIDANG_TPP": IntegrasiStage.SIDANG_TPP_UPT,
    "TPP": IntegrasiStage.SIDANG_TPP_UPT,
    "USULAN_KALAPAS": IntegrasiStage.USULAN_KALAPAS,
    "USULAN_KARUTAN": IntegrasiStage.USULAN_KALAPAS,
    "USULAN_UPT": IntegrasiStage.USULAN_KALAPAS,
    "KANWIL": IntegrasiStage.VERIFIKASI_KANWIL,
    "DITJENPAS": IntegrasiStage.VERIFIKASI_DITJENPAS,
    "SK": IntegrasiStage.SK_TERBIT,
}


def _code(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


def parse_programme(text: str) -> IntegrasiProgramme:
    code = _code(text)
    if code in IntegrasiProgramme.__members__:
        return IntegrasiProgramme(code)
    if code in _PROGRAMME_ALIASES:
        return _PROGRAMME_ALIASES[code]
    raise ValueError("unknown integrasi programme")


def parse_stage(text: str) -> IntegrasiStage:
    code = _code(text)
    if code in IntegrasiStage.__members__:
        return IntegrasiStage(code)
    if code in _STAGE_ALIASES:
        return _STAGE_ALIASES[code]
    raise ValueError("unknown integrasi stage")
