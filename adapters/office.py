"""The office's contacts (complaint channel, phone, email): office data, not process data.

One file per office: Settings.office_file, else `office.yaml` in the definitions folder, else
the DEMO placeholders (adapters/office_demo.yaml), which `serve` warns about.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from adapters.roster import DEMO_ROSTER
from adapters.settings import Settings

DEMO_OFFICE = Path(__file__).resolve().parent / "office_demo.yaml"
OFFICE_FILENAME = "office.yaml"


class OfficeFileError(ValueError):
    pass


class OfficeContacts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    complaint_channel: str = Field(
        min_length=1, description="Where the public complains, as a sentence part."
    )
    phone: str | None = None
    email: str | None = None

    def contact_line(self) -> str | None:
        """`Telepon (0254) 123456, email humas@...`, or None without either."""
        parts = []
        if self.phone:
            parts.append(f"Telepon {self.phone}")
        if self.email:
            parts.append(f"email {self.email}")
        return ", ".join(parts) or None


def office_file(settings: Settings) -> Path:
    """The office file in use (the DEMO one when the office has none)."""
    if settings.office_file is not None:
        return settings.office_file
    beside = settings.definitions_dir / OFFICE_FILENAME
    return beside if beside.is_file() else DEMO_OFFICE


def load_office(settings: Settings) -> OfficeContacts:
    path = office_file(settings)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return OfficeContacts.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise OfficeFileError(f"office file {path}: {error}") from None


def placeholder_warnings(settings: Settings) -> list[str]:
    """One line per DEMO placeholder still in use (serve prints them at start)."""
    warnings: list[str] = []
    if office_file(settings) == DEMO_OFFICE:
        warnings.append(
            "office contacts are DEMO placeholders: messages name no real complaint channel; "
            f"write the office file and set SOPFLOW_OFFICE_FILE (or put {OFFICE_FILENAME} in "
            f"{settings.definitions_dir})"
        )
    if settings.roster_file is None or settings.roster_file.resolve() == DEMO_ROSTER:
        warnings.append(
            "operator roster is the DEMO roster (fictional NIPs); set SOPFLOW_ROSTER_FILE"
        )
    return warnings
