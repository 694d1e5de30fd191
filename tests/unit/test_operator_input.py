"""The operator's form in the Prefect UI: explicit choices, roster NIPs, no personal data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from process_definitions import model as m
from process_definitions.loader import load_definition
from tasks.operator_input import NoChoicesError, build_operator_input, describe
from tasks.user_task_step import DecisionRejectedError, check_decision

SOP = load_definition(
    Path(__file__).resolve().parents[2]
    / "process_definitions"
    / "layanan_informasi_integrasi"
    / "process.yaml"
).definition


def _user_task(step_id: str) -> m.UserTaskStep:
    step = SOP.step(step_id)
    assert isinstance(step, m.UserTaskStep)
    return step


STEP = _user_task("verifikasi_sdp")
NIPS = ["199001012015031001", "199202022016032002"]
CANDIDATES = [
    {
        "key": "K1",
        "no_registrasi": "B.I 101/2023",
        "nama": "Muhammad Rizki",
        "score": 97.2,
        "upt": "Lapas Serang",
        "reasons": ["nama cocok"],
    },
    {
        "key": "K2",
        "no_registrasi": "B.I 102/2023",
        "nama": "Moch. Rizky",
        "score": 81.0,
        "upt": "Lapas Cilegon",
        "reasons": [],
    },
]


def test_schema_has_enums_and_no_default_for_the_decision() -> None:
    model = build_operator_input(STEP, variables={"candidates": CANDIDATES}, roster_nips=NIPS)
    schema = model.model_json_schema()
    assert set(schema["required"]) == {"keputusan", "nip_verifikator"}
    text = json.dumps(schema)
    assert '"K1"' in text and '"K2"' in text and '"tidak_ditemukan"' in text
    assert NIPS[0] in text
    assert "default" not in json.dumps(schema["properties"]["keputusan"])
    assert "Muhammad" not in text and "B.I 101" not in text and "Serang" not in text


@pytest.mark.parametrize(
    "answer",
    [
        {},
        {"keputusan": "K1"},
        {"keputusan": "K3", "nip_verifikator": NIPS[0]},
        {"keputusan": "K1", "nip_verifikator": "198803032014031003"},
        {"keputusan": "", "nip_verifikator": NIPS[0]},
    ],
)
def test_invalid_answers_are_refused_by_the_schema(answer: dict[str, str]) -> None:
    model = build_operator_input(STEP, variables={"candidates": CANDIDATES}, roster_nips=NIPS)
    with pytest.raises(ValidationError):
        model.model_validate(answer)


def test_a_valid_answer_passes_schema_and_check() -> None:
    model = build_operator_input(STEP, variables={"candidates": CANDIDATES}, roster_nips=NIPS)
    answer = model.model_validate({"keputusan": "K2", "nip_verifikator": NIPS[1]}).model_dump()
    check_decision(STEP, answer, variables={"candidates": CANDIDATES}, roster_nips=NIPS)
    assert answer["catatan_verifikasi"] == ""


def test_the_check_refuses_stale_keys_and_foreign_nips() -> None:
    with pytest.raises(DecisionRejectedError, match="keputusan"):
        check_decision(
            STEP,
            {"keputusan": "K2", "nip_verifikator": NIPS[0]},
            variables={"candidates": CANDIDATES[:1]},
            roster_nips=NIPS,
        )
    with pytest.raises(DecisionRejectedError, match="NIP"):
        check_decision(
            STEP,
            {"keputusan": "K1", "nip_verifikator": "1" * 18},
            variables={"candidates": CANDIDATES},
            roster_nips=NIPS,
        )


def test_an_empty_roster_is_an_error() -> None:
    with pytest.raises(NoChoicesError, match="roster"):
        build_operator_input(STEP, variables={"candidates": []}, roster_nips=[])


def test_description_shows_keys_scores_and_link_but_no_names() -> None:
    text = describe(
        STEP,
        reference="LII-2026-000007",
        case_file_url="http://x/berkas/tok",
        variables={"candidates": CANDIDATES},
        budget_text="2m30s",
    )
    assert "LII-2026-000007" in text and "http://x/berkas/tok" in text and "| K1 | 97 |" in text
    for personal in ("Muhammad", "Rizky", "B.I 101", "Serang", "Cilegon"):
        assert personal not in text
