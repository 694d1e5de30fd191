"""The pure interpreter: from a definition and a case's state, what happens next.

No Prefect, no I/O. The flow asks it, runs what it says, stores the result, asks again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from process_definitions import model as m
from process_definitions.loader import LoadedDefinition

RUNNABLE_IN_FLOW = (m.ServiceStep, m.UserTaskStep, m.NotifyStep)


class InterpreterError(RuntimeError):
    """The case's state does not fit its definition (a bug or a hand-edited case)."""


@dataclass(frozen=True)
class RunStep:
    step: m.ServiceStep | m.UserTaskStep | m.NotifyStep
    next_step: str


@dataclass(frozen=True)
class Route:
    """An exclusive gateway decided: `branch` is the index taken, None for the default."""

    step: m.GatewayStep
    next_step: str
    branch: int | None


@dataclass(frozen=True)
class Finish:
    step: m.EndStep
    outcome: str


@dataclass(frozen=True)
class Done:
    """The case already finished; nothing to do (a re-run after completion)."""

    outcome: str | None


Action = RunStep | Route | Finish | Done


def next_action(
    loaded: LoadedDefinition,
    *,
    current_step: str | None,
    finished: bool,
    outcome: str | None,
    variables: Mapping[str, Any],
) -> Action:
    if finished:
        return Done(outcome)
    if current_step is None:
        raise InterpreterError("case has no current step and is not finished")
    try:
        step = loaded.definition.step(current_step)
    except KeyError:
        raise InterpreterError(f"current step `{current_step}` is not in the definition") from None
    if isinstance(step, m.EndStep):
        return Finish(step, step.outcome)
    if isinstance(step, m.GatewayStep):
        return route(loaded, step, variables)
    if isinstance(step, RUNNABLE_IN_FLOW):
        return RunStep(step, step.next)
    raise InterpreterError(f"step `{step.id}` ({step.kind}) is done by the public, not the flow")


def route(loaded: LoadedDefinition, step: m.GatewayStep, variables: Mapping[str, Any]) -> Route:
    for index, branch in enumerate(step.branches):
        if loaded.condition(step.id, index).evaluate(variables):
            return Route(step, branch.to, index)
    if step.default is None:
        raise InterpreterError(f"gateway `{step.id}` has no branch that holds and no default")
    return Route(step, step.default, None)


def condition_variables(
    form_data: Mapping[str, Any], variables: Mapping[str, Any]
) -> dict[str, Any]:
    """What gateway conditions see: form answers, then step outputs and decisions."""
    return {**form_data, **variables}
