"""Registration numbers, sentence lengths, name normalisation and the spelling-variant tables."""

from __future__ import annotations

import pytest

from adapters.sdp.errors import RegistrationNumberError, TermError
from adapters.sdp.names import (
    canonical_token,
    parse_name,
    spelling_variants,
    token_keys,
)
from adapters.sdp.registration import normalise_registration_no
from adapters.sdp.terms import Term, TermKind, normalise_term, parse_term


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("B.I 123/2021", "B.I 123/2021"),
        ("BI-123/2021", "B.I 123/2021"),
        ("b.i. 0123 / 21", "B.I 123/2021"),
        ("B I 123 2021", "B.I 123/2021"),
        ("B.IIa 45/2020", "B.IIa 45/2020"),
        ("B.II A 45/2020", "B.IIa 45/2020"),
        ("BIIB-7/2019", "B.IIb 7/2019"),
        ("B.III 7-2020", "B.III 7/2020"),
        ("A.IV.12/2022", "A.IV 12/2022"),
        ("AV 3", "A.V 3"),
        ("B.I/55/98", "B.I 55/1998"),
    ],
)
def test_registration_numbers_are_parsed_tolerantly(raw: str, expected: str) -> None:
    assert normalise_registration_no(raw) == expected


@pytest.mark.parametrize("raw", ["", "Budi Santoso", "C.I 12/2020", "B.IV 1/2020", "B.Ia 3/2020"])
def test_unknown_registration_numbers_are_refused(raw: str) -> None:
    with pytest.raises(RegistrationNumberError):
        normalise_registration_no(raw)


@pytest.mark.parametrize(
    ("raw", "term"),
    [
        ("2 tahun 6 bulan", Term(years=2, months=6)),
        ("180 hari", Term(days=180)),
        ("180", Term(days=180)),
        ("3 bulan", Term(months=3)),
        ("1 th 3 bln 15 hr", Term(years=1, months=3, days=15)),
        ("2 Tahun, 4 Bulan", Term(years=2, months=4)),
        ("seumur hidup", Term(kind=TermKind.LIFE)),
        ("Pidana Mati", Term(kind=TermKind.DEATH)),
    ],
)
def test_terms_are_parsed(raw: str, term: Term) -> None:
    assert parse_term(raw) == term


@pytest.mark.parametrize(
    "raw", ["", "dua tahun", "2,5 tahun", "3 minggu", "2 tahun 3 tahun", "abc"]
)
def test_bad_terms_are_refused(raw: str) -> None:
    with pytest.raises(TermError):
        parse_term(raw)


def test_terms_are_stored_normalised_and_converted_by_the_caller() -> None:
    assert normalise_term("1 TH 6 BLN") == "1 tahun 6 bulan"
    assert parse_term("1 tahun 6 bulan").to_days(days_per_month=30, days_per_year=365) == 545


@pytest.mark.parametrize(
    ("written", "tokens", "father", "aliases"),
    [
        ("BUDI SANTOSO", ("budi", "santoso"), (), ()),
        ("Budi Santoso, S.H., M.H.", ("budi", "santoso"), (), ()),
        ("H. Muhammad Rizki", ("muhammad", "rizki"), (), ()),
        ("Hj. Ny. Fatimah", ("fatimah",), (), ()),
        ("Drs. Ir. Bambang", ("bambang",), (), ()),
        ("Ahmad bin Sulaiman", ("ahmad",), ("sulaiman",), ()),
        ("Siti Aisyah binti Abdul Rachman", ("siti", "aisyah"), ("abdul", "rachman"), ()),
        ("Budi als Kribo", ("budi",), (), (("kribo",),)),
        ("Budi alias Kribo als. Gondrong", ("budi",), (), (("kribo",), ("gondrong",))),
        ("Budi @ Kribo", ("budi",), (), (("kribo",),)),
        ("Budi (Kribo)", ("budi",), (), (("kribo",),)),
        ("Ahmad bin Hasan als Mamat", ("ahmad",), ("hasan",), (("mamat",),)),
        ("Ma'ruf Amin", ("maruf", "amin"), (), ()),
        ("Moch. Tjahjono", ("muhammad", "tjahjono"), (), ()),
        ("M. Yusuf", ("muhammad", "yusuf"), (), ()),
        ("I Md Sudarsana", ("i", "md", "sudarsana"), (), ()),
        ("Zoë Ñañez", ("zoe", "nanez"), (), ()),
    ],
)
def test_names_are_folded_split_and_cleaned(
    written: str,
    tokens: tuple[str, ...],
    father: tuple[str, ...],
    aliases: tuple[tuple[str, ...], ...],
) -> None:
    parsed = parse_name(written)
    assert parsed.tokens == tokens
    assert parsed.father == father
    assert tuple(a.tokens for a in parsed.aliases) == aliases


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("tjahjono", "cahyono"),  # tj/c, j/y
        ("djoko", "joko"),  # dj/j
        ("jusuf", "yusuf"),  # j/y
        ("njoman", "nyoman"),  # nj/ny
        ("sjamsul", "syamsul"),  # sj/sy
        ("chairul", "khairul"),  # ch/kh
        ("soekarno", "sukarno"),  # oe/u
        ("tjandra", "chandra"),  # the conflicting ch/c reading
        ("achmad", "ahmad"),
        ("rizky", "rizki"),
        ("zaenal", "zainal"),
        ("taufiq", "taufik"),
        ("ramadhan", "ramadan"),
        ("aisyah", "aisah"),
        ("syamsul", "samsul"),
    ],
)
def test_spelling_variants_share_a_key(old: str, new: str) -> None:
    assert set(token_keys(canonical_token(old))) & set(token_keys(canonical_token(new)))


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("muhamad", "muhammad"),
        ("mohammad", "muhammad"),
        ("mochammad", "muhammad"),
        ("moch", "muhammad"),
        ("m", "muhammad"),
        ("achmad", "ahmad"),
        ("aisha", "aisyah"),
        ("husein", "husain"),
        ("yusup", "yusuf"),
        ("budi", "budi"),
    ],
)
def test_arabic_origin_variants_have_one_spelling(variant: str, canonical: str) -> None:
    assert canonical_token(variant) == canonical


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("tjahjono", {"cahyono", "tjahyono", "cahjono"}),
        ("yusuf", {"jusuf", "joesoef", "yoesoef"}),
        ("nyoman", {"njoman"}),
        ("syamsul", {"sjamsul"}),
        ("khairul", {"chairul"}),
        ("sukarno", {"soekarno"}),
        ("joko", {"djoko", "yoko"}),
    ],
)
def test_old_spelling_variants_are_generated(token: str, expected: set[str]) -> None:
    assert expected <= spelling_variants(token)


@pytest.mark.parametrize(
    "token", ["tjahjono", "yusuf", "nyoman", "chandra", "djuanda", "soedjatmoko"]
)
def test_every_generated_variant_shares_a_key_with_its_source(token: str) -> None:
    source = set(token_keys(token))
    for variant in spelling_variants(token):
        assert source & set(token_keys(variant)), variant
