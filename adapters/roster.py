"""The operator roster: which NIPs may decide in which lane."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError

DEMO_ROSTER = Path(__file__).resolve().parent / "roster_demo.yaml"


class RosterError(ValueError):
    pass


class Operator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    nip: str = Field(pattern=r"^\d{18}$")
    name: str = Field(min_length=1)


class Roster(RootModel[dict[str, list[Operator]]]):
    def nips(self, lane: str) -> list[str]:
        return [operator.nip for operator in self.root.get(lane, [])]


def load_roster(path: Path | None = None) -> Roster:
    source = path or DEMO_ROSTER
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        return Roster.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise RosterError(f"roster {source}: {error}") from None
