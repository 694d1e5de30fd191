"""Labelled query/record pairs for Indonesian name matching (run on the in-memory directory; the
integration tests run the same table on the SQL directory).

`MATCHES`: the record that must come first. `NOT_FIRST`: homonyms and near-names that must not
come first (without, or against, a second signal)."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.sdp.directory import SdpCandidate, SdpQuery, SdpRecord
from adapters.sdp.fake import FakeSdpDirectory
from adapters.sdp.matching import PreparedQuery, entry_of, rank_scored, score_person

SERANG = "Lapas Kelas IIA Serang"
CILEGON = "Lapas Kelas IIB Cilegon"
PANDEGLANG = "Rutan Kelas IIB Pandeglang"
TANGERANG = "Lapas Kelas I Tangerang"
WANITA = "Lapas Perempuan Kelas IIA Tangerang"
RANGKAS = "Lapas Kelas III Rangkasbitung"
CIPINANG = "Lapas Kelas IIA Cipinang"


def _r(number: int, nama: str, upt: str, **fields: object) -> SdpRecord:
    return SdpRecord.model_validate(
        {"no_registrasi": f"B.I {number}/2024", "nama": nama, "upt": upt, **fields}
    )


DIRECTORY_RECORDS = [
    _r(1, "Budi Santoso", SERANG, tanggal_lahir="1985-03-04", alias="Kribo"),
    _r(2, "Budi Susanto", CILEGON, tanggal_lahir="1984-02-02"),
    _r(3, "Muhammad Rizki bin Sulaiman", SERANG, alias="Kiki"),
    _r(4, "Muhammad Rizky Pratama", TANGERANG),
    _r(5, "Ahmad Fauzi", TANGERANG),
    _r(6, "Ahmad Fauzi bin Hasan", PANDEGLANG, alias="Mamat"),
    _r(7, "Tjahjono Soedirman", PANDEGLANG, alias="Tjahjo", nama_kecil="Joni"),
    _r(8, "Cahyadi Sudirja", SERANG),
    _r(9, "Siti Aisyah binti Abdul Rachman", WANITA, alias="Ica"),
    _r(10, "Siti Aminah", WANITA),
    _r(11, "Suparman", RANGKAS, tanggal_lahir="1970-08-17"),
    _r(12, "Suparman", SERANG, tanggal_lahir="1982-02-02", alias="Parman"),
    _r(13, "Suparmin", CILEGON),
    _r(14, "Djoko Susilo", TANGERANG),
    _r(15, "Joko Susilo Nugroho", "Lapas Kelas I Cirebon"),
    _r(16, "Yusuf Chandra", CILEGON, alias="Jusuf"),
    _r(17, "Nyoman Sukarta als Komang", SERANG, nama_kecil="Njoman"),
    _r(18, "Khairul Anwar bin Oemar", RANGKAS, alias="Irul"),
    _r(19, "Hairul Anwar", "Lapas Kelas I Jakarta"),
    _r(20, "Nurhayati", WANITA, alias="Yati", nama_kecil="Nunung"),
    _r(21, "H. Syamsul Bachri, S.H.", TANGERANG, alias="Sjamsul"),
    _r(22, "Samsul Bahri", CIPINANG),
    _r(23, "Mohammad Taufiq Hidayat", SERANG, alias="Opik"),
    _r(24, "Rahmat Hidayat", SERANG),
    _r(25, "Dewi Lestari binti Karta", WANITA, nama_kecil="Uwi"),
    _r(26, "Dewi Lestari binti Sukarna", CILEGON),
    _r(27, "I Made Sudarsana", TANGERANG, alias="Dek Made"),
    _r(28, "Zainal Abidin", SERANG),
    _r(29, "Zaenal Arifin", CILEGON),
    _r(30, "Fatimah Zahra", WANITA),
    _r(31, "Ujang", PANDEGLANG),
    _r(32, "Ujang Sopandi", SERANG),
    _r(33, "Eko Prasetyo", SERANG, tanggal_lahir="1980-01-01"),
    _r(34, "Eko Prasetyo", CILEGON, tanggal_lahir="1990-06-15"),
    _r(35, "Sri Wahyuni", SERANG),
    _r(36, "Sri Wahyudi", CILEGON),
    _r(37, "Abdul Rahman", SERANG),
    _r(38, "Abdurrahman Wahid", "Rutan Kelas I Cipinang"),
]


def q(name: str, upt: str | None = None, born: str | None = None) -> SdpQuery:
    return SdpQuery(name=name, upt=upt, born=date.fromisoformat(born) if born else None)


def reg(number: int) -> str:
    return f"B.I {number}/2024"


# (query, the record that must come first)
MATCHES: list[tuple[SdpQuery, int]] = [
    (q("Budi Santoso"), 1),
    (q("BUDI SANTOSO"), 1),
    (q("budi santoso, S.H."), 1),
    (q("Santoso Budi"), 1),
    (q("Budi Santso"), 1),
    (q("Budi Snatoso"), 1),
    (q("Boedi Santoso"), 1),
    (q("Kribo", upt="Serang"), 1),
    (q("Budi als Kribo"), 1),
    (q("Moch. Rizki"), 3),
    (q("Muhamad Rizky"), 3),
    (q("M. Rizki bin Sulaiman"), 3),
    (q("Mochammad Rizki Pratama"), 4),
    (q("Kiki", upt="Serang"), 3),
    (q("Achmad Fauzy", upt="Pandeglang"), 6),
    (q("Ahmad Fauzi", upt="Tangerang"), 5),
    (q("Ahmad Fauzi bin Hasan"), 6),
    (q("Mamat"), 6),
    (q("Cahyono Sudirman"), 7),
    (q("Tjahjono Soedirman"), 7),
    (q("Tjahjono Sudirman"), 7),
    (q("Joni", upt="Pandeglang"), 7),
    (q("Siti Aisyah"), 9),
    (q("Siti Aisah binti Abdul Rahman"), 9),
    (q("Ica", upt="Tangerang"), 9),
    (q("Hj. Siti Aisyah"), 9),
    (q("Suparman", upt="Serang"), 12),
    (q("Suparman", born="1970-08-17"), 11),
    (q("Suparman", upt="Rangkasbitung"), 11),
    (q("Parman"), 12),
    (q("Suparmin"), 13),
    (q("Djoko Susilo"), 14),
    (q("Joko Susilo"), 14),
    (q("Joko Susilo Nugroho"), 15),
    (q("Yusuf Chandra"), 16),
    (q("Jusuf Tjandra"), 16),
    (q("Yusuf Candra"), 16),
    (q("Jusuf", upt="Cilegon"), 16),
    (q("Njoman Soekarta"), 17),
    (q("Komang", upt="Serang"), 17),
    (q("Nyoman Sukarta"), 17),
    (q("Chairul Anwar", upt="Rangkasbitung"), 18),
    (q("Khairul Anwar bin Umar"), 18),
    (q("Irul"), 18),
    (q("Sjamsul Bachri", upt="Tangerang"), 21),
    (q("Samsul Bahri", upt="Cipinang"), 22),
    (q("Moh. Taufik Hidayat"), 23),
    (q("Opik"), 23),
    (q("Rahmat Hidayat"), 24),
    (q("Rachmat Hidajat"), 24),
    (q("Dewi Lestari binti Karta"), 25),
    (q("Dewi Lestari binti Sukarna"), 26),
    (q("Uwi"), 25),
    (q("I Made Sudarsana"), 27),
    (q("Made Sudarsana"), 27),
    (q("Zainal Abidin"), 28),
    (q("Zaenal Abidin"), 28),
    (q("Zainal Arifin"), 29),
    (q("Fatima Zahra"), 30),
    (q("Ujang", upt="Pandeglang"), 31),
    (q("Ujang Sopandi"), 32),
    (q("Eko Prasetyo", born="1990-06-15"), 34),
    (q("Eko Prasetyo", upt="Serang"), 33),
    (q("Eko Prasetyo", born="1990-06-15", upt="Cilegon"), 34),
    (q("Sri Wahyuni"), 35),
    (q("Sri Wahyudi"), 36),
    (q("Abdul Rahman"), 37),
    (q("Abdurrahman Wahid"), 38),
    (q("Drs. H. Abdul Rachman"), 37),
    (q("Nurhayati"), 20),
    (q("Nunung", upt="Tangerang"), 20),
]

# (query, a record that must NOT come first)
NOT_FIRST: list[tuple[SdpQuery, int]] = [
    (q("Budi Santoso"), 2),
    (q("Budi Susanto"), 1),
    (q("Suparman"), 13),
    (q("Suparmin"), 11),
    (q("Suparmin"), 12),
    (q("Ahmad Fauzi", upt="Tangerang"), 6),
    (q("Eko Prasetyo", born="1980-01-01"), 34),
    (q("Sri Wahyuni"), 36),
    (q("Zainal Abidin"), 29),
    (q("Siti Aisyah"), 10),
    (q("Dewi Lestari binti Karta"), 26),
    (q("Samsul Bahri", upt="Cipinang"), 21),
    (q("Joko Susilo Nugroho"), 14),
    (q("Muhammad Rizky Pratama"), 3),
    (q("Abdul Rahman"), 38),
    (q("Ujang Sopandi"), 31),
    (q("Khairul Anwar", upt="Jakarta"), 18),
    (q("Cahyono Sudirman"), 8),
]


@pytest.fixture(scope="module")
def directory() -> FakeSdpDirectory:
    return FakeSdpDirectory(DIRECTORY_RECORDS)


def _label(case: tuple[SdpQuery, int]) -> str:
    query, number = case
    return f"{query.name}|{query.upt}|{query.born}->{number}"


def test_there_are_at_least_sixty_labelled_pairs() -> None:
    assert len(MATCHES) + len(NOT_FIRST) >= 60


@pytest.mark.parametrize("case", MATCHES, ids=_label)
def test_variants_match_first(directory: FakeSdpDirectory, case: tuple[SdpQuery, int]) -> None:
    query, number = case
    found = directory.search(query)
    assert found, "no candidates"
    assert found[0].no_registrasi == reg(number), [(c.no_registrasi, c.score) for c in found]


@pytest.mark.parametrize("case", NOT_FIRST, ids=_label)
def test_homonyms_and_near_names_do_not_come_first(
    directory: FakeSdpDirectory, case: tuple[SdpQuery, int]
) -> None:
    query, number = case
    found = directory.search(query)
    assert found and found[0].no_registrasi != reg(number)


def test_without_a_second_signal_no_candidate_passes_85(directory: FakeSdpDirectory) -> None:
    for query, _ in MATCHES + NOT_FIRST:
        if query.upt is None and query.born is None and " bin" not in query.name:
            for candidate in directory.search(query):
                assert candidate.score <= 85.0
                assert any("perlu konfirmasi" in r for r in candidate.reasons)


def test_a_second_signal_raises_or_lowers_the_score(directory: FakeSdpDirectory) -> None:
    plain = {c.no_registrasi: c.score for c in directory.search(q("Eko Prasetyo"))}
    signalled = {c.no_registrasi: c for c in directory.search(q("Eko Prasetyo", upt=SERANG))}
    assert plain[reg(33)] == plain[reg(34)]
    assert signalled[reg(33)].score > plain[reg(33)]
    assert signalled[reg(34)].score < plain[reg(34)]
    assert "UPT cocok" in signalled[reg(33)].reasons
    assert "UPT berbeda" in signalled[reg(34)].reasons


def test_reasons_name_what_matched(directory: FakeSdpDirectory) -> None:
    best = directory.search(q("Joni", upt="Pandeglang"))[0]
    assert any("nama kecil 'Joni'" in r for r in best.reasons)
    best = directory.search(q("Khairul Anwar bin Umar"))[0]
    assert "nama ayah (bin/binti) cocok" in best.reasons
    best = directory.search(q("Santoso Budi"))[0]
    assert "urutan nama berbeda" in best.reasons


def test_reasons_never_carry_another_persons_names(directory: FakeSdpDirectory) -> None:
    names = {r.no_registrasi: r for r in DIRECTORY_RECORDS}
    for query, _ in MATCHES:
        for candidate in directory.search(query):
            record = names[candidate.no_registrasi]
            own = [record.nama, *record.alias, *record.nama_kecil]
            for reason in candidate.reasons:
                quoted = reason.split("'")[1::2]
                assert all(text in own for text in quoted), (reason, own)


def test_scores_are_between_0_and_100_and_sorted(directory: FakeSdpDirectory) -> None:
    for query, _ in MATCHES:
        scores = [c.score for c in directory.search(query)]
        assert scores == sorted(scores, reverse=True)
        assert all(0 <= s <= 100 for s in scores)


def test_limit_and_registration_number_queries(directory: FakeSdpDirectory) -> None:
    assert len(directory.search(SdpQuery(name="Suparman", limit=2))) == 2
    found: list[SdpCandidate] = directory.search(SdpQuery(name="bi-7/24"))
    assert [c.no_registrasi for c in found] == [reg(7)]
    assert found[0].score == 100.0
    assert directory.get("B.I 0007/2024") == DIRECTORY_RECORDS[6]
    assert directory.get("nothing") is None


def test_unrelated_names_find_nothing(directory: FakeSdpDirectory) -> None:
    assert directory.search(q("Xaverius Quintero")) == []


def test_a_partial_upt_agrees_less_than_the_full_name(directory: FakeSdpDirectory) -> None:
    full = directory.search(q("Eko Prasetyo", upt="LAPAS KLAS IIA SERANG"))[0]
    partial = directory.search(q("Eko Prasetyo", upt="Serang"))[0]
    assert full.no_registrasi == partial.no_registrasi == reg(33)
    assert full.score > partial.score
    assert "UPT cocok sebagian" in partial.reasons


def test_namesakes_share_one_name_match_without_changing_any_score() -> None:
    """`rank_scored` keeps name matches across one search's persons (namesakes share keys):
    every score and reason is what scoring each person alone gives."""
    namesakes = [
        SdpRecord(no_registrasi=f"B.I {n}/2025", nama=f"Budi Santoso{father}", upt=upt)
        for n, (father, upt) in enumerate(
            [("", SERANG), (" bin Ahmad", None), (" bin Karta", SERANG), ("", None)], start=900
        )
    ]
    entries = [entry_of(r) for r in [*DIRECTORY_RECORDS, *namesakes]]
    queries = [query for query, _ in MATCHES] + [
        SdpQuery(name="Budi Santoso bin Ahmad"),
        SdpQuery(name="Budi Ahmad"),
    ]
    for query in queries:
        prepared = PreparedQuery.of(query)
        alone = []
        for entry in entries:
            result = score_person(prepared, entry.names, upt=entry.upt, born=entry.born)
            if result is not None:
                alone.append((entry.no_registrasi, result.score, result.reasons))
        ranked = rank_scored(prepared, entries, limit=len(entries))
        together = [(c.no_registrasi, c.score, c.reasons) for c, _ in ranked]
        assert sorted(together) == sorted(alone), query.name
