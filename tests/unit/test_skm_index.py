"""The SKM index (PermenPAN-RB 14/2017): NRR, weight 0.111, IKM x 25, grade, sample table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.reports.skm_render import safe_cell
from adapters.survey.answers import clean_suggestion, parse_scores
from adapters.survey.elements import ELEMENTS, KEYS, worded
from adapters.survey.errors import SurveyAnswerError
from adapters.survey.index import compute_index, grade_of, index_from_nrr, required_sample
from process_definitions.model import SurveyDefinition

# A worked example done by hand with the regulation's method: 10 respondents; per element the
# total of their scores, so NRR = total / 10.
TOTALS = {"u1": 32, "u2": 31, "u3": 29, "u4": 40, "u5": 30, "u6": 33, "u7": 35, "u8": 28, "u9": 26}


def responses_with_totals(totals: dict[str, int], count: int) -> list[dict[str, int]]:
    rows: list[dict[str, int]] = [{} for _ in range(count)]
    for key, total in totals.items():
        base, extra = divmod(total, count)
        for i, row in enumerate(rows):
            row[key] = base + (1 if i < extra else 0)
    return rows


def test_worked_example_computes_exactly() -> None:
    result = compute_index(responses_with_totals(TOTALS, 10))
    assert result is not None
    assert [s.nrr for s in result.elements] == [Decimal(t) / 10 for t in TOTALS.values()]
    # sum of NRR 28.4; x 0.111 = 3.1524; x 25 = 78.81 -> B, Baik
    assert result.elements[0].weighted == Decimal("0.3552")
    assert result.index == Decimal("3.1524")
    assert result.ikm == Decimal("78.8100")
    assert (result.grade.mutu, result.grade.kinerja) == ("B", "Baik")


def test_index_from_average_scores_matches_the_formula() -> None:
    nrr = {key: Decimal("3.5") for key in KEYS}
    result = index_from_nrr(nrr)
    assert result.ikm == Decimal("3.5") * Decimal("0.111") * 9 * 25  # 87.4125
    assert result.grade.mutu == "B"


@pytest.mark.parametrize(
    ("ikm", "mutu", "kinerja"),
    [
        ("100.00", "A", "Sangat Baik"),
        ("88.31", "A", "Sangat Baik"),
        ("88.30", "B", "Baik"),
        ("76.61", "B", "Baik"),
        ("76.60", "C", "Kurang Baik"),
        ("65.00", "C", "Kurang Baik"),
        ("64.99", "D", "Tidak Baik"),
        ("25.00", "D", "Tidak Baik"),
    ],
)
def test_conversion_table_bounds(ikm: str, mutu: str, kinerja: str) -> None:
    grade = grade_of(Decimal(ikm))
    assert (grade.mutu, grade.kinerja) == (mutu, kinerja)


def test_all_best_answers_give_the_regulations_top_figure() -> None:
    result = compute_index([dict.fromkeys(KEYS, 4)])
    assert result is not None
    assert result.ikm == Decimal("99.900")  # 4 x 0.111 x 9 x 25: the weight is rounded
    assert result.grade.mutu == "A"


def test_no_answers_no_index_and_bad_scores_refused() -> None:
    assert compute_index([]) is None
    with pytest.raises(ValueError, match="u3"):
        compute_index([{**dict.fromkeys(KEYS, 3), "u3": 5}])


@pytest.mark.parametrize(
    ("population", "sample"),
    [(0, 0), (7, 7), (10, 10), (100, 80), (101, 86), (1000, 278), (3500, 346), (10**7, 384)],
)
def test_required_sample_follows_the_krejcie_morgan_table(population: int, sample: int) -> None:
    assert required_sample(population) == sample


def test_nine_elements_with_four_answers_and_overrides() -> None:
    assert [e.key for e in ELEMENTS] == [f"u{i}" for i in range(1, 10)]
    assert all(len(e.options) == 4 for e in ELEMENTS)
    survey = SurveyDefinition.model_validate(
        {"wording": {"u4": {"question": "Apakah layanan ini gratis?"}}}
    )
    elements = worded(survey)
    assert elements[3].question == "Apakah layanan ini gratis?"
    assert elements[3].options == ELEMENTS[3].options
    with pytest.raises(ValueError):
        SurveyDefinition.model_validate({"wording": {"u10": {"question": "x"}}})
    with pytest.raises(ValueError):
        SurveyDefinition.model_validate({"wording": {"u1": {"options": ["a", "b", "c"]}}})


def test_offered_only_at_the_declared_ends() -> None:
    survey = SurveyDefinition(offer_at=["selesai"])
    assert survey.offered_at("selesai") and not survey.offered_at("batal")
    assert SurveyDefinition().offered_at("anything")
    assert not SurveyDefinition(enabled=False).offered_at("selesai")


def test_scores_parsed_strictly() -> None:
    assert parse_scores({k: "2" for k in KEYS}) == dict.fromkeys(KEYS, 2)
    with pytest.raises(SurveyAnswerError) as caught:
        parse_scores({**{k: "2" for k in KEYS}, "u2": "9", "u5": ""})
    assert set(caught.value.errors) == {"u2", "u5"}


def test_suggestion_cleaned_and_bounded() -> None:
    assert clean_suggestion("  ") is None
    assert clean_suggestion("a\u202eb\x00c \t d\r\n\r\ne") == "abc d\ne"
    assert len(clean_suggestion("x" * 5000) or "") == 1000


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)", "\tx"])
def test_csv_cells_never_start_a_formula(text: str) -> None:
    assert safe_cell(text).startswith("'")
    assert safe_cell("Pelayanan cepat") == "Pelayanan cepat"


def test_survey_offer_at_names_end_steps() -> None:
    from process_definitions.survey_checks import survey_problems
    from tests.support.case_day import sop

    definition = sop().definition
    assert survey_problems(definition) == []
    assert definition.survey is not None
    wrong = definition.model_copy(
        update={"survey": SurveyDefinition(offer_at=["selesai_informasi_diberika", "cari_sdp"])}
    )
    problems = survey_problems(wrong)
    assert "did you mean `selesai_informasi_diberikan`?" in problems[0]
    assert "cari_sdp" in problems[1] and "end steps:" in problems[1]


def test_pdf_and_html_keep_hostile_suggestions_as_text() -> None:
    from datetime import UTC, date, datetime

    from adapters.reports.period import Period
    from adapters.reports.skm import build_skm_report
    from adapters.reports.skm_render import render_skm
    from adapters.survey.tables import SurveyAnswer

    hostile = "<b>x</b> **bold** \u202e\U0001f600 \u0645\u0631\u062d\u0628\u0627 =1+1"
    answers = [
        SurveyAnswer(definition_id="d", answered_on=date(2026, 1, 5), suggestion=hostile,
                     **dict.fromkeys(KEYS, 3))
    ]  # fmt: skip
    report = build_skm_report(
        Period(date(2026, 1, 1), date(2026, 1, 31), "Asia/Jakarta"),
        answers=answers,
        cases=3,
        generated_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    assert report.ikm == 74.93  # 74.925 rounded half up
    assert report.mutu == "C" and report.required_sample == 3
    assert render_skm(report, "pdf").startswith(b"%PDF")
    html = render_skm(report, "html").decode()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_the_last_message_is_the_notify_step_before_an_end() -> None:
    from adapters.survey.links import end_reached_after
    from tests.support.case_day import sop

    definition = sop().definition
    assert end_reached_after(definition, "kirim_informasi") == "selesai_informasi_diberikan"
    assert end_reached_after(definition, "kabar_tidak_ditemukan") == "selesai_tidak_ditemukan"
    assert end_reached_after(definition, "verifikasi_sdp") is None
    assert end_reached_after(definition, "selesai_tidak_ditemukan") is None
