"""Running service actions. The registry (spec beside implementation) is built from the
generic actions and every SOP folder's `actions.py` (adapters/service_actions.py)."""

from __future__ import annotations

from adapters.service_actions import action_registry
from adapters.settings import get_settings
from process_definitions.actions import ActionContext, ActionError, ActionResult

__all__ = ["ActionContext", "ActionError", "ActionResult", "run_action"]


def run_action(name: str, context: ActionContext) -> ActionResult:
    """Run the registered action `name` (checked against the definition at load time)."""
    return action_registry(get_settings().definitions_dir).run(name, context)
