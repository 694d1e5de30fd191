"""The discrete-event simulation of a process definition (SimPy).

Why SimPy: it is the established, maintained discrete-event library for Python (MIT, pure
Python, no compiled parts), its process-as-generator model reads like the SOP (a case waits for
an operator of its lane, works, moves on), and `Resource` gives FIFO queues with K servers; a
hand-written event loop would re-implement exactly that. Salabim and ciw were the alternatives:
salabim brings animation and a larger API we do not need, ciw models queueing networks without
the office-hours calendar.

The model: cases enter at the given times and walk the definition by the transition counts
seen in the history. A user task needs one operator of its lane (a K-server FIFO queue); work
happens only in open office time. Other steps take a duration drawn from their recorded ones.
A step's duration, as the SLA report measures it, runs from reaching the step to finishing it.
"""

from __future__ import annotations

import random
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field

import simpy

from adapters.forecast.errors import ForecastError
from adapters.forecast.history import OPERATOR_KIND, ProcessHistory
from adapters.forecast.office_hours import OfficeHours
from process_definitions import model as m

MAX_STEPS_PER_CASE = 200  # a loop in the history cannot run a simulated case forever


@dataclass
class StepOutcome:
    durations: list[float] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)


@dataclass
class SimulationRun:
    steps: dict[str, StepOutcome]
    busy: dict[str, float]  # lane -> office seconds operators worked
    horizon: tuple[float, float]  # first arrival, last event


class _Sampler:
    def __init__(self, history: ProcessHistory, rng: random.Random) -> None:
        self.history = history
        self.rng = rng
        self.budgets = {
            s.id: (s.budget.total_seconds() if s.budget else None) for s in history.definition.steps
        }
        self.kinds = {s.id: str(s.kind) for s in history.definition.steps}
        self.lanes = {s.id: s.lane for s in history.definition.steps}

    def work(self, step_id: str) -> float:
        values = self.history.work.get(step_id)
        if values:
            return self.rng.choice(values)
        budget = self.budgets.get(step_id)
        return budget or 0.0  # never seen: assume it takes its budget (a guess, said so)

    def choose(self, counts: dict[str, int]) -> str | None:
        if not counts:
            return None
        keys = list(counts)
        return self.rng.choices(keys, weights=[counts[k] for k in keys])[0]


def simulate(
    history: ProcessHistory,
    *,
    arrivals: Sequence[float],
    operators: dict[str, int],
    office: OfficeHours,
    seed: int,
) -> SimulationRun:
    """One replication: the cases entering at `arrivals` (simulation clock, sorted)."""
    rng = random.Random(seed)  # noqa: S311 - simulation sampling, not security
    sampler = _Sampler(history, rng)
    env = simpy.Environment(initial_time=min(arrivals, default=0.0))
    lanes = {s.lane for s in history.definition.steps if s.kind == OPERATOR_KIND}
    missing = sorted(lane for lane in lanes if operators.get(lane, 0) < 1)
    if missing:
        raise ForecastError(f"no operators for lane(s) {', '.join(missing)}")
    desks = {lane: simpy.Resource(env, capacity=operators[lane]) for lane in lanes}
    outcomes: dict[str, StepOutcome] = {s.id: StepOutcome() for s in history.definition.steps}
    busy = dict.fromkeys(lanes, 0.0)

    def case(at: float) -> Generator[simpy.Event, object, None]:
        yield env.timeout(at - env.now)
        step = sampler.choose(dict(history.entries))
        for _ in range(MAX_STEPS_PER_CASE):
            if step is None:
                return
            reached = env.now
            outcome = outcomes.setdefault(step, StepOutcome())
            if sampler.kinds.get(step) == OPERATOR_KIND:
                lane = sampler.lanes[step]
                with desks[lane].request() as turn:
                    yield turn
                    start = office.next_open(env.now)
                    work = sampler.work(step)
                    end = office.add_office_seconds(start, work)
                    yield env.timeout(end - env.now)
                    busy[lane] += work
                outcome.waits.append(start - reached)
            else:
                yield env.timeout(sampler.work(step))
                outcome.waits.append(0.0)
            outcome.durations.append(env.now - reached)
            step = sampler.choose(dict(history.transitions.get(step, {})))

    for at in arrivals:
        env.process(case(at))
    first = env.now
    env.run()
    return SimulationRun(steps=outcomes, busy=busy, horizon=(first, env.now))


def budget_of(definition: m.ProcessDefinition, step_id: str) -> float | None:
    step = definition.step(step_id)
    return step.budget.total_seconds() if step.budget else None
