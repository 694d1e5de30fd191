"""Where definitions live: one folder per SOP, each with a `process.yaml`."""

from __future__ import annotations

from pathlib import Path

DEFINITION_FILENAME = "process.yaml"


def definition_files(folder: Path) -> list[Path]:
    """Every `<sop>/process.yaml` directly below `folder`, sorted by path."""
    return sorted(folder.glob(f"*/{DEFINITION_FILENAME}"))
