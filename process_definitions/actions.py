"""Service actions: one registry where each action's spec sits with its implementation.

Generic actions (e.g. `sdp.search`, adapters/sdp/search_action.py) and the actions a SOP folder
registers in its `actions.py` (`def register(registry: ActionRegistry) -> None`) all go through
`ActionRegistry.action`. The loader checks a definition's service steps against
`ActionRegistry.specs()`; the runtime calls `ActionRegistry.run`. No I/O and no adapter here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class ActionSpec:
    description: str
    required_params: frozenset[str]
    optional_params: frozenset[str]
    produces: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "required_params": sorted(self.required_params),
            "optional_params": sorted(self.optional_params),
            "produces": list(self.produces),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ActionSpec:
        return cls(
            description=str(data["description"]),
            required_params=frozenset(data["required_params"]),
            optional_params=frozenset(data["optional_params"]),
            produces=tuple(data["produces"]),
        )


@dataclass(frozen=True)
class ActionContext:
    params: Mapping[str, Any]  # action parameter -> the value of the variable it reads
    variables: Mapping[str, Any]  # step outputs and decisions so far
    sdp: Any  # the prisoner directory (adapters.sdp.SdpDirectory); typed by the actions using it
    today: date


@dataclass(frozen=True)
class ActionResult:
    outputs: dict[str, Any]
    outcome: str  # short, no personal data: goes to step records and the audit log


class ActionError(ValueError):
    """The case's data cannot feed the action (e.g. a chosen key that is not a candidate)."""


ActionFunction = Callable[[ActionContext], ActionResult]


class UnknownActionError(KeyError):
    """No action of that name is registered (a definition checked against another registry)."""


class ActionRegistry:
    """Action name -> (spec, implementation)."""

    def __init__(self) -> None:
        self._specs: dict[str, ActionSpec] = {}
        self._functions: dict[str, ActionFunction] = {}

    def action(
        self,
        name: str,
        *,
        description: str,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
        produces: Iterable[str] = (),
    ) -> Callable[[ActionFunction], ActionFunction]:
        """Decorator: register the function under `name` with its spec."""
        spec = ActionSpec(description, frozenset(required), frozenset(optional), tuple(produces))

        def register(function: ActionFunction) -> ActionFunction:
            if name in self._specs:
                raise ValueError(f"service action `{name}` is registered twice")
            self._specs[name] = spec
            self._functions[name] = function
            return function

        return register

    def specs(self) -> dict[str, ActionSpec]:
        return dict(self._specs)

    def run(self, name: str, context: ActionContext) -> ActionResult:
        try:
            function = self._functions[name]
        except KeyError:
            raise UnknownActionError(name) from None
        return function(context)
