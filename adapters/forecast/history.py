"""What the case database says about how a process runs: per step, the empirical distribution
of its work time; how cases move from step to step; when they arrive; how many operators worked.

A user task's recorded duration includes the time the case waited for an operator. The record
names the operator (NIP), so the work time is recovered per operator: a visit's work starts when
the case reached the step or when that operator finished their previous case, whichever is later,
and only open office time counts. Other steps keep their recorded (wall-clock) duration.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine

from adapters.db.engine import session_scope
from adapters.forecast.errors import ForecastError
from adapters.forecast.office_hours import DAY, OfficeHours
from adapters.reports.period import Period
from adapters.reports.samples import NON_OPERATORS, CaseSample, load_samples
from process_definitions import model as m

OPERATOR_KIND = "user_task"


@dataclass
class ProcessHistory:
    """Learned from one definition's cases in one period."""

    definition: m.ProcessDefinition
    work: dict[str, list[float]] = field(default_factory=dict)  # step -> seconds (sorted)
    transitions: dict[str, Counter[str]] = field(default_factory=dict)  # step -> next -> count
    entries: Counter[str] = field(default_factory=Counter)  # first recorded step -> count
    arrivals: list[float] = field(default_factory=list)  # entry times, simulation clock
    staffing: dict[str, float] = field(default_factory=dict)  # lane -> median operators/day
    cases: int = 0


def operator_lanes(definition: m.ProcessDefinition) -> list[str]:
    return list(dict.fromkeys(s.lane for s in definition.steps if s.kind == OPERATOR_KIND))


def learn(
    definition: m.ProcessDefinition, cases: tuple[CaseSample, ...], office: OfficeHours
) -> ProcessHistory:
    history = ProcessHistory(definition=definition, cases=len(cases))
    kinds = {s.id: str(s.kind) for s in definition.steps}
    per_actor: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    actors_per_day: dict[tuple[str, int], set[str]] = defaultdict(set)
    for case in cases:
        steps = [s for s in case.steps if s.finished_at is not None]
        if not case.steps:
            continue
        first = case.steps[0]
        history.entries[first.step_id] += 1
        history.arrivals.append(office.seconds(first.started_at))
        for current, following in zip(case.steps, case.steps[1:], strict=False):
            history.transitions.setdefault(current.step_id, Counter())[following.step_id] += 1
        for s in steps:
            assert s.finished_at is not None
            start, end = office.seconds(s.started_at), office.seconds(s.finished_at)
            operator = s.actor if s.actor and s.actor not in NON_OPERATORS else None
            if kinds.get(s.step_id, s.kind) == OPERATOR_KIND and operator:
                per_actor[operator].append((start, end, s.step_id))
                actors_per_day[(s.lane, int(end // DAY))].add(operator)
            else:
                history.work.setdefault(s.step_id, []).append(s.duration_seconds or 0.0)
    for visits in per_actor.values():
        free = float("-inf")
        for start, end, step_id in sorted(visits, key=lambda v: v[1]):
            began = max(start, free)
            history.work.setdefault(step_id, []).append(office.office_seconds_between(began, end))
            free = end
    for values in history.work.values():
        values.sort()
    history.arrivals.sort()
    per_lane: dict[str, list[int]] = defaultdict(list)
    for (lane, _day), names in actors_per_day.items():
        per_lane[lane].append(len(names))
    history.staffing = {lane: statistics.median(counts) for lane, counts in per_lane.items()}
    return history


def load_history(
    engine: Engine,
    period: Period,
    office: OfficeHours,
    *,
    definition_id: str | None = None,
    include_demo: bool = False,
) -> ProcessHistory:
    """The history of the one definition with cases in `period` (or `definition_id`); demo
    cases (`sopflow demo`) only when asked."""
    with session_scope(engine) as session:
        groups = load_samples(
            session, period, definition_id=definition_id, include_demo=include_demo
        )
    if not groups:
        raise ForecastError(f"no cases between {period.label()}: nothing to learn durations from")
    if len(groups) > 1:
        ids = ", ".join(g.definition.id for g in groups)
        raise ForecastError(f"cases of several definitions ({ids}): choose one with --definition")
    return learn(groups[0].definition, groups[0].cases, office)
