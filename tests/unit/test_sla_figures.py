"""SLA figures from samples with known durations (pure: no database, no clock)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.reports.charts import histogram
from adapters.reports.period import Period, day
from adapters.reports.render_flat import CSV_COLUMNS, render_csv, render_json
from adapters.reports.render_html import render_html
from adapters.reports.render_pdf import render_pdf
from adapters.reports.samples import CaseSample, DefinitionCases, StepSample
from adapters.reports.sla import build_sla_report
from adapters.reports.sla_models import SlaReport
from adapters.reports.stats import p90
from adapters.reports.summary import summary_markdown, summary_table
from tests.support.case_day import sop

DEFINITION = sop().definition
PERIOD = day(date(2026, 11, 27), "Asia/Jakarta")
T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
GENERATED = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
FOUND = ["buka_formulir", "isi_biodata", "cari_sdp", "verifikasi_sdp", "hasil_verifikasi",
         "susun_jawaban", "setujui_jawaban", "cek_persetujuan", "kirim_informasi",
         "selesai_informasi_diberikan"]  # fmt: skip
NOT_FOUND = ["buka_formulir", "isi_biodata", "cari_sdp", "verifikasi_sdp", "hasil_verifikasi",
             "kabar_tidak_ditemukan", "selesai_tidak_ditemukan"]  # fmt: skip
# verifikasi_sdp (budget 2m30s) takes these in cases 1..10
VERIFY = [30, 60, 90, 120, 150, 160, 170, 200, 240, 300]


def make_case(
    number: int,
    path: list[str],
    seconds: Mapping[str, float],
    *,
    start: datetime = T0,
    open_from: int | None = None,
) -> CaseSample:
    """Steps in `path` one after another; durations from `seconds` (default 0). With `open_from`,
    the step at that index is still open and the case waits there."""
    steps, now = [], start
    for index, step_id in enumerate(path):
        spec = DEFINITION.step(step_id)
        budget = spec.budget.total_seconds() if spec.budget else None
        is_open = open_from is not None and index == open_from
        duration = seconds.get(step_id, 0.0)
        steps.append(
            StepSample(
                step_id=step_id, sop_step=spec.sop_step, lane=spec.lane, kind=spec.kind,
                started_at=now, finished_at=None if is_open else now + timedelta(seconds=duration),
                duration_seconds=None if is_open else duration, budget_seconds=budget,
                exceeded=not is_open and budget is not None and duration > budget,
                actor="sistem",
            )
        )  # fmt: skip
        if is_open:
            break
        now += timedelta(seconds=duration)
    end = DEFINITION.step(path[-1])
    done = open_from is None
    return CaseSample(
        case_id=f"case-{number}",
        reference=f"LII-2026-{number:06d}",
        status="completed" if done else "waiting",
        outcome=getattr(end, "outcome", None) if done else None,
        submitted_at=start,
        finished_at=now if done else None,
        steps=tuple(steps),
    )


def ten_cases() -> list[CaseSample]:
    cases = []
    for i, verify in enumerate(VERIFY, start=1):
        path = NOT_FOUND if i in (2, 5, 9) else FOUND
        seconds = {"isi_biodata": 300, "cari_sdp": 10, "verifikasi_sdp": verify,
                   "susun_jawaban": 5, "setujui_jawaban": 100, "kirim_informasi": 60,
                   "kabar_tidak_ditemukan": 400}  # fmt: skip
        if i == 10:
            seconds["isi_biodata"] = 900  # over the form's 10m budget and the SOP's 19m total
        cases.append(make_case(i, path, seconds, start=T0 + timedelta(minutes=30 * i)))
    return cases


def report_of(cases: list[CaseSample]) -> SlaReport:
    return build_sla_report(
        PERIOD, [DefinitionCases(DEFINITION, tuple(cases))], generated_at=GENERATED
    )


def ref(n: int) -> str:
    return f"LII-2026-{n:06d}"


def test_step_figures_from_known_durations() -> None:
    d = report_of(ten_cases()).definitions[0]
    verify = next(s for s in d.steps if s.step_id == "verifikasi_sdp")
    assert verify.count == 10
    assert verify.p50 == 155  # median of 150 and 160
    assert verify.p90 == pytest.approx(246)  # 240 + 0.1 * (300 - 240), linear
    assert verify.max == 300
    assert verify.budget_seconds == 150
    assert verify.within_budget == 5 and verify.within_share == 0.5
    assert verify.breaches == [ref(6), ref(7), ref(8), ref(9), ref(10)]
    form = next(s for s in d.steps if s.step_id == "isi_biodata")
    assert form.breaches == [ref(10)] and form.within_share == 0.9
    kabar = next(s for s in d.steps if s.step_id == "kabar_tidak_ditemukan")
    assert (kabar.count, kabar.p50, kabar.within_share) == (3, 400, 0.0)
    assert {s.step_id for s in d.steps}.isdisjoint({"hasil_verifikasi", "cek_persetujuan"})


def test_sop_step_sums_the_steps_of_each_case() -> None:
    d = report_of(ten_cases()).definitions[0]
    three = next(s for s in d.sop_steps if s.sop_step == 3)
    assert three.budget_seconds == 180  # 30s search + 2m30s verification
    assert three.durations == sorted(10 + v for v in VERIFY)
    assert three.breaches == [ref(8), ref(9), ref(10)]  # 210, 250, 310 > 180
    five = next(s for s in d.sop_steps if s.sop_step == 5)
    assert five.count == 7 and five.p50 == 165 and five.within_share == 1.0


def test_lanes_outcomes_and_total_time() -> None:
    d = report_of(ten_cases()).definitions[0]
    divpas = next(lane for lane in d.lanes if lane.lane == "operator_divpas")
    assert divpas.count == 10 and divpas.breaches == [ref(6), ref(7), ref(8), ref(9), ref(10)]
    assert divpas.name == "Operator Divpas"
    outcomes = {o.outcome: (o.count, o.share) for o in d.outcomes}
    assert outcomes == {"tidak_ditemukan": (3, 0.3), "informasi_diberikan": (7, 0.7)}
    assert d.total.promised_seconds == {
        "selesai_tidak_ditemukan": 19 * 60,
        "selesai_informasi_diberikan": 19 * 60,
    }
    # found: 300+10+v+5+100+60; not found: 300+10+v+400; case 10: 900+10+300+165
    assert d.total.max == 1375
    assert d.total.breaches == [ref(10)]
    assert d.total.within_share == 0.9
    assert (d.cases, d.completed, d.open, d.failed) == (10, 10, 0, 0)


def test_open_case_counts_as_open_and_leaves_its_open_step_out() -> None:
    waiting = make_case(11, NOT_FOUND, {"verifikasi_sdp": 999}, open_from=3)
    d = report_of([*ten_cases(), waiting]).definitions[0]
    assert (d.cases, d.completed, d.open) == (11, 10, 1)
    verify = next(s for s in d.steps if s.step_id == "verifikasi_sdp")
    assert verify.count == 10 and verify.max == 300
    three = next(s for s in d.sop_steps if s.sop_step == 3)
    assert three.count == 10  # the case is still in SOP step 3
    assert d.total.count == 10 and ref(11) not in d.total.breaches


def test_empty_period_gives_an_empty_report() -> None:
    report = build_sla_report(PERIOD, [], generated_at=GENERATED)
    assert report.empty
    assert "Tidak ada permohonan pada periode ini." in render_html(report)
    assert render_csv(report).strip() == ",".join(CSV_COLUMNS)
    assert json.loads(render_json(report))["definitions"] == []
    assert "Tidak ada permohonan" in summary_markdown(report) and summary_table(report) == []
    assert render_pdf(report).startswith(b"%PDF")


def test_flat_renderings_carry_the_figures() -> None:
    report = report_of(ten_cases())
    rows = [line.split(",") for line in render_csv(report).splitlines()]
    assert rows[0][:4] == ["kelompok", "definisi", "versi", "kunci"]
    verify = next(r for r in rows if r[0] == "kegiatan" and r[3] == "verifikasi_sdp")
    assert verify[CSV_COLUMNS.index("p90_detik")] == "246"
    assert verify[CSV_COLUMNS.index("porsi_dalam_batas")] == "0.5"
    data = json.loads(render_json(report))
    assert data["definitions"][0]["total"]["breaches"] == [ref(10)]
    assert "diagram" not in data["definitions"][0]
    html = render_html(report)
    assert "<svg" in html and "batas 2 menit 30 detik" in html and ref(10) in html
    table = summary_table(report)
    assert any(r["kegiatan"] == "verifikasi_sdp" and r["p90"] == "4 menit 6 detik" for r in table)


def test_diagram_colours_follow_breach_shares() -> None:
    d = report_of(ten_cases()).definitions[0]
    boxes = {b.step_id: b for b in d.diagram.boxes}
    assert boxes["verifikasi_sdp"].breach_share == 0.5
    assert boxes["kabar_tidak_ditemukan"].breach_share == 1.0
    assert boxes["hasil_verifikasi"].breach_share is None  # a gateway has no budget
    assert len(d.diagram.lanes) == len(DEFINITION.lanes)


def test_percentile_and_histogram_edges() -> None:
    assert p90([42.0]) == 42.0
    hist = histogram([5, 10, 100], 60)
    assert sum(bar.count for bar in hist.bars) == 3
    assert hist.x_max >= 100 and hist.budget == 60
    assert all(bar.over_budget == (bar.low >= 60) for bar in hist.bars)


def test_period_is_office_days_in_utc() -> None:
    period = Period(date(2026, 11, 27), date(2026, 11, 28), "Asia/Jakarta")
    assert period.start == datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 28, 17, 0, tzinfo=UTC)


def test_steps_waiting_past_their_budget_are_open_breaches() -> None:
    """Cases still waiting at the report's time: past the budget they are listed and counted as
    open breaches, apart from the finished visits over budget; within it they are not."""
    late = make_case(11, NOT_FOUND, {"cari_sdp": 10}, start=T0, open_from=3)
    fresh_start = GENERATED - timedelta(seconds=40)  # verification began 30 s before the report
    fresh = make_case(12, NOT_FOUND, {"cari_sdp": 10}, start=fresh_start, open_from=3)
    d = report_of([*ten_cases(), late, fresh]).definitions[0]
    verify = next(s for s in d.steps if s.step_id == "verifikasi_sdp")
    assert verify.open_breaches == [ref(11)]
    assert ref(11) not in verify.breaches and verify.count == 10
    assert d.open_breaches == [ref(11)]
    three = next(s for s in d.sop_steps if s.sop_step == 3)
    assert three.open_breaches == [ref(11)] and three.count == 10
    divpas = next(lane for lane in d.lanes if lane.lane == "operator_divpas")
    assert divpas.open_breaches == [ref(11)]
    assert verify.lane_name == "Operator Divpas"
    data = json.loads(render_json(report_of([late])))
    assert data["definitions"][0]["open_breaches"] == [ref(11)]
    assert {"breaches", "within_share", "p90"} <= data["definitions"][0]["steps"][0].keys()


def test_the_report_speaks_bahasa_indonesia_and_separates_open_from_closed_breaches() -> None:
    late = make_case(11, NOT_FOUND, {"cari_sdp": 10}, start=T0, open_from=3)
    report = report_of([*ten_cases(), late])
    html = render_html(report)
    assert "Laporan Waktu Layanan (SLA): 27 November 2026" in html
    assert "Dibuat 28 November 2026 08.00 WIB" in html
    for english in ("SLA report", "Cases", "Over budget", "Per lane", "visits", "budget "):
        assert english not in html, english
    assert "Operator Divpas" in html and "<td>operator_divpas</td>" not in html
    steps = html[html.index('class="steps"') :]
    row = steps[steps.index('id="step-verifikasi_sdp"') :].split("</tr>")[0]
    closed, still_open = row.split('<td class="open">')
    assert ref(11) in still_open and ref(11) not in closed and ref(10) in closed
    assert 'id="open-breaches">Masih menunggu, lewat batas<b>1</b>' in html
    markdown = summary_markdown(report)
    assert "Ringkasan SLA 27 November 2026" in markdown and "lewat batas waktu: **1**" in markdown
    rows = [line.split(",") for line in render_csv(report).splitlines()]
    verify = next(r for r in rows if r[0] == "kegiatan" and r[3] == "verifikasi_sdp")
    assert verify[CSV_COLUMNS.index("masih_menunggu_lewat_batas")] == ref(11)
    assert ref(11) not in verify[CSV_COLUMNS.index("melewati_batas_selesai")]


def test_stalled_cases_are_counted_and_their_waiting_step_is_an_open_breach() -> None:
    """A case parked as `stalled` (waiting for `sopflow case retry`) is counted apart and its
    unfinished step still counts against the budget."""
    stalled = make_case(13, NOT_FOUND, {"cari_sdp": 10}, start=T0, open_from=3)
    stalled = dataclasses.replace(stalled, status="stalled")
    d = report_of([*ten_cases(), stalled]).definitions[0]
    assert d.stalled == 1 and d.open == 1
    assert d.open_breaches == [ref(13)]
    html = render_html(report_of([*ten_cases(), stalled]))
    assert 'id="stalled"' in html and "case retry" in html
    assert "macet 1" in summary_markdown(report_of([stalled]))
