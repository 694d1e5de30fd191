"""The standard variables every message gets, and a step's declared context filled from a case."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from process_definitions.loader import load_definition
from process_definitions.message_variables import (
    STANDARD_VARIABLES,
    declared_values,
    lookup,
    standard_values,
)

SOP = load_definition(
    Path(__file__).resolve().parents[2]
    / "process_definitions"
    / "layanan_informasi_integrasi"
    / "process.yaml"
)


def test_standard_values_name_exactly_the_standard_variables() -> None:
    values = standard_values(
        SOP.definition,
        reference="LII-2026-000001",
        today=date(2026, 12, 3),
        complaint_contact="loket pengaduan",
        office_contact=None,
        ask_again_url=None,
    )
    assert values.keys() == STANDARD_VARIABLES.keys()
    assert values["office_name"] == SOP.definition.sop.office
    assert values["service_title"] == SOP.definition.title


def test_declared_context_reads_paths_and_leaves_missing_parts_none() -> None:
    values = {"nama_pemohon": "Siti", "draft": {"upt_name": "Lapas Serang"}}
    context = {"applicant_name": "nama_pemohon", "upt": "draft.upt_name", "x": "draft.nope.deep"}
    assert declared_values(context, values) == {
        "applicant_name": "Siti",
        "upt": "Lapas Serang",
        "x": None,
    }
    assert lookup(values, "nama_pemohon.more") is None
