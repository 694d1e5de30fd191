"""SLA figures from a period's samples: per step, per SOP step, per lane, outcomes, total time.

Pure: no database, no clock (the caller passes `generated_at`). Gateways and end steps take no
time of their own and have no budget, so they are left out of the duration tables. A visit of an
open case still waiting at `generated_at` longer than its budget is an open breach: listed and
counted apart from the finished visits over budget.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from adapters.db.case_tables import CaseStatus
from adapters.reports.diagram_layout import layout
from adapters.reports.period import Period
from adapters.reports.samples import CaseSample, DefinitionCases, StepSample
from adapters.reports.sla_models import (
    DefinitionSla,
    LaneSla,
    OutcomeCount,
    SlaReport,
    SopStepSla,
    StepSla,
    TotalTime,
)
from adapters.reports.stats import Sample, duration_stats
from process_definitions import model as m
from process_definitions.graph import budget_per_sop_step, budget_to_ends

UNTIMED_KINDS = frozenset({"gateway", "end"})
OPEN_STATUSES = frozenset(
    {CaseStatus.SUBMITTED, CaseStatus.RUNNING, CaseStatus.WAITING, CaseStatus.STALLED}
)


def build_sla_report(
    period: Period, groups: Iterable[DefinitionCases], *, generated_at: datetime
) -> SlaReport:
    return SlaReport(
        period_first=period.first,
        period_last=period.last,
        timezone=period.timezone,
        generated_at=generated_at,
        definitions=[definition_sla(group, as_of=generated_at) for group in groups if group.cases],
    )


@dataclass(frozen=True)
class OpenVisit:
    """A visit of an open case not finished at the report's time, and how long it has waited."""

    reference: str
    step: StepSample
    waited: float

    @property
    def breached(self) -> bool:
        budget = self.step.budget_seconds
        return budget is not None and self.waited > budget


def open_visits(cases: Iterable[CaseSample], as_of: datetime) -> list[OpenVisit]:
    return [
        OpenVisit(case.reference, step, max((as_of - step.started_at).total_seconds(), 0.0))
        for case in cases
        if case.status in OPEN_STATUSES
        for step in _timed(case)
        if step.finished_at is None
    ]


def _open_breaches(visits: Iterable[OpenVisit]) -> list[str]:
    return list(dict.fromkeys(v.reference for v in visits if v.breached))


def _timed(case: CaseSample) -> list[StepSample]:
    return [s for s in case.steps if s.kind not in UNTIMED_KINDS]


def _sample(reference: str, step: StepSample) -> Sample:
    exceeded = step.exceeded if step.budget_seconds is not None else None
    return (reference, step.duration_seconds or 0.0, exceeded)


def _finished(case: CaseSample) -> list[tuple[str, StepSample]]:
    return [(case.reference, s) for s in _timed(case) if s.finished_at is not None]


def step_table(
    definition: m.ProcessDefinition, cases: Iterable[CaseSample], opened: list[OpenVisit]
) -> list[StepSla]:
    visits: dict[str, list[tuple[str, StepSample]]] = {}
    for case in cases:
        for reference, step in _finished(case):
            visits.setdefault(step.step_id, []).append((reference, step))
    waiting: dict[str, list[OpenVisit]] = {}
    for visit in opened:
        waiting.setdefault(visit.step.step_id, []).append(visit)
    known = {s.id: s for s in definition.steps if s.kind not in UNTIMED_KINDS}
    rows = []
    seen = visits.keys() | waiting.keys()
    for step_id in [*known, *sorted(seen - known.keys())]:
        samples = [_sample(reference, step) for reference, step in visits.get(step_id, [])]
        spec = known.get(step_id)
        if spec is not None:
            budget = spec.budget.total_seconds() if spec.budget else None
            name, sop_step, lane, kind = spec.name, spec.sop_step, spec.lane, str(spec.kind)
        else:  # a step of an older version of the definition
            first = visits[step_id][0][1] if step_id in visits else waiting[step_id][0].step
            budget = first.budget_seconds
            name, sop_step, lane, kind = step_id, first.sop_step, first.lane, first.kind
        stats = duration_stats(samples, budget)
        stats.open_breaches = _open_breaches(waiting.get(step_id, []))
        rows.append(
            StepSla(
                step_id=step_id,
                name=name,
                sop_step=sop_step,
                lane=lane,
                lane_name=lane_name(definition, lane),
                kind=kind,
                **stats.model_dump(),
            )
        )
    return rows


def lane_name(definition: m.ProcessDefinition, lane: str) -> str:
    spec = definition.lanes.get(lane)
    return spec.name if spec else lane


def sop_step_table(
    definition: m.ProcessDefinition, cases: Iterable[CaseSample], as_of: datetime
) -> list[SopStepSla]:
    budgets = budget_per_sop_step(definition)
    per_number: dict[int, list[Sample]] = {number: [] for number in budgets}
    waiting: dict[int, list[str]] = {}
    for case in cases:
        by_number: dict[int, list[StepSample]] = {}
        for step in _timed(case):
            by_number.setdefault(step.sop_step, []).append(step)
        for number, steps in by_number.items():
            budget = budgets.get(number)
            limit = budget.total_seconds() if budget else None
            seconds = sum(s.duration_seconds or 0.0 for s in steps)
            if any(s.finished_at is None for s in steps):  # the case is still in this SOP step
                if case.status in OPEN_STATUSES and limit:
                    seconds += sum(
                        max((as_of - s.started_at).total_seconds(), 0.0)
                        for s in steps
                        if s.finished_at is None
                    )
                    if seconds > limit:
                        waiting.setdefault(number, []).append(case.reference)
                continue
            exceeded = seconds > limit if limit else None
            per_number.setdefault(number, []).append((case.reference, seconds, exceeded))
    rows = []
    for number in sorted(per_number.keys() | waiting.keys()):
        budget = budgets.get(number)
        stats = duration_stats(
            per_number.get(number, []), budget.total_seconds() if budget else None
        )
        stats.open_breaches = list(dict.fromkeys(waiting.get(number, [])))
        names = [
            s.name for s in definition.steps if s.sop_step == number and s.kind not in UNTIMED_KINDS
        ]
        rows.append(SopStepSla(sop_step=number, names=names, **stats.model_dump()))
    return rows


def lane_table(
    definition: m.ProcessDefinition, cases: Iterable[CaseSample], opened: list[OpenVisit]
) -> list[LaneSla]:
    per_lane: dict[str, list[Sample]] = {lane: [] for lane in definition.lanes}
    for case in cases:
        for reference, step in _finished(case):
            per_lane.setdefault(step.lane, []).append(_sample(reference, step))
    for visit in opened:
        per_lane.setdefault(visit.step.lane, [])
    rows = []
    for lane, samples in per_lane.items():
        stats = duration_stats(samples, None)
        stats.open_breaches = _open_breaches(v for v in opened if v.step.lane == lane)
        rows.append(LaneSla(lane=lane, name=lane_name(definition, lane), **stats.model_dump()))
    return rows


def outcome_table(
    definition: m.ProcessDefinition, cases: Iterable[CaseSample]
) -> list[OutcomeCount]:
    names: dict[str, str] = {}
    for step in definition.steps:
        if isinstance(step, m.EndStep):
            names.setdefault(step.outcome, step.name)
    completed = [c for c in cases if c.status == CaseStatus.COMPLETED]
    counts: dict[str, int] = dict.fromkeys(names, 0)
    for case in completed:
        key = case.outcome or "-"
        counts[key] = counts.get(key, 0) + 1
    return [
        OutcomeCount(
            outcome=outcome,
            name=names.get(outcome, outcome),
            count=count,
            share=count / len(completed) if completed else 0.0,
        )
        for outcome, count in counts.items()
    ]


def end_step_of(case: CaseSample) -> str | None:
    ends = [s.step_id for s in case.steps if s.kind == "end"]
    return ends[-1] if ends else None


def case_total(case: CaseSample, promised: dict[str, float]) -> tuple[float, bool | None] | None:
    """A completed case's time from its first step's start to its end, and whether that broke
    the promised total of the end step it reached (None: nothing promised)."""
    if case.status != CaseStatus.COMPLETED or case.finished_at is None:
        return None
    start = min([s.started_at for s in case.steps] or [case.submitted_at])
    seconds = (case.finished_at - start).total_seconds()
    end = end_step_of(case)
    limit = promised.get(end) if end else None
    return seconds, (seconds > limit if limit is not None else None)


def promised_totals(definition: m.ProcessDefinition) -> dict[str, float]:
    return {end: budget.total_seconds() for end, budget in budget_to_ends(definition).items()}


def total_time(definition: m.ProcessDefinition, cases: Iterable[CaseSample]) -> TotalTime:
    promised = promised_totals(definition)
    samples: list[Sample] = []
    for case in cases:
        total = case_total(case, promised)
        if total is not None:
            samples.append((case.reference, *total))
    stats = duration_stats(samples, max(promised.values()) if promised else None)
    return TotalTime(promised_seconds=promised, **stats.model_dump())


def definition_sla(group: DefinitionCases, *, as_of: datetime) -> DefinitionSla:
    definition, cases = group.definition, group.cases
    opened = open_visits(cases, as_of)
    steps = step_table(definition, cases, opened)
    shares = {
        row.step_id: (1 - row.within_share if row.within_share is not None else None)
        for row in steps
    }
    counts = {row.step_id: row.count for row in steps}
    return DefinitionSla(
        definition_id=definition.id,
        version=definition.version,
        title=definition.title,
        sop_number=definition.sop.number,
        office=definition.sop.office,
        cases=len(cases),
        completed=sum(c.status == CaseStatus.COMPLETED for c in cases),
        failed=sum(c.status == CaseStatus.FAILED for c in cases),
        stalled=sum(c.status == CaseStatus.STALLED for c in cases),
        open=sum(c.status in OPEN_STATUSES for c in cases),
        open_breaches=_open_breaches(opened),
        steps=steps,
        sop_steps=sop_step_table(definition, cases, as_of),
        lanes=lane_table(definition, cases, opened),
        outcomes=outcome_table(definition, cases),
        total=total_time(definition, cases),
        diagram=layout(definition, shares, counts),
    )
