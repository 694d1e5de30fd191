"""Implementations of the service actions named in definitions (catalogue in
process_definitions/actions.py). Each takes the case's values and returns outputs to store."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from adapters.sdp.directory import SdpDirectory, SdpQuery

NOT_FOUND_KEY = "tidak_ditemukan"


@dataclass(frozen=True)
class ActionContext:
    params: Mapping[str, Any]  # action parameter -> the value of the variable it reads
    variables: Mapping[str, Any]  # step outputs and decisions so far
    sdp: SdpDirectory
    today: date


@dataclass(frozen=True)
class ActionResult:
    outputs: dict[str, Any]
    outcome: str  # short, no personal data: goes to step records and the audit log


class ActionError(ValueError):
    """The case's data cannot feed the action (e.g. a chosen key that is not a candidate)."""


def sdp_search(context: ActionContext) -> ActionResult:
    born = context.params.get("born")
    query = SdpQuery(
        name=str(context.params["name"]),
        upt=context.params.get("upt") or None,
        born=date.fromisoformat(born) if isinstance(born, str) and born else None,
        limit=5,
    )
    candidates = [
        {"key": f"K{rank}", **candidate.model_dump(mode="json")}
        for rank, candidate in enumerate(context.sdp.search(query), start=1)
    ]
    return ActionResult({"candidates": candidates}, f"{len(candidates)} kandidat")


def draft_integrasi_answer(context: ActionContext) -> ActionResult:
    from adapters.sdp.integrasi import integrasi_information

    key = str(context.params["match"])
    candidates = context.variables.get("candidates") or []
    chosen = next((c for c in candidates if c.get("key") == key), None)
    if chosen is None:
        raise ActionError(f"key {key} is not one of the case's candidates")
    record = context.sdp.get(chosen["no_registrasi"])
    if record is None:
        raise ActionError(f"candidate {key} is no longer in the directory")
    information = integrasi_information(record, today=context.today)
    draft = {
        "key": key,
        "question": context.params.get("question"),
        "prisoner_name": record.nama,
        "upt_name": record.upt,
        "current_stage": information.current_stage.value if information.current_stage else None,
        "programmes": [
            {
                "name": estimate.label,
                "estimated_date": estimate.estimated_date.isoformat()
                if estimate.estimated_date
                else None,
                "conditions": "; ".join(estimate.conditions) or None,
            }
            for estimate in information.programmes()
        ],
        "information": information.model_dump(mode="json"),
    }
    return ActionResult({"draft": draft}, f"draf dari {key}")


ACTIONS: dict[str, Callable[[ActionContext], ActionResult]] = {
    "sdp.search": sdp_search,
    "sdp.draft_integrasi_answer": draft_integrasi_answer,
}


class UnknownActionError(KeyError):
    """The definition names an action nobody registered (validate refuses such definitions)."""


def run_action(name: str, context: ActionContext) -> ActionResult:
    try:
        action = ACTIONS[name]
    except KeyError:
        raise UnknownActionError(f"no service action named {name}") from None
    return action(context)
