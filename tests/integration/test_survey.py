"""The SKM survey end to end: a case's one-time link, the page, one answer, purge, the report."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import select
from typer.testing import CliRunner

from adapters.cli.app import app as cli
from adapters.db.engine import make_engine, session_scope
from adapters.reports.period import Period
from adapters.reports.skm import skm_report
from adapters.reports.skm_render import render_skm
from adapters.retention.purge import purge
from adapters.storage.fake_store import InMemoryObjectStore
from adapters.survey.links import survey_link_for_case
from adapters.survey.tables import SurveyAnswer, SurveyToken
from tests.integration.test_intake_app import SECRET, make_intake
from tests.support.case_day import DAY_START, FOUND_PATH, NOT_FOUND_PATH, build_case, sop

pytestmark = pytest.mark.integration
TTL = timedelta(days=14)
CSRF = re.compile(r'name="csrf-token" value="([^"]+)"')
HOSTILE = '=HYPERLINK("http://x") <script>alert(1)</script>'


def ended_case(engine: Engine, name: str = "Dewi Lestari", path: list = FOUND_PATH) -> str:  # type: ignore[type-arg]
    return build_case(
        engine, sop(), name=name, opened_at=DAY_START, form_seconds=60, path=path
    ).case_id


def link(engine: Engine, case_id: str, end: str, now: datetime = DAY_START) -> str | None:
    with session_scope(engine) as session:
        return survey_link_for_case(
            session,
            case_id=case_id,
            end_step_id=end,
            secret=SECRET,
            base_url="http://testserver/",
            now=now,
            ttl=TTL,
        )


def test_link_once_per_case_only_where_offered(migrated_engine: Engine) -> None:
    case_id = ended_case(migrated_engine)
    first = link(migrated_engine, case_id, "selesai_informasi_diberikan")
    assert first is not None and first.startswith("http://testserver/survei/")
    # asked again (a retried notify step): the same link, the first expiry kept
    assert link(migrated_engine, case_id, "selesai_informasi_diberikan", DAY_START + TTL) == first
    assert link(migrated_engine, case_id, "not_an_offered_end") is None
    with session_scope(migrated_engine) as session:
        rows = session.exec(select(SurveyToken)).all()
        assert len(rows) == 1
        assert rows[0].token_hash != first.rsplit("/", 1)[1]  # only the hash is stored
        assert rows[0].expires_at.replace(tzinfo=UTC) == DAY_START + TTL
    # neither table can be joined to the case
    assert "case_id" not in SurveyToken.__table__.columns  # type: ignore[attr-defined]
    assert "case_id" not in SurveyAnswer.__table__.columns  # type: ignore[attr-defined]


def test_a_link_answers_once(migrated_engine: Engine) -> None:
    from adapters.survey.errors import SurveyLinkError

    case_id = ended_case(migrated_engine)
    store_answer(migrated_engine, case_id, "selesai_informasi_diberikan", 4)
    with pytest.raises(SurveyLinkError) as caught:
        store_answer(migrated_engine, case_id, "selesai_informasi_diberikan", 1)
    assert caught.value.reason == "used"
    with session_scope(migrated_engine) as session:
        assert session.exec(select(func.count()).select_from(SurveyAnswer)).one() == 1


def answer_form(client: TestClient, path: str, **overrides: str) -> dict[str, str]:
    page = client.get(path)
    assert page.status_code == 200, page.text
    match = CSRF.search(page.text)
    assert match
    data = {f"u{i}": str(1 + i % 4) for i in range(1, 10)}
    data.update({"csrf-token": match.group(1), "saran": HOSTILE})
    data.update(overrides)
    return data


def test_survey_page_takes_one_answer(sqlite_url: str) -> None:
    from adapters.db.migrate import upgrade

    upgrade(sqlite_url)
    intake = make_intake(sqlite_url)
    intake.clock.now = DAY_START + timedelta(hours=1)
    case_id = ended_case(intake.engine)
    url = link(intake.engine, case_id, "selesai_informasi_diberikan", intake.clock.now)
    assert url is not None
    path = url.removeprefix("http://testserver")
    client = intake.client

    page = client.get(path)
    assert page.text.count('type="radio"') == 36  # nine elements, four answers each
    assert "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif" in page.text
    # nothing personal is asked: the 36 radios, the token, one free-text suggestion
    assert page.text.count("<input") == 37 and page.text.count("<textarea") == 1

    no_csrf = client.post(path, data={**answer_form(client, path), "csrf-token": "x"})
    assert no_csrf.status_code == 403
    incomplete = answer_form(client, path)
    del incomplete["u7"]
    refused = client.post(path, data=incomplete)
    assert refused.status_code == 422 and "s-u7-error" in refused.text
    too_long = client.post(path, data=answer_form(client, path, saran="x" * 1001))
    assert too_long.status_code == 422 and "paling banyak 1.000 karakter" in too_long.text

    done = client.post(path, data=answer_form(client, path))
    assert done.status_code == 200 and "Terima kasih" in done.text
    again = client.post(path, data={"u1": "4"})
    assert again.status_code == 410 and "sudah diisi" in again.text
    assert client.get(path).status_code == 410

    with session_scope(intake.engine) as session:
        answers = session.exec(select(SurveyAnswer)).all()
    assert len(answers) == 1
    stored = answers[0]
    assert stored.answered_on == date(2026, 11, 27)  # the office day in WIB, no time of day
    assert [getattr(stored, f"u{i}") for i in range(1, 10)] == [1 + i % 4 for i in range(1, 10)]

    report = skm_report(
        intake.engine,
        Period(date(2026, 11, 27), date(2026, 11, 27), "Asia/Jakarta"),
        generated_at=DAY_START,
    )
    html = render_skm(report, "html").decode()
    assert "<script>" not in html and "&lt;script&gt;" in html
    csv_text = render_skm(report, "csv").decode()
    assert "'=HYPERLINK" in csv_text
    assert render_skm(report, "pdf").startswith(b"%PDF")
    intake.engine.dispose()


def test_expired_and_unknown_links_get_clear_pages(sqlite_url: str) -> None:
    from adapters.db.migrate import upgrade

    upgrade(sqlite_url)
    intake = make_intake(sqlite_url)
    case_id = ended_case(intake.engine)
    url = link(intake.engine, case_id, "selesai_informasi_diberikan", DAY_START)
    assert url is not None
    intake.clock.now = DAY_START + TTL + timedelta(seconds=1)
    expired = intake.client.get(url.removeprefix("http://testserver"))
    assert expired.status_code == 410 and "kedaluwarsa" in expired.text
    unknown = intake.client.get("/survei/" + "A" * 43)
    assert unknown.status_code == 404 and "tidak dikenal" in unknown.text
    intake.engine.dispose()


def store_answer(engine: Engine, case_id: str, end: str, scores: int) -> None:
    from adapters.survey.answers import submit_answer

    url = link(engine, case_id, end)
    assert url is not None
    with session_scope(engine) as session:
        submit_answer(
            session,
            url.rsplit("/", 1)[1],
            scores={f"u{i}": scores for i in range(1, 10)},
            suggestion=None,
            now=DAY_START + timedelta(hours=2),
            office_day=date(2026, 11, 27),
        )


def test_answers_survive_purge_and_appear_in_the_cli_report(
    cli_env: CliRunner, database_url: str
) -> None:
    from adapters.db.migrate import upgrade

    upgrade(database_url)
    engine = make_engine(database_url)
    found = ended_case(engine)
    not_found = ended_case(engine, "Agus Salim", NOT_FOUND_PATH)
    store_answer(engine, found, "selesai_informasi_diberikan", 4)
    store_answer(engine, not_found, "selesai_tidak_ditemukan", 3)
    result = purge(
        engine, store=InMemoryObjectStore(), now=DAY_START + timedelta(days=400), actor="admin"
    )
    assert len(result.purged) == 2
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(SurveyAnswer)).one() == 2
    engine.dispose()

    out = cli_env.invoke(
        cli, ["report", "skm", "--from", "2026-11-27", "--to", "2026-11-27", "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert report["respondents"] == 2 and report["cases"] == 2
    assert report["required_sample"] == 2
    assert [row["nrr"] for row in report["unsur"]] == [3.5] * 9
    assert report["ikm"] == 87.41 and report["mutu"] == "B" and report["kinerja"] == "Baik"
    bad = cli_env.invoke(cli, ["report", "skm", "--from", "x", "--to", "2026-11-27"])
    assert bad.exit_code != 0
