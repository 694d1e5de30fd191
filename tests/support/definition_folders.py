"""Definitions folders for tests: the SOPs in the one-folder-per-SOP layout, copied under tmp."""

from __future__ import annotations

import shutil
from pathlib import Path

from adapters.roster import DEMO_ROSTER
from process_definitions.discovery import DEFINITION_FILENAME, definition_files

REPO = Path(__file__).resolve().parents[2]
DEFINITIONS = REPO / "process_definitions"
PENGADUAN = REPO / "tests" / "fixtures" / "definitions" / "pengaduan_layanan" / DEFINITION_FILENAME
INTEGRASI_ID = "layanan-informasi-integrasi"


def integrasi_file() -> Path:
    """The integrasi SOP's YAML: `<folder>/process.yaml`, or the flat file of the old layout."""
    for path in definition_files(DEFINITIONS):
        if f"id: {INTEGRASI_ID}\n" in path.read_text(encoding="utf-8"):
            return path
    return DEFINITIONS / "layanan_informasi_integrasi.yaml"


def office_roster_file(path: Path) -> Path:
    """The demo roster with the pengaduan SOP's roster lines added, as the README tells an
    administrator to do."""
    lines = (PENGADUAN.parent / "roster.yaml").read_text(encoding="utf-8")
    path.write_text(DEMO_ROSTER.read_text(encoding="utf-8") + "\n" + lines, encoding="utf-8")
    return path


def definitions_folder(root: Path, *sources: Path) -> Path:
    """`root` holding each source SOP as `<name>/process.yaml` with its templates (and, in the
    folder layout, everything else of its folder)."""
    root.mkdir(parents=True, exist_ok=True)
    for source in sources:
        if source.name == DEFINITION_FILENAME:
            shutil.copytree(source.parent, root / source.parent.name)
            continue
        target = root / source.stem
        target.mkdir()
        shutil.copyfile(source, target / DEFINITION_FILENAME)
        shutil.copytree(source.parent / "templates", target / "templates")
    return root
