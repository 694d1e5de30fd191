"""Where the definitions live: one folder per SOP, each holding a `process.yaml`.

Layout: `<definitions_dir>/<folder>/process.yaml`, beside it `templates/<template>/...`,
`rules/*.yaml` and an optional `actions.py`.
"""

from __future__ import annotations

from pathlib import Path

DEFINITION_FILENAME = "process.yaml"


def definition_files(folder: Path) -> list[Path]:
    """Every `*/process.yaml` directly below `folder`, sorted by path (none if it is missing)."""
    return sorted(Path(folder).glob(f"*/{DEFINITION_FILENAME}"))
