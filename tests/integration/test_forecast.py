"""The forecast's back-test on a generated history with known parameters, the CLI and the SLA
report's staffing chart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from adapters.cli.app import app as cli
from adapters.db.engine import make_engine
from adapters.db.migrate import upgrade
from adapters.forecast.forecast import backtest
from adapters.forecast.history import load_history
from adapters.forecast.office_hours import parse_office_hours
from adapters.reports.period import Period
from adapters.reports.sla_report import sla_report
from adapters.settings import get_settings
from tests.support.case_day import sop
from tests.support.queue_history import QueueParameters, generate

pytestmark = pytest.mark.integration
HOURS = "Mon-Fri 08:00-16:00"
OFFICE = parse_office_hours(HOURS)
PERIOD = Period(date(2024, 1, 1), date(2024, 1, 31), "Asia/Jakarta")  # the generator's weeks
DIVPAS, INTEGRASI = "199001012015031001", "198803032014031003"
# A morning rush (08:00-10:00) of about 25 requests a day on one operator per lane: verification
# queues long enough that staffing matters.
PARAMS = QueueParameters(
    per_day=25,
    days=8,
    divpas=(DIVPAS,),
    integrasi=(INTEGRASI,),
    verify_median=100,
    approve_median=90,
    arrival_hours=(8, 10),
)
STAFF = {"operator_divpas": 1, "operator_integrasi": 1}


@pytest.fixture(scope="module")
def history_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('forecast') / 'history.db'}"
    upgrade(url)
    engine = make_engine(url)
    assert generate(engine, sop(), OFFICE, PARAMS) > 150
    engine.dispose()
    yield url


@pytest.fixture
def engine(history_url: str) -> Iterator[Engine]:
    built = make_engine(history_url)
    yield built
    built.dispose()


def measured(engine: Engine) -> dict[str, float]:
    report = sla_report(engine, PERIOD, generated_at=datetime(2024, 2, 1, tzinfo=UTC))
    return {
        s.step_id: s.within_share for s in report.definitions[0].steps if s.within_share is not None
    }


def test_backtest_within_five_points_of_the_sla_report(engine: Engine) -> None:
    truth = measured(engine)
    history = load_history(engine, PERIOD, OFFICE)
    assert history.staffing == {"operator_divpas": 1, "operator_integrasi": 1}
    result = backtest(history, operators=STAFF, office=OFFICE, office_hours_text=HOURS)
    forecast = {s.step_id: s.within_share for s in result.steps if s.within_share is not None}
    assert truth["verifikasi_sdp"] < 0.8  # the queue matters in this history
    for step_id, share in truth.items():
        assert abs(forecast[step_id] - share) <= 0.05, (step_id, forecast[step_id], share)
    # the back-test has power: ignoring the queue (many operators) misses by far more
    roomy = backtest(
        history,
        operators={"operator_divpas": 4, "operator_integrasi": 4},
        office=OFFICE,
        office_hours_text=HOURS,
    )
    wide = {s.step_id: s.within_share or 0.0 for s in roomy.steps}
    assert wide["verifikasi_sdp"] - truth["verifikasi_sdp"] > 0.10


@pytest.fixture
def cli_on_history(
    history_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[CliRunner]:
    monkeypatch.setenv("SOPFLOW_DATABASE_URL", history_url)
    monkeypatch.setenv("SOPFLOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOPFLOW_INTAKE_TIMEZONE", "Asia/Jakarta")
    monkeypatch.setenv("SOPFLOW_OFFICE_HOURS", HOURS)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_cli_forecast_json_and_text(cli_on_history: CliRunner) -> None:
    history = ["--from", "2024-01-01", "--to", "2024-01-31"]
    args = ["forecast", "--arrivals-per-day", "50", "--days", "5", *history]
    one = cli_on_history.invoke(cli, [*args, "--json", "--operators", "operator_divpas=1"])
    assert one.exit_code == 0, one.output
    two = cli_on_history.invoke(cli, [*args, "--json", "--operators", "operator_divpas=2"])
    first, second = json.loads(one.stdout), json.loads(two.stdout)
    steps = {s["step_id"]: s for s in first["steps"]}
    assert {"within_share", "p90_wait_seconds", "p90_seconds"} <= steps["verifikasi_sdp"].keys()
    assert {lane["lane"]: lane["operators"] for lane in second["lanes"]}["operator_divpas"] == 2
    more = {s["step_id"]: s for s in second["steps"]}
    assert more["verifikasi_sdp"]["within_share"] > steps["verifikasi_sdp"]["within_share"]
    assert more["verifikasi_sdp"]["p90_wait_seconds"] < steps["verifikasi_sdp"]["p90_wait_seconds"]
    text = cli_on_history.invoke(cli, args)
    assert text.exit_code == 0 and "verifikasi_sdp" in text.stdout and "utilisation" in text.stdout
    bad = cli_on_history.invoke(cli, [*args, "--operators", "operator_divpas=0"])
    assert bad.exit_code != 0 and "LANE=K" in bad.output
    empty = cli_on_history.invoke(
        cli, ["forecast", "--arrivals-per-day", "5", "--from", "2025-01-01", "--to", "2025-01-02"]
    )
    assert empty.exit_code == 1 and "no cases" in empty.output


def test_sla_report_shows_the_staffing_chart(cli_on_history: CliRunner) -> None:
    period = ["--from", "2024-01-01", "--to", "2024-01-31"]
    html = cli_on_history.invoke(cli, ["report", "sla", *period, "--format", "html"])
    assert html.exit_code == 0, html.output
    assert 'id="staffing-operator_divpas"' in html.stdout and "<polyline" in html.stdout
    data = json.loads(
        cli_on_history.invoke(cli, ["report", "sla", *period, "--format", "json"]).stdout
    )
    curves = {c["lane"]: c for c in data["definitions"][0]["staffing"]}
    points = curves["operator_divpas"]["points"]
    assert [p["operators"] for p in points] == [1, 2, 3]
    shares = [p["within_share"]["verifikasi_sdp"] for p in points]
    assert shares[0] < shares[1] <= shares[2] + 0.02
    plain = cli_on_history.invoke(
        cli, ["report", "sla", *period, "--format", "json", "--no-staffing"]
    )
    assert json.loads(plain.stdout)["definitions"][0]["staffing"] == []


def test_cli_backtest_compares_with_the_sla_report(cli_on_history: CliRunner) -> None:
    args = ["forecast", "--backtest", "--from", "2024-01-01", "--to", "2024-01-31", "--json"]
    out = cli_on_history.invoke(cli, args)
    assert out.exit_code == 0, out.output
    rows = {r["step_id"]: r for r in json.loads(out.stdout)["backtest"]}
    assert rows["verifikasi_sdp"]["measured"] < 0.8
    assert all(abs(r["difference_points"]) <= 5 for r in rows.values()), rows
    text = cli_on_history.invoke(cli, args[:-1])
    assert "measured" in text.stdout and "verifikasi_sdp" in text.stdout
    neither = cli_on_history.invoke(cli, ["forecast"])
    assert neither.exit_code != 0 and "--arrivals-per-day" in neither.output
