"""The integrasi answer as the applicant reads it, for a table of SDP situations, against
reviewed golden texts (tests/fixtures/golden/integrasi/<situation>.txt: the email subject and
text, then the WhatsApp text). The whole path runs: the SOP's registered action drafts from an
SDP record, the step's declared context and the standard variables fill the real templates.

After a deliberate change of wording: `SOPFLOW_UPDATE_GOLDEN=1 pytest this file`, then read every
changed text as the applicant would before committing it.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from adapters.notify.templates import render_message
from adapters.sdp.directory import SdpRecord
from adapters.sdp.fake import FakeSdpDirectory
from adapters.service_actions import build_registry
from process_definitions import model as m
from process_definitions.actions import ActionContext
from process_definitions.loader import load_definition
from process_definitions.message_variables import declared_values, standard_values

REPO = Path(__file__).resolve().parents[2]
FOLDER = REPO / "process_definitions" / "layanan_informasi_integrasi"
GOLDEN = REPO / "tests" / "fixtures" / "golden" / "integrasi"
SOP = load_definition(FOLDER / "process.yaml")
REGISTRY = build_registry(REPO / "process_definitions")
AS_OF = date(2026, 12, 2)
UPDATE = os.environ.get("SOPFLOW_UPDATE_GOLDEN") == "1"
COMPLAINTS = "loket pengaduan Kantor Wilayah Banten atau email pengaduan@kanwil.example.go.id"

# situation -> (the question asked on the form, the SDP record's fields)
SITUATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    # Asimilasi being registered; every date still ahead.
    "asimilasi_pendataan_future": (
        "asimilasi",
        {
            "tanggal_mulai_ditahan": "2026-03-01",
            "lama_pidana": "2 tahun",
            "remisi": "0 hari",
            "remisi_terakhir": "1 bulan",
            "program_integrasi": "ASIMILASI",
            "tahap_integrasi": "PENDATAAN",
        },
    ),
    # The case of issue 16: Asimilasi carried out, its date long past, expiry SDP-recorded.
    "asimilasi_sk_dilaksanakan_past": (
        "asimilasi",
        {
            "tanggal_mulai_ditahan": "2022-11-01",
            "lama_pidana": "4 tahun 6 bulan",
            "remisi": "3 bulan",
            "remisi_terakhir": "1 bulan",
            "tanggal_ekspirasi": "2027-02-01",
            "program_integrasi": "ASIMILASI",
            "tahap_integrasi": "SK_DILAKSANAKAN",
        },
    ),
    "pb_litmas_bapas": (
        "pembebasan_bersyarat",
        {
            "tanggal_mulai_ditahan": "2024-05-10",
            "lama_pidana": "3 tahun",
            "remisi": "2 bulan",
            "remisi_terakhir": "1 bulan",
            "program_integrasi": "PB",
            "tahap_integrasi": "LITMAS_BAPAS",
        },
    ),
    "pb_sidang_tpp": (
        "pembebasan_bersyarat",
        {
            "tanggal_mulai_ditahan": "2024-09-15",
            "lama_pidana": "3 tahun 6 bulan",
            "remisi": "1 bulan 15 hari",
            "remisi_terakhir": "1 bulan 15 hari",
            "program_integrasi": "PEMBEBASAN_BERSYARAT",
            "tahap_integrasi": "SIDANG_TPP_UPT",
        },
    ),
    "pb_usulan_kalapas": (
        "pembebasan_bersyarat",
        {
            "tanggal_mulai_ditahan": "2023-08-01",
            "lama_pidana": "5 tahun",
            "remisi": "4 bulan",
            "remisi_terakhir": "2 bulan",
            "program_integrasi": "PB",
            "tahap_integrasi": "USULAN_KALAPAS",
        },
    ),
    "cmb_verifikasi_kanwil": (
        "cuti_menjelang_bebas",
        {
            "tanggal_mulai_ditahan": "2024-06-01",
            "lama_pidana": "4 tahun",
            "remisi": "3 bulan",
            "remisi_terakhir": "3 bulan",
            "program_integrasi": "CMB",
            "tahap_integrasi": "VERIFIKASI_KANWIL",
        },
    ),
    "cmb_verifikasi_ditjenpas": (
        "cuti_menjelang_bebas",
        {
            "tanggal_mulai_ditahan": "2024-03-01",
            "lama_pidana": "3 tahun 2 bulan",
            "remisi": "4 bulan",
            "remisi_terakhir": "8 bulan",
            "program_integrasi": "CMB",
            "tahap_integrasi": "VERIFIKASI_DITJENPAS",
        },
    ),
    # Short sentence: Cuti Bersyarat applies; PB and CMB do not (2/3 under 9 months).
    "cb_sk_terbit_short_sentence": (
        "cuti_bersyarat",
        {
            "tanggal_mulai_ditahan": "2026-04-01",
            "lama_pidana": "1 tahun",
            "remisi": "0 hari",
            "program_integrasi": "CB",
            "tahap_integrasi": "SK_TERBIT",
        },
    ),
    # Long sentence, no proposal yet: Cuti Bersyarat does not apply (the wrong wording).
    "long_sentence_no_proposal": (
        "cuti_bersyarat",
        {
            "tanggal_mulai_ditahan": "2025-07-01",
            "lama_pidana": "6 tahun",
            "remisi": "1 bulan",
            "remisi_terakhir": "1 bulan",
        },
    ),
    "remisi_not_recorded": (
        "pembebasan_bersyarat",
        {"tanggal_mulai_ditahan": "2025-02-01", "lama_pidana": "2 tahun 6 bulan"},
    ),
    "life_sentence": (
        "pembebasan_bersyarat",
        {"tanggal_mulai_ditahan": "2019-02-02", "lama_pidana": "seumur hidup", "remisi": "0"},
    ),
    "anak_lpka": (
        "asimilasi",
        {
            "upt": "LPKA Kelas I Tangerang",
            "tanggal_mulai_ditahan": "2026-01-15",
            "lama_pidana": "2 tahun",
            "remisi": "0 hari",
            "remisi_terakhir": "1 bulan",
            "program_integrasi": "PB",
            "tahap_integrasi": "PENDATAAN",
        },
    ),
    "sentence_expired": (
        "pembebasan_bersyarat",
        {
            "tanggal_mulai_ditahan": "2023-03-01",
            "lama_pidana": "3 tahun",
            "remisi": "2 bulan",
            "remisi_terakhir": "1 bulan",
            "tanggal_ekspirasi": "2025-12-20",
        },
    ),
    "special_crime_korupsi": (
        "asimilasi",
        {
            "tanggal_mulai_ditahan": "2024-02-01",
            "lama_pidana": "6 tahun",
            "remisi": "2 bulan",
            "remisi_terakhir": "1 bulan",
            "perkara": "Korupsi (UU Tipikor)",
        },
    ),
}


def record(fields: dict[str, Any]) -> SdpRecord:
    base = {"no_registrasi": "B.I 123/2024", "nama": "Ahmad Fiktif bin Contoh"}
    return SdpRecord.model_validate({"upt": "Lapas Kelas IIA Serang", **base, **fields})


def answer(question: str, fields: dict[str, Any]) -> str:
    directory = FakeSdpDirectory([record(fields)])
    candidates = [{"key": "K1", "no_registrasi": "B.I 123/2024"}]
    step = SOP.definition.step("susun_jawaban")
    assert isinstance(step, m.ServiceStep)
    result = REGISTRY.run(
        step.action,
        ActionContext(
            params={"match": "K1", "question": question},
            variables={"candidates": candidates},
            sdp=directory,
            today=AS_OF,
        ),
    )
    notify = SOP.definition.step("kirim_informasi")
    assert isinstance(notify, m.NotifyStep)
    values = {"nama_pemohon": "Siti Aminah", "catatan_jawaban": None, **result.outputs}
    context = {
        **standard_values(
            SOP.definition,
            reference="LII-2026-000123",
            today=AS_OF,
            complaint_contact=COMPLAINTS,
            office_contact="Telepon (0254) 000000, email pengaduan@kanwil.example.go.id",
            ask_again_url="https://layanan.example.go.id/integrasi",
        ),
        **declared_values(notify.context, values),
    }
    templates = FOLDER / "templates"
    email = render_message(templates, notify.template, "email", context)
    whatsapp = render_message(templates, notify.template, "whatsapp", context, max_length=4096)
    return (
        f"=== email: subject\n{email.subject}\n=== email: text\n{email.text}"
        f"=== whatsapp\n{whatsapp.text}"
    )


@pytest.mark.parametrize("situation", sorted(SITUATIONS))
def test_answer_matches_its_reviewed_golden_text(situation: str) -> None:
    question, fields = SITUATIONS[situation]
    text = answer(question, fields)
    golden = GOLDEN / f"{situation}.txt"
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden text {golden.name}: run with SOPFLOW_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("situation", sorted(SITUATIONS))
def test_answer_has_clean_wording(situation: str) -> None:
    text = answer(*SITUATIONS[situation])
    assert ".;" not in text and ";." not in text and ".." not in text
    assert "perkiraan perkiraan" not in text
    assert "belum dapat diperkirakan" not in text or "remisi" in text
    for line in text.splitlines():
        # a past date is never announced as an estimate still to come
        if "telah" in line and "sejak" in line:
            assert "paling awal" not in line, line


def test_the_situations_cover_every_programme_and_stage() -> None:
    from adapters.sdp.codes import IntegrasiProgramme, IntegrasiStage

    rows = [record(fields) for _, fields in SITUATIONS.values()]
    assert {r.tahap_integrasi for r in rows} >= set(IntegrasiStage)
    assert {r.program_integrasi for r in rows} >= set(IntegrasiProgramme) - {
        IntegrasiProgramme.CUTI_MENGUNJUNGI_KELUARGA
    }
