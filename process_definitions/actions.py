"""The catalogue of service actions a definition may name (spec only, no implementation).

The tasks layer implements each action; the loader checks names, parameters and the variables
each action produces, so a gateway condition can be checked against what exists upstream.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActionSpec:
    description: str
    required_params: frozenset[str]
    optional_params: frozenset[str]
    produces: tuple[str, ...]


SERVICE_ACTIONS: dict[str, ActionSpec] = {
    "sdp.search": ActionSpec(
        description="Search the prisoner directory (SDP) for the name a form field holds.",
        required_params=frozenset({"name"}),
        optional_params=frozenset({"upt", "born"}),
        produces=("candidates",),
    ),
    "sdp.draft_integrasi_answer": ActionSpec(
        description="Draft the integrasi information answer from the SDP record an operator chose.",
        required_params=frozenset({"match", "question"}),
        optional_params=frozenset(),
        produces=("draft",),
    ),
}
