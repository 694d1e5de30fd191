"""The generic `sdp.search` service action: ranked SDP candidates for a name."""

from __future__ import annotations

from datetime import date

from adapters.sdp.directory import SdpDirectory, SdpQuery
from process_definitions.actions import ActionContext, ActionRegistry, ActionResult

SEARCH_LIMIT = 5


def register(registry: ActionRegistry) -> None:
    @registry.action(
        "sdp.search",
        description="Search the prisoner directory (SDP) for the name a form field holds.",
        required=("name",),
        optional=("upt", "born"),
        produces=("candidates",),
    )
    def sdp_search(context: ActionContext) -> ActionResult:
        directory: SdpDirectory = context.sdp
        born = context.params.get("born")
        query = SdpQuery(
            name=str(context.params["name"]),
            upt=context.params.get("upt") or None,
            born=date.fromisoformat(born) if isinstance(born, str) and born else None,
            limit=SEARCH_LIMIT,
        )
        candidates = [
            {"key": f"K{rank}", **candidate.model_dump(mode="json")}
            for rank, candidate in enumerate(directory.search(query), start=1)
        ]
        return ActionResult({"candidates": candidates}, f"{len(candidates)} kandidat")
