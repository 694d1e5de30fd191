"""The reason a stalled case shows: short, in the operator's words, never personal data.

Only our own errors, whose messages name steps, fields and lanes (never values), keep their
message; anything else is named by its type alone (its message might quote a value).
"""

from __future__ import annotations

from flows.interpreter import InterpreterError
from tasks.actions import ActionError, UnknownActionError
from tasks.notify_step import MessageContextError
from tasks.operator_input import NoChoicesError
from tasks.user_task_step import DecisionRejectedError

OWN_ERRORS: tuple[type[BaseException], ...] = (
    InterpreterError,
    ActionError,
    UnknownActionError,
    MessageContextError,
    NoChoicesError,
    DecisionRejectedError,
)
MAX_REASON = 160


def stall_reason(error: BaseException) -> str:
    if isinstance(error, OWN_ERRORS):
        text = str(error.args[0]) if error.args else type(error).__name__
        return f"{type(error).__name__}: {text}"[:MAX_REASON]
    return f"{type(error).__name__} (lihat log runner)"
