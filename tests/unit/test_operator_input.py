"""The operator's form in the Prefect UI: explicit choices, roster NIPs, no personal data."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from adapters.bahasa import lama
from adapters.roster import load_roster
from adapters.sdp.directory import SdpCandidate, SdpQuery, SdpRecord
from process_definitions import model as m
from process_definitions.loader import load_definition
from tasks.operator_input import (
    FormText,
    NoChoicesError,
    build_operator_input,
    describe,
    operator_choice,
    operator_nip,
    parse_nip,
)
from tasks.user_task_step import DecisionRejectedError, check_decision, manual_candidate

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
OPERATORS = load_roster().root["operator_divpas"]
NIPS = [operator.nip for operator in OPERATORS]
CHOICES = [operator_choice(operator) for operator in OPERATORS]  # "NIP - Nama"


class FakeSdp:
    """The SdpDirectory Protocol over a dict of records (by normalised registration number)."""

    def __init__(self, *records: SdpRecord) -> None:
        self.records = {r.no_registrasi: r for r in records}

    def search(self, query: SdpQuery) -> list[SdpCandidate]:
        return []

    def get(self, registration_no: str) -> SdpRecord | None:
        return self.records.get(registration_no)


RECORD = SdpRecord(no_registrasi="B.I 123/2021", nama="Andi bin Ali", upt="Lapas Serang")
SDP = FakeSdp(RECORD)


def check(
    answer: dict[str, str], candidates: list[dict[str, Any]] | None = None
) -> dict[str, SdpRecord]:
    candidates = CANDIDATES if candidates is None else candidates
    return check_decision(
        STEP, answer, variables={"candidates": candidates}, operators=OPERATORS, sdp=SDP
    )


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
    model = build_operator_input(STEP, variables={"candidates": CANDIDATES}, operators=OPERATORS)
    schema = model.model_json_schema()
    assert set(schema["required"]) == {"keputusan", "nip_verifikator"}
    text = json.dumps(schema)
    assert '"K1"' in text and '"K2"' in text and '"tidak_ditemukan"' in text
    assert f"{NIPS[0]} - Operator Divpas Demo 1" in text  # the operator's name beside the NIP
    assert "default" not in json.dumps(schema["properties"]["keputusan"])
    assert "Muhammad" not in text and "B.I 101" not in text and "Serang" not in text


@pytest.mark.parametrize(
    "answer",
    [
        {},
        {"keputusan": "K1"},
        {"keputusan": "K3", "nip_verifikator": CHOICES[0]},
        {"keputusan": "K1", "nip_verifikator": "198803032014031003 - Operator Integrasi Demo 1"},
        {"keputusan": "", "nip_verifikator": CHOICES[0]},
    ],
)
def test_invalid_answers_are_refused_by_the_schema(answer: dict[str, str]) -> None:
    model = build_operator_input(STEP, variables={"candidates": CANDIDATES}, operators=OPERATORS)
    with pytest.raises(ValidationError):
        model.model_validate(answer)


def test_a_valid_answer_passes_schema_and_check() -> None:
    model = build_operator_input(STEP, variables={"candidates": CANDIDATES}, operators=OPERATORS)
    answer = model.model_validate({"keputusan": "K2", "nip_verifikator": CHOICES[1]}).model_dump()
    assert check(answer) == {}  # no manual match
    assert answer["catatan_verifikasi"] == ""
    assert operator_nip(STEP, answer) == NIPS[1]  # the NIP is parsed back from "NIP - Nama"


@pytest.mark.parametrize(
    ("value", "nip"),
    [
        ("199001012015031001 - Operator Divpas Demo 1", "199001012015031001"),
        ("199001012015031001", "199001012015031001"),
        ("1990010120150310 - pendek", None),
        ("Operator - 199001012015031001", None),
        (None, None),
    ],
)
def test_parse_nip(value: object, nip: str | None) -> None:
    assert parse_nip(value) == nip


def test_the_check_refuses_stale_keys_and_foreign_nips() -> None:
    with pytest.raises(DecisionRejectedError, match="Hasil verifikasi SDP"):
        check({"keputusan": "K2", "nip_verifikator": CHOICES[0]}, CANDIDATES[:1])
    with pytest.raises(DecisionRejectedError, match="NIP tidak terdaftar"):
        check({"keputusan": "K1", "nip_verifikator": "1" * 18 + " - Operator Divpas Demo 1"})


def test_a_manual_match_is_checked_against_sdp_and_becomes_a_candidate() -> None:
    answer = {
        "keputusan": "manual",
        "no_registrasi_manual": "bi-123/21",  # any spelling: normalised before the lookup
        "nip_verifikator": CHOICES[0],
    }
    assert check(answer) == {"keputusan": RECORD}
    entry = manual_candidate("manual", RECORD)
    assert entry["key"] == "manual" and entry["manual"] and entry["no_registrasi"] == "B.I 123/2021"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("", "wajib diisi untuk cocok manual"),
        ("nomor 12", "bentuk nomor registrasi tidak dikenali"),
        ("B.I 999/2021", "tidak ada di direktori SDP"),
    ],
)
def test_a_manual_match_sdp_does_not_know_is_refused_in_bahasa(number: str, reason: str) -> None:
    answer = {"keputusan": "manual", "no_registrasi_manual": number, "nip_verifikator": CHOICES[0]}
    with pytest.raises(DecisionRejectedError, match=reason) as refused:
        check(answer)
    assert number not in str(refused.value) or not number  # the number is not echoed back


def test_a_recorded_manual_match_is_not_offered_twice() -> None:
    model = build_operator_input(
        STEP,
        variables={"candidates": [*CANDIDATES, manual_candidate("manual", RECORD)]},
        operators=OPERATORS,
    )
    enum = model.model_json_schema()["properties"]["keputusan"]["enum"]
    assert enum == ["K1", "K2", "manual", "tidak_ditemukan"]


def test_an_empty_roster_is_an_error() -> None:
    with pytest.raises(NoChoicesError, match="roster"):
        build_operator_input(STEP, variables={"candidates": []}, operators=[])


def _text(**changes: object) -> FormText:
    values: dict[str, object] = {
        "reference": "LII-2026-000007",
        "case_file_url": "http://x/berkas/tok",
        "link_ttl": timedelta(minutes=15),
        "lane_name": "Operator Divpas",
    }
    return FormText(**{**values, **changes})  # type: ignore[arg-type]


def test_description_shows_keys_scores_and_link_but_no_names() -> None:
    text = describe(STEP, _text(), variables={"candidates": CANDIDATES})
    assert "LII-2026-000007" in text and "http://x/berkas/tok" in text and "| K1 | 97 |" in text
    for personal in ("Muhammad", "Rizky", "B.I 101", "Serang", "Cilegon"):
        assert personal not in text


def test_description_reads_as_the_ui_in_bahasa() -> None:
    text = describe(STEP, _text(), variables={"candidates": CANDIDATES})
    assert "lalu tekan **Submit** (di UI V2: **Resume**)" in text  # V1 form, V2 dialog
    assert "2 menit 30 detik" in text and "15 menit" in text  # budget and link lifetime in words
    assert "Operator Divpas" in text and "operator_divpas" not in text
    assert "tab baru" in text  # the UI opens links in the same tab: say how to keep the form
    refused = describe(STEP, _text(rejected="nomor tidak ada"), variables={"candidates": []})
    assert "Jawaban sebelumnya ditolak:** nomor tidak ada" in refused


def test_human_durations() -> None:
    assert lama(timedelta(minutes=2, seconds=30)) == "2 menit 30 detik"
    assert lama(timedelta(hours=1, seconds=5)) == "1 jam 5 detik"
    assert lama(timedelta(0)) == "0 detik"
