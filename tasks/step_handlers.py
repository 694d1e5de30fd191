"""One handler per step kind that a case run executes, keyed by the kind's name.

A handler takes the case view and its current step, does the step (as a Prefect task named
after it) and returns the new case view, or None when another run had moved the case on.
Gateways and end steps have no handler: the case store settles them in the transaction that
finishes the step before them. Public steps are done by the intake.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from process_definitions import model as m
from tasks.case_view import CaseView
from tasks.notify_step import handle_notify
from tasks.service_step import handle_service
from tasks.user_task_step import handle_user_task

StepHandler = Callable[[CaseView, m.StepDefinition], Awaitable[CaseView | None]]

STEP_HANDLERS: dict[str, StepHandler] = {
    "service": handle_service,
    "user_task": handle_user_task,
    "notify": handle_notify,
}
SETTLED_BY_STORE = frozenset({"gateway", "end"})
DONE_BY_PUBLIC = frozenset({"public_action", "form"})
