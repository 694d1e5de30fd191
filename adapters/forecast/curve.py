"""A staffing curve as data: share within budget of a lane's steps against its operators."""

from __future__ import annotations

from pydantic import BaseModel


class CurvePoint(BaseModel):
    operators: int
    within_share: dict[str, float | None]  # step id -> forecast share within budget
    utilisation: float | None


class StaffingCurve(BaseModel):
    """For one operator lane, the period's real arrivals replayed with 1..N operators."""

    lane: str
    lane_name: str
    steps: dict[str, str]  # step id -> name, the lane's user tasks
    observed_operators: int
    points: list[CurvePoint]
