"""The SOP W12.87.HH.05.04.2021 as a definition: steps, budgets, form, branches."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from process_definitions import model as m
from process_definitions.graph import budget_per_sop_step, budget_to_ends, edges, reachable_from
from process_definitions.loader import LoadedDefinition, load_definition

SOP_PATH = (
    Path(__file__).resolve().parent.parent.parent
    / "process_definitions"
    / "layanan_informasi_integrasi"
    / "process.yaml"
)


@pytest.fixture(scope="module")
def loaded() -> LoadedDefinition:
    return load_definition(SOP_PATH)


def test_budgets_per_sop_step_are_the_sop_table(loaded: LoadedDefinition) -> None:
    minutes = {
        no: b / timedelta(minutes=1) for no, b in budget_per_sop_step(loaded.definition).items()
    }
    assert minutes == {1: 1, 2: 10, 3: 3, 4: 5, 5: 5}


def test_each_outcome_is_promised_within_19_minutes(loaded: LoadedDefinition) -> None:
    assert budget_to_ends(loaded.definition) == {
        "selesai_tidak_ditemukan": timedelta(minutes=19),
        "selesai_informasi_diberikan": timedelta(minutes=19),
    }


def test_lanes_are_the_four_actors(loaded: LoadedDefinition) -> None:
    names = [lane.name for lane in loaded.definition.lanes.values()]
    assert names == [
        "Publik",
        "Operator Divpas",
        "Operator Integrasi",
        "Sistem Database Pemasyarakatan",
    ]


def test_the_form_has_the_13_items_of_step_2(loaded: LoadedDefinition) -> None:
    form = loaded.definition.step("isi_biodata")
    assert isinstance(form, m.FormStep)
    types = [f.type for f in form.fields]
    # 13 SOP items (item 13 is a declaration plus an automatic timestamp), and two optional
    # second signals for the SDP search (issue 16.3).
    assert len(form.fields) == 16
    optional = [f.id for f in form.fields if not f.required]
    assert optional == ["upt_narapidana", "tanggal_lahir_narapidana"]
    assert types.count("declaration") == 1 and types[-1] == "timestamp"
    ktp = next(f for f in form.fields if isinstance(f, m.FileField))
    assert ktp.accept == ["jpg", "pdf"] and ktp.max_size == 2 * 1024 * 1024
    relation = next(f for f in form.fields if f.id == "hubungan_pemohon")
    assert isinstance(relation, m.ChoiceField)
    assert {o.value for o in relation.options} == {"keluarga", "pengacara"}
    assert sum(isinstance(f, m.PhoneField) for f in form.fields) == 2
    assert sum(isinstance(f, m.EmailField) for f in form.fields) == 1


def test_the_programmes_asked_about(loaded: LoadedDefinition) -> None:
    field = next(f for f in loaded.definition.form_fields() if f.id == "informasi_dibutuhkan")
    assert isinstance(field, m.ChoiceField)
    assert [o.label.split(" (")[0] for o in field.options] == [
        "Asimilasi",
        "Pembebasan Bersyarat",
        "Cuti Menjelang Bebas",
        "Cuti Bersyarat",
    ]


def test_step_3_is_a_search_then_an_operator_decision(loaded: LoadedDefinition) -> None:
    step3 = [s for s in loaded.definition.steps if s.sop_step == 3]
    assert [s.kind for s in step3] == ["service", "user_task", "gateway"]
    decision = step3[1]
    assert isinstance(decision, m.UserTaskStep)
    choice = decision.inputs[0]
    assert isinstance(choice, m.ChoiceInput) and choice.options_from == "candidates"
    assert any(isinstance(i, m.OperatorInput) for i in decision.inputs)


def test_both_branches_reach_their_end_by_email_and_whatsapp(loaded: LoadedDefinition) -> None:
    definition = loaded.definition
    graph = edges(definition.steps)
    gateway = definition.step("hasil_verifikasi")
    assert isinstance(gateway, m.GatewayStep)
    condition = loaded.condition("hasil_verifikasi", 0)
    assert condition.evaluate({"keputusan": "tidak_ditemukan"})
    assert not condition.evaluate({"keputusan": "K1"})
    assert gateway.branches[0].to == "kabar_tidak_ditemukan"
    assert gateway.default == "susun_jawaban"
    assert "selesai_tidak_ditemukan" in reachable_from("kabar_tidak_ditemukan", graph)
    assert "selesai_informasi_diberikan" in reachable_from("susun_jawaban", graph)
    for notify_id in ("kabar_tidak_ditemukan", "kirim_informasi"):
        notify = definition.step(notify_id)
        assert isinstance(notify, m.NotifyStep)
        assert notify.channels == ["email", "whatsapp"]
    approver = definition.step("setujui_jawaban")
    assert approver.lane == "operator_integrasi"


def test_metadata_is_carried(loaded: LoadedDefinition) -> None:
    sop = loaded.definition.sop
    assert sop.number == "W12.87.HH.05.04.2021"
    assert str(sop.effective) == "2021-01-04"
    assert len(sop.legal_basis) == 5 and len(sop.guarantees) == 4
    assert "tidak dipungut biaya" in sop.guarantees[0]


def test_content_hash_is_stable_and_sensitive(tmp_path: Path, loaded: LoadedDefinition) -> None:
    again = load_definition(SOP_PATH)
    assert again.content_hash == loaded.content_hash
    copy = tmp_path / "sop.yaml"
    copy.write_text(SOP_PATH.read_text().replace("budget: 1m\n", "budget: 2m\n", 1))
    changed = load_definition(copy, templates_dir=SOP_PATH.parent / "templates")
    assert changed.content_hash != loaded.content_hash
    # Comments and key order do not change the canonical form.
    reordered = tmp_path / "sop2.yaml"
    reordered.write_text("# comment\n" + SOP_PATH.read_text())
    same = load_definition(reordered, templates_dir=SOP_PATH.parent / "templates")
    assert same.content_hash == loaded.content_hash
