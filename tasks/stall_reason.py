"""The reason a stalled case shows: short, in the operator's words, never personal data.

Only our own errors, whose messages name steps, fields and lanes (never values), keep their
message; anything else is named by its type alone (its message might quote a value).
"""

from __future__ import annotations

from adapters.notify.errors import TemplateError
from adapters.service_actions import ActionPluginError
from flows.interpreter import InterpreterError
from process_definitions.actions import ActionError, UnknownActionError
from tasks.operator_input import NoChoicesError
from tasks.user_task_step import DecisionRejectedError

OWN_ERRORS: tuple[type[BaseException], ...] = (
    InterpreterError,
    ActionError,
    UnknownActionError,
    TemplateError,
    ActionPluginError,
    NoChoicesError,
    DecisionRejectedError,
)
MAX_REASON = 160


def stall_reason(error: BaseException) -> str:
    if isinstance(error, OWN_ERRORS):
        text = str(error.args[0]) if error.args else type(error).__name__
        return f"{type(error).__name__}: {text}"[:MAX_REASON]
    return f"{type(error).__name__} (lihat log runner)"
