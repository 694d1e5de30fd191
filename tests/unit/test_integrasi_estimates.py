"""Integrasi estimates against hand-computed examples (one month = 30 days, one year = 365 days,
fractions of (sentence - remissions) counted from the start of detention, rounded up)."""

from __future__ import annotations

from datetime import date

from adapters.sdp.codes import IntegrasiProgramme, IntegrasiStage
from adapters.sdp.directory import SdpRecord
from process_definitions.layanan_informasi_integrasi.answer import integrasi_information
from process_definitions.layanan_informasi_integrasi.rules import load_rules


def record(**fields: object) -> SdpRecord:
    base: dict[str, object] = {"no_registrasi": "B.I 1/2023", "nama": "Contoh Fiktif"}
    return SdpRecord.model_validate(base | fields)


def test_three_year_sentence_by_hand() -> None:
    # T0 2023-02-01; P = 3 tahun = 1095 days; R = 2 bulan = 60 days; P - R = 1035 days.
    info = integrasi_information(
        record(
            tanggal_mulai_ditahan="2023-02-01",
            lama_pidana="3 tahun",
            remisi="2 bulan",
            remisi_terakhir="1 bulan",
            program_integrasi="PB",
            tahap_integrasi="Sidang TPP UPT",
        ),
        today=date(2025, 1, 1),
    )
    # 1/2 x 1035 = 517.5 -> 518 days: 2023-02-01 + 365 = 2024-02-01, + 153 = 2024-07-03.
    assert info.asimilasi.estimated_date == date(2024, 7, 3)
    # 2/3 x 1035 = 690 days: 2024-02-01 (+365) + 325 = 2025-02-01 (+366) - 41 = 2024-12-22.
    assert info.pembebasan_bersyarat.estimated_date == date(2024, 12, 22)
    # 1035 days: 2025-02-01 (+731) + 304 = 2025-12-02.
    assert info.ekspirasi.estimated_date == date(2025, 12, 2)
    # CMB: max(2/3 date, expiry - last remission 30 days) = max(2024-12-22, 2025-11-02).
    assert info.cuti_menjelang_bebas.estimated_date == date(2025, 11, 2)
    # CB only for sentences up to 1 year 6 months.
    assert info.cuti_bersyarat.estimated_date is None
    assert "1 tahun 6 bulan" in info.cuti_bersyarat.reason
    assert all(e.perkiraan for e in info.programmes())
    assert info.asimilasi.reached is True and info.ekspirasi.reached is False
    assert info.current_programme is IntegrasiProgramme.PEMBEBASAN_BERSYARAT
    assert info.current_stage is IntegrasiStage.SIDANG_TPP_UPT
    assert info.current_stage_label == "Sidang Tim Pengamat Pemasyarakatan (TPP) di Lapas/Rutan"
    assert info.cuti_bersyarat.status == "not_applicable"
    assert info.pembebasan_bersyarat.legal_basis


def test_short_sentence_gets_cuti_bersyarat_but_no_pb() -> None:
    # T0 2025-03-01; P = 10 bulan = 300 days; R = 0; P - R = 300 days.
    info = integrasi_information(
        record(tanggal_mulai_ditahan="2025-03-01", lama_pidana="10 bulan", remisi="0 hari"),
        today=date(2025, 6, 1),
    )
    # 150 days: Mar 1 + 31 + 30 + 31 + 30 = Jul 1 (122), + 28 = Jul 29.
    assert info.asimilasi.estimated_date == date(2025, 7, 29)
    # 2/3 x 300 = 200 days < 9 months (270): no PB, no CMB.
    assert info.pembebasan_bersyarat.estimated_date is None
    assert "9 bulan" in info.pembebasan_bersyarat.reason
    assert info.cuti_menjelang_bebas.estimated_date is None
    # CB at 200 days: Jul 1 (122) + 31 = Aug 1 (153), + 31 = Sep 1 (184), + 16 = Sep 17.
    assert info.cuti_bersyarat.estimated_date == date(2025, 9, 17)
    # 300 days: Sep 1 (184) + 30 + 31 + 30 = Dec 1 (275), + 25 = Dec 26.
    assert info.ekspirasi.estimated_date == date(2025, 12, 26)
    assert info.asimilasi.reached is False


def test_special_crime_uses_two_thirds_for_asimilasi_and_sdp_expiry() -> None:
    # Korupsi. T0 2020-10-10; P = 8 tahun = 2920; R = 1 tahun 2 bulan = 425; P - R = 2495.
    info = integrasi_information(
        record(
            tanggal_mulai_ditahan="2020-10-10",
            lama_pidana="8 tahun",
            remisi="1 tahun 2 bulan",
            tanggal_ekspirasi="2027-10-15",
            perkara="Korupsi (UU Tipikor)",
        ),
        today=date(2025, 1, 1),
    )
    # 2/3 x 2495 = 1663.3 -> 1664 days: 2024-10-10 is + 1461, + 203 = 2025-05-01.
    assert info.asimilasi.estimated_date == date(2025, 5, 1)
    assert "tindak pidana tertentu" in info.asimilasi.reason
    # SDP's own expiry date is data, not an estimate.
    assert info.ekspirasi.estimated_date == date(2027, 10, 15)
    assert info.ekspirasi.perkiraan is False


def test_narcotics_is_special_only_from_five_years() -> None:
    short = record(
        tanggal_mulai_ditahan="2024-01-01",
        lama_pidana="4 tahun",
        remisi="0",
        perkara="Narkotika (Pasal 127)",
    )
    long = short.model_copy(update={"lama_pidana": "5 tahun"})
    # 4 years: 1460 days, 1/2 = 730 -> 2024-01-01 + 730 = 2025-12-31 (2024 is a leap year).
    assert integrasi_information(short, date(2024, 6, 1)).asimilasi.estimated_date == date(
        2025, 12, 31
    )
    assert (
        "tindak pidana tertentu" in integrasi_information(long, date(2024, 6, 1)).asimilasi.reason
    )


def test_missing_inputs_never_produce_a_date() -> None:
    info = integrasi_information(
        record(tanggal_mulai_ditahan="2023-01-01", lama_pidana="2 tahun"), today=date(2024, 1, 1)
    )
    for estimate in info.programmes():
        assert estimate.estimated_date is None
        assert "remisi tidak tercatat" in estimate.reason
    info = integrasi_information(record(lama_pidana="2 tahun", remisi="1 bulan"), date(2024, 1, 1))
    assert all(e.estimated_date is None for e in info.programmes())
    assert "tanggal mulai ditahan tidak tercatat" in info.asimilasi.reason


def test_cmb_needs_the_last_remission() -> None:
    info = integrasi_information(
        record(tanggal_mulai_ditahan="2023-01-01", lama_pidana="3 tahun", remisi="1 bulan"),
        today=date(2024, 1, 1),
    )
    assert info.pembebasan_bersyarat.estimated_date is not None
    assert info.cuti_menjelang_bebas.estimated_date is None
    assert info.cuti_menjelang_bebas.reason == "remisi terakhir tidak tercatat di SDP"


def test_life_sentence_has_no_programme() -> None:
    info = integrasi_information(
        record(tanggal_mulai_ditahan="2019-02-02", lama_pidana="seumur hidup", remisi="0"),
        today=date(2024, 1, 1),
    )
    assert all(e.estimated_date is None for e in info.programmes())
    assert "seumur hidup" in info.pembebasan_bersyarat.reason


def test_rules_file_is_valid_and_cites_its_sources() -> None:
    rules = load_rules()
    assert rules.konversi.hari_per_bulan == 30
    assert any("22 Tahun 2022" in ref for ref in rules.dasar_hukum_umum)
    for code in ("asimilasi", "pembebasan_bersyarat", "cuti_menjelang_bebas", "cuti_bersyarat"):
        assert getattr(rules.program, code).dasar_hukum


def test_reasons_take_their_numbers_from_the_rules_file() -> None:
    rules = load_rules()
    programmes = rules.program.model_copy(
        update={
            "pembebasan_bersyarat": rules.program.pembebasan_bersyarat.model_copy(
                update={"minimum_hari": 300}
            ),
            "cuti_bersyarat": rules.program.cuti_bersyarat.model_copy(
                update={"maksimum_pidana_hari": 395}
            ),
        }
    )
    edited = rules.model_copy(update={"program": programmes})
    short = record(tanggal_mulai_ditahan="2025-03-01", lama_pidana="1 tahun 4 bulan", remisi="0")
    info = integrasi_information(short, date(2025, 6, 1), edited)
    # 1 tahun 4 bulan = 485 days; 2/3 = 324 days >= 300: PB applies with the edited minimum.
    assert info.pembebasan_bersyarat.status == "date"
    # 485 > 395 days (1 tahun 1 bulan): CB does not apply, and says the edited limit.
    assert info.cuti_bersyarat.status == "not_applicable"
    assert info.cuti_bersyarat.reason == (
        "hanya untuk pidana paling lama 1 tahun 1 bulan, sedangkan pidana ini 1 tahun 4 bulan"
    )
    default = integrasi_information(short, date(2025, 6, 1))
    assert default.cuti_bersyarat.status == "date"


def test_life_sentence_is_not_applicable_with_its_rule() -> None:
    info = integrasi_information(
        record(tanggal_mulai_ditahan="2019-02-02", lama_pidana="seumur hidup", remisi="0"),
        today=date(2024, 1, 1),
    )
    assert {e.status for e in info.programmes()} == {"not_applicable"}
    assert info.asimilasi.reason == (
        "tidak ada untuk pidana seumur hidup menurut UU No. 22 Tahun 2022, Pasal 10"
    )
