"""Office hours on the simulation clock, and work times recovered from recorded durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.forecast.errors import ForecastError
from adapters.forecast.history import learn
from adapters.forecast.office_hours import DAY, parse_office_hours
from adapters.forecast.simulation import simulate
from adapters.reports.samples import CaseSample, StepSample
from tests.support.case_day import sop

H = 3600.0
OFFICE = parse_office_hours("Mon-Fri 08:00-16:00")
LATE = 15 * H + 59 * 60  # Monday 15:59


def test_office_hours_clock() -> None:
    assert OFFICE.next_open(0) == 8 * H  # Monday 00:00 -> 08:00
    assert OFFICE.next_open(9 * H) == 9 * H
    assert OFFICE.next_open(4 * DAY + 17 * H) == 7 * DAY + 8 * H  # Friday evening -> Monday
    assert OFFICE.add_office_seconds(15 * H, 2 * H) == DAY + 9 * H  # over the night
    assert OFFICE.office_seconds_between(15 * H, DAY + 9 * H) == 2 * H
    assert OFFICE.open_seconds_per_week == 5 * 8 * H
    assert OFFICE.moment(8 * H) == datetime(2024, 1, 1, 1, 0, tzinfo=UTC)  # 08:00 WIB
    short_friday = parse_office_hours("Mon-Thu 08:00-16:00, Fri 08:00-11:30")
    assert short_friday.add_office_seconds(4 * DAY + 11 * H, H) == 7 * DAY + 8.5 * H


@pytest.mark.parametrize("text", ["", "Mon-Fri", "Mon-Fri 16:00-08:00", "Fri-Mon 08:00-16:00"])
def test_bad_office_hours_are_named(text: str) -> None:
    with pytest.raises(ForecastError, match="office hours"):
        parse_office_hours(text)


def visit(step: str, lane: str, start: float, end: float, actor: str) -> StepSample:
    return StepSample(
        step_id=step,
        sop_step=3,
        lane=lane,
        kind="user_task" if step.startswith("verifikasi") else "service",
        started_at=OFFICE.moment(start),
        finished_at=OFFICE.moment(end),
        duration_seconds=end - start,
        budget_seconds=150,
        exceeded=end - start > 150,
        actor=actor,
    )


def case(ref: str, steps: list[StepSample]) -> CaseSample:
    moment = steps[0].started_at - timedelta(minutes=1)
    return CaseSample(ref, ref, "completed", "x", moment, None, tuple(steps))


def test_work_time_takes_out_the_wait_for_the_same_operator() -> None:
    nip = "199001012015031001"
    t = 9 * H
    # two cases reach verification together; the one operator does one, then the other
    cases = (
        case("A", [visit("cari_sdp", "sdp", t - 10, t, "sistem"),
                   visit("verifikasi_sdp", "operator_divpas", t, t + 100, nip)]),
        case("B", [visit("cari_sdp", "sdp", t - 10, t, "sistem"),
                   visit("verifikasi_sdp", "operator_divpas", t, t + 160, nip)]),
        # reached at 15:59, done the next morning at 08:02: three minutes of office time
        case("C", [visit("verifikasi_sdp", "operator_divpas", LATE, DAY + 8 * H + 120, nip)]),
    )  # fmt: skip
    history = learn(sop().definition, cases, OFFICE)
    assert history.work["verifikasi_sdp"] == [60.0, 100.0, 180.0]
    assert history.work["cari_sdp"] == [10.0, 10.0]
    assert history.transitions["cari_sdp"]["verifikasi_sdp"] == 2
    assert history.staffing == {"operator_divpas": 1}


def test_simulated_queue_waits_for_the_operator() -> None:
    nip = "199001012015031001"
    t = 9 * H
    cases = tuple(
        case(f"R{i}", [visit("verifikasi_sdp", "operator_divpas", t, t + 100, nip)])
        for i in range(1)
    )
    history = learn(sop().definition, cases, OFFICE)
    # three cases arrive at once with one operator: they wait 0, 100 and 200 s
    run = simulate(history, arrivals=[t, t, t], operators={"operator_divpas": 1,
                   "operator_integrasi": 1}, office=OFFICE, seed=1)  # fmt: skip
    outcome = run.steps["verifikasi_sdp"]
    assert sorted(outcome.waits) == [0.0, 100.0, 200.0]
    assert sorted(outcome.durations) == [100.0, 200.0, 300.0]
    with pytest.raises(ForecastError, match="operator_integrasi"):
        simulate(history, arrivals=[t], operators={"operator_divpas": 1}, office=OFFICE, seed=1)
