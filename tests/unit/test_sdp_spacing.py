"""Spelling that differs by spacing, prefixes and abbreviations, and the promise that a query whose
tokens all occur in a record's names never returns nothing (in-memory directory; the integration
tests run the same tables on the SQL directory)."""

from __future__ import annotations

import pytest

from adapters.sdp.directory import SdpQuery, SdpRecord
from adapters.sdp.fake import FakeSdpDirectory

SERANG = "Lapas Kelas IIA Serang"
WANITA = "Lapas Perempuan Kelas IIA Tangerang"


def _r(number: int, nama: str, upt: str = SERANG, **fields: object) -> SdpRecord:
    return SdpRecord.model_validate(
        {"no_registrasi": f"B.IIa {number}/2025", "nama": nama, "upt": upt, **fields}
    )


def reg(number: int) -> str:
    return f"B.IIa {number}/2025"


SPACING_RECORDS = [
    _r(1, "NURHAYATI", WANITA),
    _r(2, "Nur Hayati Lubis", WANITA),
    _r(3, "Siti Nurhayati binti Hasan", WANITA),
    _r(4, "Abdul Rahman Hakim"),
    _r(5, "Mhd. Yusuf Lubis"),
    _r(6, "St. Khodijah Rangkuti", WANITA),
    _r(7, "Abd. Gani"),
    _r(8, "Siti Nur Aminah Lubis Harahap", WANITA, alias="Ucok Baba", nama_kecil="Minah Kecil"),
    _r(9, "Muhammad Ali Akbar"),
    _r(10, "Sri Wahyuningsih"),
    _r(11, "Budi Hartono"),
    _r(12, "Budi Harto"),
    _r(13, "Ahmad Syahrul bin Muhammad Nur"),
]

# (query, the record that must come first)
SPACING_MATCHES: list[tuple[str, int]] = [
    ("Nur Hayati", 1),  # joined in the record, split in the query
    ("Nurhayati Lubis", 2),  # split in the record, joined in the query
    ("Siti Nur Hayati", 3),
    ("St. Nurhayati", 3),
    ("Abdulrahman Hakim", 4),
    ("Abdurrahman Hakim", 4),
    ("Muhammad Yusuf Lubis", 5),
    ("M. Yusuf Lubis", 5),
    ("Moh. Yusuf Lubis", 5),
    ("Siti Khodijah Rangkuti", 6),
    ("St Khodijah", 6),
    ("Abdul Gani", 7),
    ("Abdulgani", 7),
    ("Mohammad Ali Akbar", 9),
    ("Muhamad Aliakbar", 9),
    ("Sri Wahyu Ningsih", 10),
]

# Every token of these queries occurs in the record's name, alias or nama kecil: some candidate
# (not necessarily first) must be this record.
CONTAINED: list[tuple[str, int]] = [
    ("Harahap", 8),
    ("Aminah Harahap", 8),
    ("Siti Harahap", 8),
    ("Nur Lubis", 8),
    ("Baba", 8),
    ("Kecil", 8),
    ("Syahrul", 13),
    ("Nur", 13),
    ("Harahap Harahap", 8),  # a token typed (or pasted) twice
    ("Syahrul Syahrul", 13),
]


@pytest.fixture(scope="module")
def directory() -> FakeSdpDirectory:
    return FakeSdpDirectory(SPACING_RECORDS)


@pytest.mark.parametrize(("name", "number"), SPACING_MATCHES)
def test_spacing_and_prefix_variants_come_first(
    directory: FakeSdpDirectory, name: str, number: int
) -> None:
    found = directory.search(SdpQuery(name=name))
    assert found and found[0].no_registrasi == reg(number), [(c.nama, c.score) for c in found]


@pytest.mark.parametrize(("name", "number"), CONTAINED)
def test_a_query_contained_in_a_name_is_never_empty(
    directory: FakeSdpDirectory, name: str, number: int
) -> None:
    found = directory.search(SdpQuery(name=name, limit=10))
    assert reg(number) in [c.no_registrasi for c in found], [(c.nama, c.score) for c in found]


def test_an_exact_spelling_ranks_above_a_spacing_variant(directory: FakeSdpDirectory) -> None:
    found = directory.search(SdpQuery(name="Budi Hartono"))
    assert found[0].no_registrasi == reg(11)
    found = directory.search(SdpQuery(name="Nurhayati"))
    assert [c.no_registrasi for c in found[:2]] == [reg(1), reg(3)]
    assert found[0].score > found[1].score


def test_a_joined_match_says_so(directory: FakeSdpDirectory) -> None:
    best = directory.search(SdpQuery(name="Nur Hayati"))[0]
    assert any("digabung atau dipisah" in r for r in best.reasons), best.reasons
