"""The pure interpreter over YAML definitions: both branches, re-entry, a second SOP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flows.interpreter import (
    Done,
    Finish,
    InterpreterError,
    Route,
    RunStep,
    condition_variables,
    next_action,
)
from process_definitions import model as m
from process_definitions.loader import LoadedDefinition, load_definition

REPO = Path(__file__).resolve().parents[2]
SOP = load_definition(REPO / "process_definitions" / "layanan_informasi_integrasi" / "process.yaml")
VISIT = load_definition(REPO / "tests" / "fixtures" / "definitions" / "izin_kunjungan.yaml")


def first_flow_step(loaded: LoadedDefinition) -> str:
    step: m.StepDefinition = loaded.definition.start
    while isinstance(step, m.PublicActionStep | m.FormStep):
        step = loaded.definition.step(step.next)
    return step.id


def play(
    loaded: LoadedDefinition,
    answers: dict[str, dict[str, Any]],
    *,
    start: str | None = None,
    variables: dict[str, Any] | None = None,
) -> tuple[list[str], str]:
    """Drive a case as the flow does; `answers` are each step's outputs. Returns the path."""
    current: str | None = start or first_flow_step(loaded)
    state = dict(variables or {})
    path: list[str] = []
    finished, outcome = False, None
    for _ in range(50):
        action = next_action(
            loaded,
            current_step=current,
            finished=finished,
            outcome=outcome,
            variables=condition_variables({}, state),
        )
        if isinstance(action, Done):
            return path, str(action.outcome)
        if isinstance(action, Finish):
            path.append(action.step.id)
            finished, outcome, current = True, action.outcome, None
            continue
        path.append(action.step.id)
        if isinstance(action, RunStep):
            state.update(answers.get(action.step.id, {}))
        current = action.next_step
    raise AssertionError("no end")


Answers = dict[str, dict[str, Any]]
FOUND: Answers = {
    "cari_sdp": {"candidates": [{"key": "K1"}]},
    "verifikasi_sdp": {"keputusan": "K1"},
    "susun_jawaban": {"draft": {}},
    "setujui_jawaban": {"persetujuan": "kirim"},
}
NOT_FOUND: Answers = {
    "cari_sdp": {"candidates": []},
    "verifikasi_sdp": {"keputusan": "tidak_ditemukan"},
}
RETURNED: Answers = {**FOUND, "setujui_jawaban": {"persetujuan": "tidak_sesuai"}}


def test_found_branch() -> None:
    path, outcome = play(SOP, FOUND)
    assert outcome == "informasi_diberikan"
    assert path == [
        "cari_sdp",
        "verifikasi_sdp",
        "hasil_verifikasi",
        "susun_jawaban",
        "setujui_jawaban",
        "cek_persetujuan",
        "kirim_informasi",
        "selesai_informasi_diberikan",
    ]


def test_not_found_branch() -> None:
    path, outcome = play(SOP, NOT_FOUND)
    assert outcome == "tidak_ditemukan"
    assert path == [
        "cari_sdp",
        "verifikasi_sdp",
        "hasil_verifikasi",
        "kabar_tidak_ditemukan",
        "selesai_tidak_ditemukan",
    ]


def test_a_returned_draft_ends_as_not_found() -> None:
    path, outcome = play(SOP, RETURNED)
    assert outcome == "tidak_ditemukan" and "kirim_informasi" not in path


@pytest.mark.parametrize("answers", [FOUND, NOT_FOUND, RETURNED], ids=["found", "not", "returned"])
def test_re_entry_from_every_intermediate_state(answers: dict[str, dict[str, Any]]) -> None:
    """A flow re-run from the top at any step continues where the case stands."""
    full_path, outcome = play(SOP, answers)
    for index, step_id in enumerate(full_path):
        done_before = full_path[:index]
        state: dict[str, Any] = {}
        for earlier in done_before:
            state.update(answers.get(earlier, {}))
        rest, again = play(SOP, answers, start=step_id, variables=state)
        assert again == outcome
        assert done_before + rest == full_path, f"re-entry at {step_id} repeated or skipped"


def test_a_finished_case_does_nothing() -> None:
    action = next_action(SOP, current_step=None, finished=True, outcome="x", variables={})
    assert action == Done("x")


def test_the_gateway_reads_decisions_and_form_answers() -> None:
    gateway = SOP.definition.step("hasil_verifikasi")
    assert isinstance(gateway, m.GatewayStep)
    action = next_action(
        SOP,
        current_step="hasil_verifikasi",
        finished=False,
        outcome=None,
        variables=condition_variables({"keputusan": "K2"}, {}),
    )
    assert action == Route(gateway, "susun_jawaban", None)
    # step outputs win over form answers of the same name
    action = next_action(
        SOP,
        current_step="hasil_verifikasi",
        finished=False,
        outcome=None,
        variables=condition_variables({"keputusan": "K2"}, {"keputusan": "tidak_ditemukan"}),
    )
    assert isinstance(action, Route) and action.branch == 0


def test_a_second_definition_runs_without_code_changes() -> None:
    path, outcome = play(VISIT, {"periksa": {"hasil": "setuju"}})
    assert (path, outcome) == (["periksa", "cabang", "kabari", "selesai_disetujui"], "disetujui")
    path, outcome = play(VISIT, {"periksa": {"hasil": "tolak"}})
    assert (path, outcome) == (["periksa", "cabang", "selesai_ditolak"], "ditolak")


def test_public_steps_and_unknown_steps_are_errors() -> None:
    with pytest.raises(InterpreterError, match="done by the public"):
        next_action(SOP, current_step="isi_biodata", finished=False, outcome=None, variables={})
    with pytest.raises(InterpreterError, match="not in the definition"):
        next_action(SOP, current_step="hilang", finished=False, outcome=None, variables={})
    with pytest.raises(InterpreterError, match="no current step"):
        next_action(SOP, current_step=None, finished=False, outcome=None, variables={})
