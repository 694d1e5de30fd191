"""The second SOP end to end: Pengaduan Layanan, written as an administrator would (YAML,
templates and roster lines in tests/fixtures/definitions/pengaduan_layanan, no code).

`sopflow validate` accepts it; the public form is sent over HTTP to the intake, which starts the
case on a real Prefect server (PostgreSQL, started here on 127.0.0.1); the in-process runner runs
it; the complaints officer decides through `POST /api/flow_runs/{id}/resume` as the Prefect UI
does; each branch sends its own templates to an SMTP server and a WhatsApp gateway stand-in.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlmodel import select
from typer.testing import CliRunner

from adapters.case_links import CaseLinkSigner
from adapters.cli.app import app as cli
from adapters.cli.runtime_commands import budget_watches
from adapters.db import case_repository as repo
from adapters.db.case_tables import Case, Decision, StepRecord
from adapters.db.engine import make_engine, session_scope
from adapters.db.migrate import upgrade
from adapters.intake.app import create_app
from adapters.notify.apprise_notifier import AppriseNotifier
from adapters.notify.channels import default_channel_config, parse_channel_config
from adapters.notify.outbox_table import OutboxMessage
from adapters.prefect.deploy import deploy
from adapters.prefect.starter import PrefectCaseStarter
from adapters.roster import Roster, load_roster
from adapters.sdp.sql_directory import SqlSdpDirectory
from adapters.settings import get_settings
from adapters.storage.fake_store import InMemoryObjectStore
from process_definitions.loader import load_definition
from tasks.operator_input import operator_choice
from tasks.services import CaseServices, entered_services
from tests.support.case_runner import running_case_worker
from tests.support.definition_folders import PENGADUAN, REPO, office_roster_file
from tests.support.gateway_server import LocalGateway
from tests.support.prefect_ops import input_schema, resume, wait_for_state
from tests.support.prefect_server import prefect_on_postgres
from tests.support.smtp_server import LocalSmtpServer

pytestmark = pytest.mark.integration

SOP = load_definition(PENGADUAN)
FORM = "/pengaduan-layanan"
SECRET = "pengaduan-e2e-secret-0123456789"


@dataclass
class Office:
    api_url: str
    client: TestClient  # the public intake serving this SOP
    services: CaseServices
    smtp: LocalSmtpServer
    gateway: LocalGateway
    roster: Roster


class PrefectStarter:
    """The intake's real starter, pointed at this test's Prefect server (the intake runs its
    background start on TestClient's own thread, outside the test's Prefect settings)."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url

    async def start_case(
        self, *, case_id: str, reference: str, tags: list[str], after_run: str | None = None
    ) -> str:
        with temporary_settings({PREFECT_API_URL: self.api_url}):
            return await PrefectCaseStarter().start_case(
                case_id=case_id, reference=reference, tags=tags, after_run=after_run
            )


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with prefect_on_postgres("sopflow_prefect", tmp_path_factory.mktemp("prefect")) as url:
        asyncio.run(deploy(REPO / "prefect.yaml", budget_watches([SOP])))
        yield url


@pytest.fixture
def office(tmp_path: Path, prefect_api: str) -> Iterator[Office]:
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    upgrade(url)
    engine = make_engine(url)
    smtp, gateway = LocalSmtpServer(), LocalGateway()
    smtp.start()
    gateway.start()
    config = parse_channel_config(
        {
            "channels": {
                "email": {"url": smtp.mailto_url(), "recipient": "email", "format": "html"},
                "whatsapp": gateway.waha_url(),
                "supervisor": default_channel_config().channels["supervisor"].model_dump(),
            }
        }
    )
    roster = load_roster(office_roster_file(tmp_path / "roster.yaml"))
    signer = CaseLinkSigner(SECRET, "http://testserver")
    services = CaseServices(
        engine=engine,
        sdp=SqlSdpDirectory(engine),  # empty: this SOP never searches it
        notifier=AppriseNotifier(config, outbox_dir=tmp_path / "outbox"),
        channels=config,
        roster=roster,
        links=signer,
        templates_cache=tmp_path / "templates",
        starter=PrefectCaseStarter(),
    )
    app = create_app(
        definitions=[SOP],
        engine=engine,
        store=InMemoryObjectStore(),
        starter=PrefectStarter(prefect_api),
        signer=signer,
        secret_key=SECRET,
        public_base_url="http://testserver",
    )
    try:
        with entered_services(services), running_case_worker(prefect_api, services):
            yield Office(prefect_api, TestClient(app), services, smtp, gateway, roster)
    finally:
        smtp.stop()
        gateway.stop()
        engine.dispose()


def complain(office: Office) -> tuple[dict[str, str], Case]:
    """Fill and send the public form; returns what was typed and the case it created."""
    tag = uuid.uuid4().hex[:6]
    typed = {
        "nama_pelapor": f"Rudi Uji{tag}",
        "email_pelapor": f"rudi.{tag}@example.com",
        "telepon_pelapor": "0813 5555 " + str(int(tag, 16) % 10000).zfill(4),
        "perihal": f"Antrean loket {tag} terlalu lama",
        "isi_pengaduan": "Saya menunggu dua jam di loket pelayanan.",
    }
    page = office.client.get(f"{FORM}/")
    token = re.search(r'name="csrf-token" value="([^"]+)"', page.text)
    assert page.status_code == 200 and token
    response = office.client.post(f"{FORM}/kirim", data={"csrf-token": token.group(1), **typed})
    assert response.status_code == 200, response.text
    found = re.search(r'id="nomor-permohonan">(PGD-\d{4}-\d{6})<', response.text)
    assert found, response.text
    with session_scope(office.services.engine) as session:
        case = repo.get_case_by_reference(session, reference=found.group(1))
        assert case is not None and case.flow_run_id, "the intake did not start the run"
        session.expunge(case)
    return typed, case


def current(office: Office, case_id: str) -> Case:
    with session_scope(office.services.engine) as session:
        case = repo.get_case(session, case_id=case_id)
        session.expunge(case)
        return case


def records(office: Office, case_id: str) -> list[StepRecord]:
    with session_scope(office.services.engine) as session:
        return repo.step_records(session, case_id=case_id)


def outbox(office: Office, case_id: str) -> list[OutboxMessage]:
    with session_scope(office.services.engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.case_id == case_id))
        return list(rows)


def wait_until(check: Any, what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_definition_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the office's roster holding this SOP's roster lines (its operator lane)."""
    monkeypatch.setenv("SOPFLOW_ROSTER_FILE", str(office_roster_file(tmp_path / "roster.yaml")))
    monkeypatch.setenv("SOPFLOW_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["validate", str(PENGADUAN)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert f"{PENGADUAN}: OK" in result.output
    assert "id pengaduan-layanan, version 1" in result.output


def test_the_officer_decides_through_the_prefect_api(office: Office) -> None:
    _typed, case = complain(office)
    run_id = str(case.flow_run_id)
    wait_for_state(office.api_url, run_id, {"PAUSED"})
    wait_until(lambda: current(office, case.id).current_step == "telaah_pengaduan", "the user task")
    schema = input_schema(office.api_url, run_id)
    assert set(schema["required"]) >= {"tindak_lanjut", "catatan_petugas", "nip_petugas"}
    choices = str(schema)
    assert "ditindaklanjuti" in choices and "ditolak" in choices
    # the form's NIP choices read "NIP - Nama"; the decision records the NIP
    officers = [operator_choice(o) for o in office.roster.root["petugas_pengaduan"]]
    nips = office.roster.nips("petugas_pengaduan")
    other_lane = operator_choice(office.roster.root["operator_divpas"][0])
    for bad in (
        {"tindak_lanjut": "ditolak", "nip_petugas": officers[0]},  # the note is required
        {"tindak_lanjut": "dibatalkan", "catatan_petugas": "x", "nip_petugas": officers[0]},
        {"tindak_lanjut": "ditolak", "catatan_petugas": "x", "nip_petugas": other_lane},
    ):
        assert resume(office.api_url, run_id, bad)["status"] in ("REJECT", "ABORT"), bad
    note = "Bukan kewenangan kantor wilayah; silakan ke Lapas terkait."
    answer = {"tindak_lanjut": "ditolak", "catatan_petugas": note, "nip_petugas": officers[1]}
    assert resume(office.api_url, run_id, answer)["status"] == "ACCEPT"

    def decided() -> Decision | None:
        with session_scope(office.services.engine) as session:
            found = session.exec(select(Decision).where(Decision.case_id == case.id)).first()
            if found is not None:
                session.expunge(found)
            return found

    decision = wait_until(decided, "the decision")
    assert decision.step_id == "telaah_pengaduan" and decision.operator_nip == nips[1]
    assert decision.values["tindak_lanjut"] == "ditolak"

    # The gateway routed the rejection to its own notify step (the case stands there or went
    # through it).
    def reached(step_id: str) -> bool:
        steps = {r.step_id for r in records(office, case.id)}
        return current(office, case.id).current_step == step_id or step_id in steps

    wait_until(lambda: reached("kabar_ditolak"), "the rejection branch")
    assert "cek_tindak_lanjut" in {r.step_id for r in records(office, case.id)}
    assert not reached("kabar_ditindaklanjuti")


@pytest.mark.parametrize(
    ("decision", "subject", "sentence"),
    [
        ("ditindaklanjuti", "Pengaduan Anda ditindaklanjuti", "Pengaduan Anda DITINDAKLANJUTI."),
        ("ditolak", "Pengaduan Anda tidak dapat diproses", "pengaduan ini TIDAK DAPAT DIPROSES"),
    ],
)
def test_each_branch_completes_and_sends_its_own_messages(
    office: Office, decision: str, subject: str, sentence: str
) -> None:
    typed, case = complain(office)
    run_id = str(case.flow_run_id)
    wait_for_state(office.api_url, run_id, {"PAUSED"})
    note = f"Catatan petugas {uuid.uuid4().hex[:6]}."
    officer = operator_choice(office.roster.root["petugas_pengaduan"][0])
    answer = {"tindak_lanjut": decision, "catatan_petugas": note, "nip_petugas": officer}
    assert resume(office.api_url, run_id, answer)["status"] == "ACCEPT"
    final = wait_for_state(office.api_url, run_id, {"COMPLETED", "FAILED", "CRASHED"})
    assert final["state"]["type"] == "COMPLETED", final["state"].get("message")
    done = current(office, case.id)
    assert done.status == "completed" and done.outcome == decision
    notify, end = f"kabar_{decision}", f"selesai_{decision}"
    assert [r.step_id for r in records(office, case.id)] == [
        "tulis_pengaduan",
        "telaah_pengaduan",
        "cek_tindak_lanjut",
        notify,
        end,
    ]
    rows = outbox(office, case.id)
    assert sorted((m.channel, m.status) for m in rows) == [("email", "sent"), ("whatsapp", "sent")]
    (mail,) = [m for m in office.smtp.messages if typed["email_pelapor"] in m.rcpt_tos]
    assert str(mail.message["Subject"]) == f"[{case.reference}] {subject}: {typed['perihal']}"
    email = next(m for m in rows if m.channel == "email")
    assert sentence in email.body_text and note in email.body_text
    assert f"Yth. {typed['nama_pelapor']}," in email.body_text
    chat = "62" + typed["telepon_pelapor"].replace(" ", "")[1:] + "@c.us"
    (text,) = [r.json()["text"] for r in office.gateway.requests if r.json()["chatId"] == chat]
    assert case.reference in text and note in text and typed["perihal"] in text
