"""What every step handler shares: the Prefect task options of a step, and its clean-up.

Each step runs as a task named after the step and tagged with its lane, so the run's timeline
in the Prefect UI reads as the SOP does. Results are not persisted and there is no cache key
to compute: a step's outcome lives in the case database.
"""

from __future__ import annotations

from typing import Any

from prefect.cache_policies import NO_CACHE

from adapters.db.case_tables import StepRecord
from adapters.prefect.events import emit_budget_exceeded
from process_definitions import model as m
from tasks.case_store import Advanced
from tasks.case_view import CaseView

STEP_TASK_OPTIONS: dict[str, Any] = {"persist_result": False, "cache_policy": NO_CACHE}


class StepCall:
    """A step's task argument: the case view and the step, opaque to Prefect (a plain object,
    so the engine neither walks nor hashes the case's data when it collects task inputs)."""

    __slots__ = ("step", "view")

    def __init__(self, view: CaseView, step: m.StepDefinition) -> None:
        self.view = view
        self.step = step


_TASKS: dict[tuple[int, str, str], Any] = {}


def as_step_task(task: Any, step: m.StepDefinition) -> Any:
    key = (id(task), step.id, step.lane)
    named = _TASKS.get(key)
    if named is None:  # with_options copies the task: once per step, not per call
        named = task.with_options(name=step.id, task_run_name=step.id, tags={f"lane:{step.lane}"})
        _TASKS[key] = named
    return named


def report_breaches(view: CaseView, records: list[StepRecord]) -> None:
    for record in records:
        if record.budget_exceeded:
            emit_budget_exceeded(
                case_id=view.case_id,
                reference=view.reference,
                definition_id=view.loaded.definition.id,
                definition_hash=view.loaded.content_hash,
                record=record,
            )


def after_advance(previous: CaseView, advanced: Advanced | None) -> CaseView | None:
    """The new view (None when another run had moved the case on); breaches reported."""
    if advanced is None:
        return None
    report_breaches(advanced.view, advanced.records)
    return advanced.view
