"""Service actions of this SOP, registered by name: `integrasi.draft_answer`."""

from __future__ import annotations

from typing import Any

from adapters.sdp.directory import SdpDirectory, SdpRecord
from process_definitions.actions import ActionContext, ActionError, ActionRegistry, ActionResult

from .answer import integrasi_information
from .wording import answer_lines


def draft_for(record: SdpRecord, context: ActionContext, key: str) -> dict[str, Any]:
    """The draft an operator approves and the templates show (personal data stays in the case
    database: outputs are never Prefect results)."""
    question = context.params.get("question")
    information = integrasi_information(record, today=context.today)
    return {
        "key": key,
        "question": question,
        "prisoner_name": record.nama,
        "upt_name": record.upt,
        **answer_lines(information, str(question) if question else None),
        "information": information.model_dump(mode="json"),
    }


def register(registry: ActionRegistry) -> None:
    @registry.action(
        "integrasi.draft_answer",
        description="Draft the integrasi information answer from the SDP record an operator chose.",
        required=("match", "question"),
        produces=("draft",),
    )
    def draft_answer(context: ActionContext) -> ActionResult:
        directory: SdpDirectory = context.sdp
        key = str(context.params["match"])
        candidates = context.variables.get("candidates") or []
        chosen = next((c for c in candidates if c.get("key") == key), None)
        if chosen is None:
            raise ActionError(f"key {key} is not one of the case's candidates")
        record = directory.get(chosen["no_registrasi"])
        if record is None:
            raise ActionError(f"candidate {key} is no longer in the directory")
        return ActionResult({"draft": draft_for(record, context, key)}, f"draf dari {key}")

    # The name definitions pinned before this action moved into the SOP folder still use.
    registry.action(
        "sdp.draft_integrasi_answer",
        description="Former name of `integrasi.draft_answer` (definitions pinned before 2026-12).",
        required=("match", "question"),
        produces=("draft",),
    )(draft_answer)
