"""The satisfaction index (IKM) as PermenPAN-RB 14/2017 computes it. Pure arithmetic.

Per element the average score (NRR, nilai rata-rata) over the answers; each element weighs
1/9, which the regulation rounds to 0.111; IKM = sum(NRR x 0.111) x 25, then read off the
conversion table (mutu A-D, kinerja). Decimal arithmetic so the regulation's figures come out
exactly, not as binary fractions.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from adapters.survey.elements import KEYS

WEIGHT = Decimal("0.111")  # 1/9, as the regulation writes it
SCALE = Decimal(25)


@dataclass(frozen=True)
class Grade:
    mutu: str  # A..D
    kinerja: str  # the unit's performance label
    low: Decimal  # lowest converted IKM of the grade (inclusive)


# Conversion table (nilai interval konversi): lowest bound first met from the top.
GRADES: tuple[Grade, ...] = (
    Grade("A", "Sangat Baik", Decimal("88.31")),
    Grade("B", "Baik", Decimal("76.61")),
    Grade("C", "Kurang Baik", Decimal("65.00")),
    Grade("D", "Tidak Baik", Decimal("25.00")),
)


@dataclass(frozen=True)
class ElementScore:
    key: str
    answers: int
    nrr: Decimal  # average score, 1..4
    weighted: Decimal  # nrr x 0.111


@dataclass(frozen=True)
class IndexResult:
    elements: tuple[ElementScore, ...]
    index: Decimal  # sum of weighted NRR (1..4)
    ikm: Decimal  # index x 25 (25..100)
    grade: Grade


def rounded_to(value: Decimal, places: int) -> Decimal:
    """Rounded half up, as the regulation's tables print figures."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def grade_of(ikm: Decimal) -> Grade:
    """The conversion table's row for an IKM compared at two decimals, as the table is printed."""
    rounded = rounded_to(ikm, 2)
    for grade in GRADES:
        if rounded >= grade.low:
            return grade
    return GRADES[-1]


def index_from_nrr(
    nrr: Mapping[str, Decimal], answers: Mapping[str, int] | None = None
) -> IndexResult:
    """IKM from the nine average scores (the regulation's worked examples start here)."""
    missing = [key for key in KEYS if key not in nrr]
    if missing:
        raise ValueError(f"no average score for element(s) {', '.join(missing)}")
    scores = tuple(
        ElementScore(key, (answers or {}).get(key, 0), nrr[key], nrr[key] * WEIGHT) for key in KEYS
    )
    index = sum((s.weighted for s in scores), Decimal(0))
    ikm = index * SCALE
    return IndexResult(elements=scores, index=index, ikm=ikm, grade=grade_of(ikm))


def compute_index(responses: Sequence[Mapping[str, int]]) -> IndexResult | None:
    """IKM of a set of answers (each maps u1..u9 to 1..4); None without any answer."""
    if not responses:
        return None
    totals = dict.fromkeys(KEYS, 0)
    for response in responses:
        for key in KEYS:
            value = response[key]
            if value not in (1, 2, 3, 4):
                raise ValueError(f"element {key}: score {value!r} is not 1..4")
            totals[key] += value
    count = len(responses)
    nrr = {key: Decimal(totals[key]) / Decimal(count) for key in KEYS}
    return index_from_nrr(nrr, dict.fromkeys(KEYS, count))


# Krejcie & Morgan's table (population -> sample), which the regulation's annex prints.
_SAMPLE_TABLE: tuple[tuple[int, int], ...] = (
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40), (50, 44),
    (55, 48), (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70), (90, 73), (95, 76),
    (100, 80), (110, 86), (120, 92), (130, 97), (140, 103), (150, 108), (160, 113), (170, 118),
    (180, 123), (190, 127), (200, 132), (210, 136), (220, 140), (230, 144), (240, 148),
    (250, 152), (260, 155), (270, 159), (280, 162), (290, 165), (300, 169), (320, 175),
    (340, 181), (360, 186), (380, 191), (400, 196), (420, 201), (440, 205), (460, 210),
    (480, 214), (500, 217), (550, 226), (600, 234), (650, 242), (700, 248), (750, 254),
    (800, 260), (850, 265), (900, 269), (950, 274), (1000, 278), (1100, 285), (1200, 291),
    (1300, 297), (1400, 302), (1500, 306), (1600, 310), (1700, 313), (1800, 317), (1900, 320),
    (2000, 322), (2200, 327), (2400, 331), (2600, 335), (2800, 338), (3000, 341), (3500, 346),
    (4000, 351), (4500, 354), (5000, 357), (6000, 361), (7000, 364), (8000, 367), (9000, 368),
    (10000, 370), (15000, 375), (20000, 377), (30000, 379), (40000, 380), (50000, 381),
    (75000, 382), (1000000, 384),
)  # fmt: skip
_POPULATIONS = [population for population, _ in _SAMPLE_TABLE]


def required_sample(population: int) -> int:
    """Respondents the table requires for `population` service users: the row for the next
    population at or above it (everyone below 10; 384 from a million up)."""
    if population <= 0:
        return 0
    if population < _SAMPLE_TABLE[0][0]:
        return population
    row = bisect_left(_POPULATIONS, population)
    return _SAMPLE_TABLE[min(row, len(_SAMPLE_TABLE) - 1)][1]
