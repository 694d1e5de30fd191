"""Office contacts: one file per office; DEMO placeholders only while none is configured, and
`serve` is told (placeholder_warnings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.office import DEMO_OFFICE, OfficeFileError, load_office, placeholder_warnings
from adapters.roster import DEMO_ROSTER
from adapters.settings import Settings

OFFICE = """\
complaint_channel: loket pengaduan Kantor Wilayah Banten atau email pengaduan@banten.example.go.id
phone: (0254) 200000
email: humas@banten.example.go.id
"""


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(data_dir=tmp_path / "var", definitions_dir=tmp_path / "defs", **values)  # type: ignore[arg-type]


def test_without_an_office_file_the_demo_placeholders_are_used_and_named(tmp_path: Path) -> None:
    current = settings(tmp_path)
    office = load_office(current)
    assert "DEMO" in office.complaint_channel
    warnings = placeholder_warnings(current)
    assert any("office contacts are DEMO placeholders" in w for w in warnings)
    assert any("DEMO roster" in w for w in warnings)


def test_the_office_file_wins_and_silences_the_warning(tmp_path: Path) -> None:
    path = tmp_path / "office.yaml"
    path.write_text(OFFICE, encoding="utf-8")
    roster = tmp_path / "roster.yaml"
    roster.write_text(DEMO_ROSTER.read_text(encoding="utf-8"), encoding="utf-8")
    current = settings(tmp_path, office_file=path, roster_file=roster)
    office = load_office(current)
    assert office.complaint_channel.startswith("loket pengaduan Kantor Wilayah Banten")
    assert office.contact_line() == "Telepon (0254) 200000, email humas@banten.example.go.id"
    assert placeholder_warnings(current) == []


def test_an_office_file_in_the_definitions_folder_is_found(tmp_path: Path) -> None:
    (tmp_path / "defs").mkdir()
    (tmp_path / "defs" / "office.yaml").write_text(OFFICE, encoding="utf-8")
    current = settings(tmp_path)
    assert "DEMO" not in load_office(current).complaint_channel
    assert not any("office" in w for w in placeholder_warnings(current))


def test_a_bad_office_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "office.yaml"
    path.write_text("phone: 1\n", encoding="utf-8")
    with pytest.raises(OfficeFileError, match=r"office\.yaml"):
        load_office(settings(tmp_path, office_file=path))


def test_the_demo_file_is_marked_as_demo() -> None:
    assert "DEMO" in DEMO_OFFICE.read_text(encoding="utf-8")
