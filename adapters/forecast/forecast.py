"""Forecast figures per step and lane: share within budget, p90 waiting, utilisation.

Several replications (each its own random stream) are pooled so one unlucky draw does not
decide the figure. Seeds are explicit: the same input gives the same forecast.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from pydantic import BaseModel

from adapters.forecast.history import OPERATOR_KIND, ProcessHistory, operator_lanes
from adapters.forecast.office_hours import DAY, OfficeHours
from adapters.forecast.simulation import StepOutcome, simulate
from adapters.reports.stats import p90

UNTIMED = frozenset({"gateway", "end"})


class StepForecast(BaseModel):
    step_id: str
    name: str
    lane: str
    kind: str
    budget_seconds: float | None
    visits: float  # per replication
    within_share: float | None  # None: no budget
    p90_wait_seconds: float | None
    p90_seconds: float | None
    estimated: bool  # no recorded durations: the budget stands in (perkiraan)


class LaneForecast(BaseModel):
    lane: str
    name: str
    operators: int
    utilisation: float | None


class Forecast(BaseModel):
    definition_id: str
    arrivals: int  # cases simulated per replication
    arrivals_per_day: float | None
    days: int | None
    replications: int
    office_hours: str
    operators: dict[str, int]
    history_cases: int
    steps: list[StepForecast]
    lanes: list[LaneForecast]


def default_operators(history: ProcessHistory) -> dict[str, int]:
    """What the history shows (median operators per office day per lane), at least one."""
    return {
        lane: max(1, round(history.staffing.get(lane, 1)))
        for lane in operator_lanes(history.definition)
    }


def generated_arrivals(
    history: ProcessHistory, office: OfficeHours, *, per_day: float, days: int, seed: int
) -> list[float]:
    """`days` office days from the simulation clock's first week: a Poisson number of cases
    per day (mean `per_day`), each at a time of day drawn from the history's arrivals on open
    days (uniform over open hours without history)."""
    rng = random.Random(seed)  # noqa: S311 - simulation sampling, not security
    open_days = set(office.open_days)
    seen = [t % DAY for t in history.arrivals if int(t // DAY) % 7 in open_days]
    windows = {int(start // DAY): (start % DAY, end % DAY) for start, end in office.windows}
    result: list[float] = []
    day, counted = 0, 0
    while counted < days:
        weekday = day % 7
        if weekday in open_days:
            counted += 1
            for _ in range(_poisson(rng, per_day)):
                if seen:
                    offset = rng.choice(seen)
                else:
                    low, high = windows[weekday]
                    offset = rng.uniform(low, high)
                result.append(day * DAY + offset)
        day += 1
    return sorted(result)


def _poisson(rng: random.Random, mean: float) -> int:
    count, total = 0, rng.expovariate(1.0) if mean > 0 else math.inf
    while total < mean:
        count += 1
        total += rng.expovariate(1.0)
    return count


def run_forecast(
    history: ProcessHistory,
    *,
    arrivals: Sequence[float],
    operators: dict[str, int],
    office: OfficeHours,
    office_hours_text: str,
    replications: int = 20,
    seed: int = 0,
    arrivals_per_day: float | None = None,
    days: int | None = None,
) -> Forecast:
    pooled: dict[str, StepOutcome] = {}
    busy: dict[str, float] = {}
    open_time = 0.0
    for r in range(replications):
        run = simulate(
            history, arrivals=arrivals, operators=operators, office=office, seed=seed + r
        )
        for step_id, outcome in run.steps.items():
            into = pooled.setdefault(step_id, StepOutcome())
            into.durations += outcome.durations
            into.waits += outcome.waits
        for lane, seconds in run.busy.items():
            busy[lane] = busy.get(lane, 0.0) + seconds
        start = math.floor(run.horizon[0] / DAY) * DAY
        end = max(run.horizon[1], math.ceil(max(arrivals, default=start) / DAY) * DAY)
        open_time += office.office_seconds_between(start, end)
    definition = history.definition
    steps = []
    for spec in definition.steps:
        if spec.kind in UNTIMED:
            continue
        outcome = pooled.get(spec.id, StepOutcome())
        budget = spec.budget.total_seconds() if spec.budget else None
        n = len(outcome.durations)
        within = (
            sum(d <= budget for d in outcome.durations) / n if budget is not None and n else None
        )
        steps.append(
            StepForecast(
                step_id=spec.id,
                name=spec.name,
                lane=spec.lane,
                kind=str(spec.kind),
                budget_seconds=budget,
                visits=n / replications,
                within_share=within,
                p90_wait_seconds=p90(outcome.waits) if spec.kind == OPERATOR_KIND and n else None,
                p90_seconds=p90(outcome.durations) if n else None,
                estimated=not history.work.get(spec.id),
            )
        )
    lanes = [
        LaneForecast(
            lane=lane,
            name=definition.lanes[lane].name if lane in definition.lanes else lane,
            operators=operators[lane],
            utilisation=busy.get(lane, 0.0) / (operators[lane] * open_time) if open_time else None,
        )
        for lane in operator_lanes(definition)
    ]
    return Forecast(
        definition_id=definition.id,
        arrivals=len(arrivals),
        arrivals_per_day=arrivals_per_day,
        days=days,
        replications=replications,
        office_hours=office_hours_text,
        operators=dict(operators),
        history_cases=history.cases,
        steps=steps,
        lanes=lanes,
    )


def forecast(
    history: ProcessHistory,
    *,
    arrivals_per_day: float,
    days: int,
    operators: dict[str, int],
    office: OfficeHours,
    office_hours_text: str,
    replications: int = 20,
    seed: int = 0,
) -> Forecast:
    """What-if: `arrivals_per_day` new cases per office day for `days` office days."""
    arrivals = generated_arrivals(history, office, per_day=arrivals_per_day, days=days, seed=seed)
    return run_forecast(
        history,
        arrivals=arrivals,
        operators=operators,
        office=office,
        office_hours_text=office_hours_text,
        replications=replications,
        seed=seed,
        arrivals_per_day=arrivals_per_day,
        days=days,
    )


def backtest(
    history: ProcessHistory,
    *,
    operators: dict[str, int],
    office: OfficeHours,
    office_hours_text: str,
    replications: int = 20,
    seed: int = 0,
) -> Forecast:
    """The history's own period replayed: its real arrivals, the given staffing."""
    return run_forecast(
        history,
        arrivals=history.arrivals,
        operators=operators,
        office=office,
        office_hours_text=office_hours_text,
        replications=replications,
        seed=seed,
    )
