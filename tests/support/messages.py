"""A filled message context for template tests: the standard variables plus the integrasi
SOP's declared context (its `kirim_informasi` and `kabar_tidak_ditemukan` steps)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from process_definitions.message_variables import STANDARD_VARIABLES

INTEGRASI_TEMPLATES = (
    Path(__file__).resolve().parents[2]
    / "process_definitions"
    / "layanan_informasi_integrasi"
    / "templates"
)


def programme_line(name: str, text: str, conditions: str | None = None) -> dict[str, Any]:
    return {"name": name, "text": text, "conditions": conditions, "conditions_label": "Syarat lain"}


def message_context(**overrides: object) -> dict[str, Any]:
    values: dict[str, Any] = {
        "reference": "LII-2026-000123",
        "service_title": "Pelayanan Informasi Integrasi",
        "office_name": "Kantor Wilayah Banten",
        "sop_number": "W12.87.HH.05.04.2021",
        "guarantees": ["Pelayanan tidak dipungut biaya"],
        "information_date": date(2026, 3, 2),
        "complaint_contact": "pengaduan@kanwil.example.go.id",
        "office_contact": None,
        "ask_again_url": "https://layanan.example.go.id/integrasi",
        "survey_url": None,
        "applicant_name": "Siti Aminah",
        "prisoner_name": "Ahmad bin Yusuf",
        "upt_name": "Lapas Kelas IIA Serang",
        "as_of": "2026-03-02",
        "asked": "Asimilasi",
        "current_stage": "Asimilasi: Sidang Tim Pengamat Pemasyarakatan (TPP) di Lapas/Rutan",
        "programmes": [
            programme_line("Asimilasi", "perkiraan paling awal 1 Mei 2026", "Berkelakuan baik."),
            programme_line(
                "Pembebasan Bersyarat", "belum dapat diperkirakan: remisi tidak tercatat"
            ),
        ],
        "notes": [],
        "operator_note": None,
    }
    assert STANDARD_VARIABLES.keys() <= values.keys()
    values.update(overrides)
    return values
