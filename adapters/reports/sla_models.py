"""The SLA report as data: what every renderer (HTML, PDF, CSV, JSON, Prefect artifact) shows.

Durations are in seconds. Breaches list case references only (no personal data anywhere):
`breaches` are finished visits that took longer than their budget (closed breaches);
`open_breaches` are visits of open cases still waiting, already past their budget when the report
was generated (counted in no duration figure: they have no duration yet).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from adapters.forecast.curve import StaffingCurve


class DurationStats(BaseModel):
    count: int = 0
    p50: float | None = None
    p90: float | None = None
    max: float | None = None
    budget_seconds: float | None = None
    within_budget: int = 0
    within_share: float | None = None  # None: nothing had a budget to keep
    breaches: list[str] = Field(default_factory=list)  # case references
    open_breaches: list[str] = Field(default_factory=list)  # case references, still waiting
    durations: list[float] = Field(default_factory=list)  # sorted, for the charts


class StepSla(DurationStats):
    step_id: str
    name: str
    sop_step: int
    lane: str
    lane_name: str = ""
    kind: str


class SopStepSla(DurationStats):
    """Per case: the time spent in every step sharing this SOP step number."""

    sop_step: int
    names: list[str]


class LaneSla(DurationStats):
    """Per step visit in the lane, each against its own budget."""

    lane: str
    name: str


class OutcomeCount(BaseModel):
    outcome: str
    name: str
    count: int
    share: float  # of completed cases


class TotalTime(DurationStats):
    """Completed cases: from the first step's start to the end, against the SOP's promised total
    for the end reached (the smallest sum of budgets on a path to it)."""

    promised_seconds: dict[str, float] = Field(default_factory=dict)  # end step id -> seconds


class DiagramBox(BaseModel):
    step_id: str
    label: str
    kind: str
    x: float
    y: float
    w: float
    h: float
    breach_share: float | None  # None: no budget or no visits
    visits: int


class DiagramEdge(BaseModel):
    source: str
    target: str


class DiagramLane(BaseModel):
    name: str
    y: float
    h: float


class Diagram(BaseModel):
    """Swimlanes (rows) by lane, columns by distance from the start; abstract units."""

    width: float
    height: float
    lanes: list[DiagramLane]
    boxes: list[DiagramBox]
    edges: list[DiagramEdge]


class DefinitionSla(BaseModel):
    definition_id: str
    version: int
    title: str
    sop_number: str
    office: str
    cases: int
    completed: int
    open: int
    failed: int
    stalled: int = 0  # stopped for a definition/configuration reason: `sopflow case retry`
    open_breaches: list[str] = Field(default_factory=list)  # open cases waiting past a budget
    steps: list[StepSla]
    sop_steps: list[SopStepSla]
    lanes: list[LaneSla]
    outcomes: list[OutcomeCount]
    total: TotalTime
    diagram: Diagram = Field(exclude=True)
    staffing: list[StaffingCurve] = Field(default_factory=list)  # forecast, per operator lane


class SlaReport(BaseModel):
    period_first: date
    period_last: date
    timezone: str
    generated_at: datetime
    definitions: list[DefinitionSla]

    @property
    def empty(self) -> bool:
        return not self.definitions
