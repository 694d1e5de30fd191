"""`sopflow forecast`: how a process would run with N requests a day and K operators per lane."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import typer
from sqlalchemy import Engine

from adapters.cli.existing_db import existing_engine
from adapters.cli.report_commands import _fail, parse_day
from adapters.forecast.errors import ForecastError
from adapters.forecast.forecast import Forecast, backtest, default_operators, forecast
from adapters.forecast.history import load_history, operator_lanes
from adapters.forecast.office_hours import parse_office_hours
from adapters.reports.errors import ReportError
from adapters.reports.formatting import duration, share
from adapters.reports.period import Period
from adapters.reports.sla_report import sla_report
from adapters.settings import get_settings

HISTORY_DAYS = 90


def parse_operators(values: list[str], lanes: list[str]) -> dict[str, int]:
    """["operator_divpas=2", ...] -> {lane: 2}; unknown lanes and bad counts are errors."""
    result: dict[str, int] = {}
    for value in values:
        lane, _, count = value.partition("=")
        if lane not in lanes:
            raise typer.BadParameter(
                f"{lane!r} is not an operator lane; choose from {', '.join(lanes)}",
                param_hint="--operators",
            )
        if not count.isdigit() or int(count) < 1:
            raise typer.BadParameter(
                f"{value!r}: write LANE=K with K a whole number >= 1", param_hint="--operators"
            )
        result[lane] = int(count)
    return result


def measured_shares(
    engine: Engine, period: Period, definition_id: str, *, include_demo: bool = False
) -> dict[str, float]:
    """Per step, the share within budget the SLA report measured for the period."""
    report = sla_report(
        engine,
        period,
        generated_at=datetime.now(UTC),
        definition_id=definition_id,
        include_demo=include_demo,
    )
    return {
        s.step_id: s.within_share
        for d in report.definitions
        for s in d.steps
        if s.within_share is not None
    }


def render_backtest(result: Forecast, measured: dict[str, float], *, as_json: bool) -> str:
    rows = [
        (s.step_id, s.within_share, measured[s.step_id])
        for s in result.steps
        if s.within_share is not None and s.step_id in measured
    ]
    if as_json:
        table = [
            {
                "step_id": step_id,
                "forecast": forecast_share,
                "measured": measured_share,
                "difference_points": round((forecast_share - measured_share) * 100, 1),
            }
            for step_id, forecast_share, measured_share in rows
        ]
        return json.dumps({"backtest": table, "forecast": result.model_dump()}, indent=2)
    lines = [
        f"Back-test of {result.definition_id}: {result.arrivals} recorded arrivals replayed with "
        f"operators {', '.join(f'{k}={v}' for k, v in result.operators.items())} "
        f"({result.replications} replications).",
        "",
        f"{'step':<26} {'forecast':>9} {'measured':>9} {'points':>7}",
    ]
    lines += [
        f"{step_id:<26} {share(forecast_share):>9} {share(measured_share):>9} "
        f"{(forecast_share - measured_share) * 100:>+7.1f}"
        for step_id, forecast_share, measured_share in rows
    ]
    return "\n".join(lines)


def render_text(result: Forecast) -> str:
    lines = [
        f"Forecast for {result.definition_id}: {result.arrivals_per_day or 0:g} cases per office "
        f"day, {result.days} office days, {result.replications} replications "
        f"(office hours {result.office_hours}; durations learned from {result.history_cases} "
        "recorded cases).",
        "",
        f"{'step':<26} {'lane':<20} {'budget':>8} {'within':>7} {'p90 wait':>9} {'p90':>8}",
    ]
    for s in result.steps:
        mark = " (perkiraan: no recorded durations, budget used)" if s.estimated else ""
        lines.append(
            f"{s.step_id:<26} {s.lane:<20} {duration(s.budget_seconds):>8} "
            f"{share(s.within_share):>7} {duration(s.p90_wait_seconds):>9} "
            f"{duration(s.p90_seconds):>8}{mark}"
        )
    lines += ["", f"{'lane':<20} {'operators':>9} {'utilisation':>11}"]
    lines += [
        f"{lane.lane:<20} {lane.operators:>9} {share(lane.utilisation):>11}"
        for lane in result.lanes
    ]
    return "\n".join(lines)


def forecast_command(
    arrivals_per_day: float | None = typer.Option(
        None, "--arrivals-per-day", min=0.0, help="New cases per office day."
    ),
    replay: bool = typer.Option(
        False,
        "--backtest",
        help="Replay the history period's own arrivals; compare with what the SLA report measured.",
    ),
    operators: list[str] = typer.Option(
        [], "--operators", help="LANE=K operators working a lane; default what the history shows."
    ),
    days: int = typer.Option(20, "--days", min=1, max=366, help="Office days to simulate."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    from_day: str | None = typer.Option(
        None, "--from", help=f"History from (YYYY-MM-DD); default {HISTORY_DAYS} days ago."
    ),
    to_day: str | None = typer.Option(None, "--to", help="History to (YYYY-MM-DD); default today."),
    definition: str | None = typer.Option(None, "--definition", help="Definition id."),
    replications: int = typer.Option(20, "--replications", min=1, max=500),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed, the same forecast."),
    include_demo: bool = typer.Option(
        False, "--include-demo", help="Learn from demo cases (`sopflow demo`) too."
    ),
) -> None:
    """Simulate the process (SimPy) with the step durations recorded in the case database:
    per step the share within budget, p90 waiting time; per lane operator utilisation."""
    if arrivals_per_day is None and not replay:
        raise typer.BadParameter(
            "give a number of cases per office day", param_hint="--arrivals-per-day"
        )
    settings = get_settings()
    today = datetime.now(UTC).date()
    last = parse_day(to_day, "--to") if to_day else today
    first = parse_day(from_day, "--from") if from_day else last - timedelta(days=HISTORY_DAYS)
    engine = existing_engine(settings.database_url)  # read-only: never creates one
    try:
        office = parse_office_hours(settings.office_hours, settings.intake_timezone)
        period = Period(first, last, settings.intake_timezone)
        history = load_history(
            engine, period, office, definition_id=definition, include_demo=include_demo
        )
        staffing = {
            **default_operators(history),
            **parse_operators(operators, operator_lanes(history.definition)),
        }
        if replay:
            result = backtest(
                history,
                operators=staffing,
                office=office,
                office_hours_text=settings.office_hours,
                replications=replications,
                seed=seed,
            )
            measured = measured_shares(
                engine, period, history.definition.id, include_demo=include_demo
            )
            typer.echo(render_backtest(result, measured, as_json=as_json))
            return
        assert arrivals_per_day is not None
        result = forecast(
            history,
            arrivals_per_day=arrivals_per_day,
            days=days,
            operators=staffing,
            office=office,
            office_hours_text=settings.office_hours,
            replications=replications,
            seed=seed,
        )
    except (ForecastError, ReportError) as error:
        raise _fail(str(error)) from None
    finally:
        engine.dispose()
    typer.echo(result.model_dump_json(indent=2) if as_json else render_text(result))
