"""The case runtime against a real Prefect server on PostgreSQL (started here, on 127.0.0.1).

Cases run from the `run-case` deployment in the in-process runner; operators answer through
`POST /api/flow_runs/{id}/resume` exactly as the Prefect UI's form does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlmodel import select

from adapters.case_links import CaseLinkSigner
from adapters.cli.runtime_commands import budget_watches
from adapters.db import case_repository as repo
from adapters.db.audit import verify_chain
from adapters.db.case_tables import Case, Decision, StepRecord
from adapters.db.engine import make_engine, session_scope
from adapters.db.migrate import upgrade
from adapters.local_prefect import start_local_prefect
from adapters.notify.apprise_notifier import AppriseNotifier
from adapters.notify.channels import default_channel_config, parse_channel_config
from adapters.notify.outbox_table import OutboxMessage
from adapters.prefect.deploy import BudgetWatch, _sync_automations, deploy
from adapters.prefect.starter import PrefectCaseStarter
from adapters.roster import load_roster
from adapters.sdp.demo import load_demo_directory
from adapters.sdp.sql_directory import SqlSdpDirectory
from process_definitions.loader import load_definition
from process_definitions.model import UserTaskStep
from tasks.form_links import renew_form_link
from tasks.notify_step import SURVEY_PLACEHOLDER
from tasks.operator_input import operator_choice
from tasks.services import CaseServices, entered_services
from tests.support.databases import temporary_postgres_database
from tests.support.gateway_server import LocalGateway
from tests.support.prefect_clients import drain_prefect_clients
from tests.support.prefect_ops import description_markdown, input_schema, resume, wait_for_state
from tests.support.smtp_server import LocalSmtpServer

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SOP = load_definition(REPO / "process_definitions" / "layanan_informasi_integrasi" / "process.yaml")
DIVPAS, INTEGRASI = load_roster().nips("operator_divpas"), load_roster().nips("operator_integrasi")
# What the form's NIP dropdown offers and returns: "NIP - Nama".
PICK_DIVPAS = [operator_choice(o) for o in load_roster().root["operator_divpas"]]
PICK_INTEGRASI = [operator_choice(o) for o in load_roster().root["operator_integrasi"]]


@dataclass
class PrefectEnv:
    api_url: str
    database_dsn: str  # Prefect's own database, for the personal-data scan
    home: Path


@pytest.fixture(scope="module")
def prefect_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectEnv]:
    with temporary_postgres_database("sopflow_prefect") as url:
        asyncpg_url = url.replace("postgresql+psycopg://", "postgresql+asyncpg://")
        home = tmp_path_factory.mktemp("prefect")
        server = start_local_prefect(home, database_url=asyncpg_url)
        try:
            with temporary_settings({PREFECT_API_URL: server.api_url}):
                asyncio.run(deploy(REPO / "prefect.yaml", budget_watches([SOP])))
                dsn = url.replace("postgresql+psycopg://", "postgresql://")
                yield PrefectEnv(server.api_url, dsn, home)
        finally:
            drain_prefect_clients()
            server.stop()


@dataclass
class CaseEnv:
    services: CaseServices
    outbox_dir: Path
    database_url: str
    smtp: LocalSmtpServer
    gateway: LocalGateway


@pytest.fixture
def case_env(tmp_path: Path, prefect_env: PrefectEnv) -> Iterator[CaseEnv]:
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    upgrade(url)
    engine = make_engine(url)
    load_demo_directory(engine)
    smtp, gateway = LocalSmtpServer(), LocalGateway()
    smtp.start()
    gateway.start()
    config = parse_channel_config(
        {
            "channels": {
                "email": {"url": smtp.mailto_url(), "recipient": "email", "format": "html"},
                "whatsapp": gateway.waha_url(),  # a WAHA gateway stand-in, real HTTP
                "supervisor": default_channel_config().channels["supervisor"].model_dump(),
            }
        }
    )
    services = CaseServices(
        engine=engine,
        sdp=SqlSdpDirectory(engine),
        notifier=AppriseNotifier(config, outbox_dir=tmp_path / "outbox"),
        channels=config,
        roster=load_roster(),
        links=CaseLinkSigner("s" * 32, "http://127.0.0.1:8000"),
        templates_cache=tmp_path / "templates",
        starter=PrefectCaseStarter(),
        # These tests are about suspensions (re-runs, run inputs, claims): a run suspends at
        # once. The brief in-process pause before it has tests of its own, below.
        decision_grace_seconds=0,
    )
    with entered_services(services):
        yield CaseEnv(services, tmp_path / "outbox", url, smtp, gateway)
    smtp.stop()
    gateway.stop()
    engine.dispose()


class WorkerThread:
    """A `CaseWorker` on its own thread and event loop, with the test's services entered."""

    def __init__(self, api_url: str, services: CaseServices, name: str) -> None:
        self.api_url, self.services, self.name = api_url, services, name
        self.claimed: list[tuple[str, str]] = []  # (flow run id, scheduled state) run here
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, daemon=True)

    def _main(self) -> None:
        from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, PREFECT_WORKER_QUERY_SECONDS

        from adapters.prefect.deploy import WORK_POOL
        from adapters.prefect.worker import CaseWorker
        from flows.case_flow import run_case
        from flows.supervisor_alert_flow import alert_supervisor

        async def go() -> None:
            self.loop = asyncio.get_running_loop()
            self.worker = CaseWorker(
                WORK_POOL,
                name=self.name,
                flows={
                    "flows/case_flow.py:run_case": run_case,
                    "flows/supervisor_alert_flow.py:alert_supervisor": alert_supervisor,
                },
                prefetch_seconds=1,
            )
            original = self.worker.run

            async def recording_run(
                flow_run: Any, configuration: Any, task_status: Any = None
            ) -> Any:
                # The scheduled state it was claimed from: a second claim of the same one
                # would be a double run (run_count does not count resumed executions).
                self.claimed.append((str(flow_run.id), str(flow_run.state.id)))
                return await original(flow_run, configuration, task_status)

            self.worker.run = recording_run  # type: ignore[method-assign]
            self.task = asyncio.current_task()
            self._ready.set()
            await self.worker.start()

        settings = {
            PREFECT_API_URL: self.api_url,
            PREFECT_WORKER_QUERY_SECONDS: 0.2,
            PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 30,
        }
        with (
            temporary_settings(settings),
            entered_services(self.services),
            contextlib.suppress(asyncio.CancelledError),
        ):
            asyncio.run(go())

    def start(self) -> WorkerThread:
        self._thread.start()
        assert self._ready.wait(30)
        return self

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.task.cancel)  # type: ignore[union-attr]
        self._thread.join(30)


@pytest.fixture
def runner(prefect_env: PrefectEnv, case_env: CaseEnv) -> Iterator[WorkerThread]:
    """An in-process worker for this test."""
    worker = WorkerThread(prefect_env.api_url, case_env.services, f"test-{uuid.uuid4().hex[:6]}")
    yield worker.start()
    worker.stop()


def applicant(prisoner: str) -> dict[str, Any]:
    """Distinctive personal values, so the scan can find any leak of them."""
    tag = uuid.uuid4().hex[:6]
    now = datetime.now(UTC).isoformat()
    return {
        "nama_pemohon": f"Dewi Lestari Uji{tag}",
        "hubungan_pemohon": "keluarga",
        "alamat_pemohon": f"Jalan Melati Nomor {tag}, Serang",
        "telepon_pemohon": "+6281234567" + str(int(tag, 16) % 1000).zfill(3),
        "nama_penjamin": f"Agus Salim Penjamin{tag}",
        "hubungan_penjamin": "Suami",
        "alamat_penjamin": f"Jalan Kenanga {tag}, Cilegon",
        "telepon_penjamin": "+6285711112" + str(int(tag, 16) % 1000).zfill(3),
        "nama_narapidana": prisoner,
        "foto_ktp": {
            "object_key": f"ktp/{tag}",
            "content_type": "image/jpeg",
            "size": 1000,
            "kind": "jpg",
        },
        "email_pemohon": f"dewi.{tag}@example.com",
        "informasi_dibutuhkan": "pembebasan_bersyarat",
        "pernyataan": {"accepted": True, "statement_version": "2026-11", "accepted_at": now},
        "waktu_pengisian": now,
    }


def submit(env: CaseEnv, form: dict[str, Any]) -> tuple[str, str]:
    with session_scope(env.services.engine) as session:
        case = repo.create_case(session, loaded=SOP, form_data=form, submitted_at=datetime.now(UTC))
        case_id, reference = case.id, case.reference
    flow_run_id = asyncio.run(
        PrefectCaseStarter().start_case(
            case_id=case_id, reference=reference, tags=["definition:layanan-informasi-integrasi"]
        )
    )
    return case_id, flow_run_id


def wait_for_case(
    env: CaseEnv, case_id: str, *, status: str, step: str | None = None, timeout: float = 60
) -> Case:
    deadline = time.monotonic() + timeout
    case = None
    while time.monotonic() < deadline:
        with session_scope(env.services.engine) as session:
            case = repo.get_case(session, case_id=case_id)
        if case.status == status and (step is None or case.current_step == step):
            return case
        time.sleep(0.2)
    raise AssertionError(f"case not {status}/{step}: {case and (case.status, case.current_step)}")


def records(env: CaseEnv, case_id: str) -> list[StepRecord]:
    with session_scope(env.services.engine) as session:
        return repo.step_records(session, case_id=case_id)


def outbox(env: CaseEnv, case_id: str) -> list[OutboxMessage]:
    with session_scope(env.services.engine) as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.case_id == case_id)))


def assert_delivered(env: CaseEnv, form: dict[str, Any], reference: str) -> tuple[Any, Any]:
    """Exactly one email at the SMTP server and one message at the gateway, for this case."""
    mails = [m for m in env.smtp.messages if form["email_pemohon"] in m.rcpt_tos]
    assert len(mails) == 1
    assert reference in str(mails[0].message["Subject"])
    chat = f"{form['telepon_pemohon'][1:]}@c.us"
    texts = [r.json() for r in env.gateway.requests if r.json().get("chatId") == chat]
    assert len(texts) == 1 and reference in texts[0]["text"]
    return mails[0], texts[0]


SEEN_VALUES: list[str] = []  # personal values of every case this module ran


def remember(form: dict[str, Any]) -> None:
    for key in (
        "nama_pemohon",
        "alamat_pemohon",
        "telepon_pemohon",
        "nama_penjamin",
        "alamat_penjamin",
        "telepon_penjamin",
        "nama_narapidana",
        "email_pemohon",
    ):
        SEEN_VALUES.append(str(form[key]))
    SEEN_VALUES.append("0" + str(form["telepon_pemohon"])[3:])  # the local form 08…


def test_not_found_branch(prefect_env: PrefectEnv, case_env: CaseEnv, runner: WorkerThread) -> None:
    form = applicant("Nama Yang Tidak Ada Sama Sekali")
    remember(form)
    case_id, run_id = submit(case_env, form)
    wait_for_state(prefect_env.api_url, run_id, {"PAUSED"})
    case = wait_for_case(case_env, case_id, status="waiting", step="verifikasi_sdp")
    assert case.variables["candidates"] == [] or all(
        c["score"] < 100 for c in case.variables["candidates"]
    )
    schema = input_schema(prefect_env.api_url, run_id)
    assert set(schema["required"]) == {"keputusan", "nip_verifikator"}
    assert "tidak_ditemukan" in json.dumps(schema)
    markdown = description_markdown(prefect_env.api_url, run_id)
    assert case.reference in markdown and "/berkas/" in markdown

    answer = resume(
        prefect_env.api_url,
        run_id,
        {"keputusan": "tidak_ditemukan", "nip_verifikator": PICK_DIVPAS[0]},
    )
    assert answer["status"] == "ACCEPT"
    wait_for_state(prefect_env.api_url, run_id, {"COMPLETED"})
    case = wait_for_case(case_env, case_id, status="completed")
    assert case.outcome == "tidak_ditemukan"
    steps = [r.step_id for r in records(case_env, case_id)]
    assert steps == [
        "buka_formulir",
        "isi_biodata",
        "cari_sdp",
        "verifikasi_sdp",
        "hasil_verifikasi",
        "kabar_tidak_ditemukan",
        "selesai_tidak_ditemukan",
    ]
    messages = outbox(case_env, case_id)
    assert sorted((m.channel, m.status) for m in messages) == [
        ("email", "sent"),
        ("whatsapp", "sent"),
    ]
    assert {m.recipient for m in messages} == {form["email_pemohon"], form["telepon_pemohon"][1:]}
    assert_delivered(case_env, form, case.reference)
    with session_scope(case_env.services.engine) as session:
        assert verify_chain(session)[1] is None
        decision = session.exec(select(Decision).where(Decision.case_id == case_id)).one()
        assert decision.operator_nip == DIVPAS[0]
        assert decision.values == {"keputusan": "tidak_ditemukan"}


def test_found_branch_refuses_bad_answers(
    prefect_env: PrefectEnv, case_env: CaseEnv, runner: WorkerThread
) -> None:
    form = applicant("Muhammad Rizki bin Sulaiman")
    remember(form)
    case_id, run_id = submit(case_env, form)
    wait_for_state(prefect_env.api_url, run_id, {"PAUSED"})
    case = wait_for_case(case_env, case_id, status="waiting", step="verifikasi_sdp")
    assert case.variables["candidates"][0]["key"] == "K1"
    assert case.variables["candidates"][0]["no_registrasi"] == "B.I 101/2023"

    # Wrong or empty decisions are refused and the run stays waiting.
    for bad in (
        {},
        {"keputusan": "K9", "nip_verifikator": PICK_DIVPAS[0]},
        {"keputusan": "K1"},
        {"keputusan": "K1", "nip_verifikator": INTEGRASI[0]},
    ):
        assert resume(prefect_env.api_url, run_id, bad)["status"] in ("REJECT", "ABORT"), bad
    assert wait_for_state(prefect_env.api_url, run_id, {"PAUSED"})["state"]["type"] == "PAUSED"

    listed = latest_artifact(prefect_env.api_url, "daftar-kerja-operator-divpas")
    assert case.reference in listed and f"/runs/flow-run/{run_id})" in listed  # the work list
    assert "/v2/runs/" not in listed  # links the V1 run page: its Resume button opens the form
    note = f"Catatan uji {uuid.uuid4().hex[:8]}: pemohon menelepon dari 0812 5550 1234"
    SEEN_VALUES.append(note)  # free text must not stay in Prefect
    answer = {"keputusan": "K1", "nip_verifikator": PICK_DIVPAS[1], "catatan_verifikasi": note}
    assert resume(prefect_env.api_url, run_id, answer)["status"] == "ACCEPT"
    case = wait_for_case(case_env, case_id, status="waiting", step="setujui_jawaban")
    assert case.variables["catatan_verifikasi"] == note  # kept in the case database
    wait_for_state(prefect_env.api_url, run_id, {"PAUSED"})
    assert case.reference not in latest_artifact(
        prefect_env.api_url, "daftar-kerja-operator-divpas"
    )
    keys = [key for key, _ in run_inputs(prefect_env.api_url, run_id)]
    assert keys and not any("verifikasi-sdp" in key for key in keys), keys  # deleted once recorded
    markdown = description_markdown(prefect_env.api_url, run_id)
    assert "Pesan yang akan dikirim" in markdown and "**WhatsApp**" in markdown
    assert "[lihat berkas]" in markdown and form["nama_pemohon"] not in markdown
    assert "**Submit**" in markdown and "3 menit" in markdown
    with session_scope(case_env.services.engine) as session:
        draft = repo.get_case(session, case_id=case_id).variables["draft"]
    assert draft["key"] == "K1" and draft["programmes"]
    assert (
        resume(
            prefect_env.api_url, run_id, {"persetujuan": "kirim", "nip_penyetuju": PICK_DIVPAS[0]}
        )["status"]
        == "REJECT"
    )
    assert (
        resume(
            prefect_env.api_url,
            run_id,
            {"persetujuan": "kirim", "nip_penyetuju": PICK_INTEGRASI[0]},
        )["status"]
        == "ACCEPT"
    )
    wait_for_state(prefect_env.api_url, run_id, {"COMPLETED"})
    case = wait_for_case(case_env, case_id, status="completed")
    assert case.outcome == "informasi_diberikan"
    assert run_inputs(prefect_env.api_url, run_id) == []  # no note, no case-file link left
    sent = {m.channel: m.body_text for m in outbox(case_env, case_id)}
    preview = case.variables["pratinjau_pesan"]["setujui_jawaban"]["messages"]
    # approved == sent; the one-time survey link is made when the message is sent, not shown
    links = {re.search(r"\S*/survei/\S+", text) for text in sent.values()}
    assert all(links), "the last message offers the survey"
    sent_as_previewed = {
        channel: re.sub(r"\S*/survei/\S+", SURVEY_PLACEHOLDER, text)
        for channel, text in sent.items()
    }
    assert {channel: p["text"] for channel, p in preview.items()} == sent_as_previewed
    steps = [r.step_id for r in records(case_env, case_id)]
    assert steps[-5:] == [
        "susun_jawaban",
        "setujui_jawaban",
        "cek_persetujuan",
        "kirim_informasi",
        "selesai_informasi_diberikan",
    ]
    assert len(steps) == len(set(steps)), "a step ran twice"
    email = next(m for m in outbox(case_env, case_id) if m.channel == "email")
    assert case.reference in email.body_text and "perkiraan" in email.body_text.lower()
    _, whatsapp = assert_delivered(case_env, form, case.reference)
    assert "perkiraan" in whatsapp["text"].lower()
    with session_scope(case_env.services.engine) as session:
        actors = [r.actor for r in repo.step_records(session, case_id=case_id)]
        assert DIVPAS[1] in actors and INTEGRASI[0] in actors
        assert verify_chain(session)[1] is None


def test_a_manual_match_is_checked_against_sdp_and_drafts_the_answer(
    prefect_env: PrefectEnv, case_env: CaseEnv, runner: WorkerThread
) -> None:
    """Found another way: an unknown number is refused (the run waits again, saying why); a
    known one is recorded as the manual match and the draft is made from it."""
    form = applicant("Nama Ejaan Lama Yang Tak Tercari")
    remember(form)
    case_id, run_id = submit(case_env, form)
    wait_for_case(case_env, case_id, status="waiting", step="verifikasi_sdp")
    wait_for_state(prefect_env.api_url, run_id, {"PAUSED"})
    # The operator comes 20 minutes late: the runner's maintenance renews the form's link.
    before = description_markdown(prefect_env.api_url, run_id)
    late = replace(case_env.services, clock=lambda: datetime.now(UTC) + timedelta(minutes=20))
    step = SOP.definition.step("verifikasi_sdp")
    assert isinstance(step, UserTaskStep)
    with temporary_settings({PREFECT_API_URL: prefect_env.api_url}):
        renewed = asyncio.run(
            renew_form_link(late, flow_run_id=run_id, case_id=case_id, step=step, visit=1)
        )
    after = description_markdown(prefect_env.api_url, run_id)
    assert renewed and before != after and after.split("/berkas/")[0] == before.split("/berkas/")[0]
    unknown = {
        "keputusan": "manual",
        "no_registrasi_manual": "B.I 9999/2020",
        "nip_verifikator": PICK_DIVPAS[0],
    }
    assert resume(prefect_env.api_url, run_id, unknown)["status"] == "ACCEPT"
    deadline = time.monotonic() + 60
    while "ditolak" not in (markdown := _description_or_empty(prefect_env.api_url, run_id)):
        assert time.monotonic() < deadline, "the run did not wait again"
        time.sleep(0.3)
    assert "tidak ada di direktori SDP" in markdown and "9999" not in markdown
    known = {**unknown, "no_registrasi_manual": "bi-101/2023"}  # another spelling of B.I 101/2023
    assert resume(prefect_env.api_url, run_id, known)["status"] == "ACCEPT"
    case = wait_for_case(case_env, case_id, status="waiting", step="setujui_jawaban")
    manual = [c for c in case.variables["candidates"] if c.get("manual")]
    assert [(c["key"], c["no_registrasi"]) for c in manual] == [("manual", "B.I 101/2023")]
    assert case.variables["draft"]["key"] == "manual"
    with session_scope(case_env.services.engine) as session:
        decision = session.exec(select(Decision).where(Decision.case_id == case_id)).one()
        assert decision.values == {"keputusan": "manual"}
    wait_for_state(prefect_env.api_url, run_id, {"PAUSED"})
    approve = {"persetujuan": "tidak_sesuai", "nip_penyetuju": PICK_INTEGRASI[1]}
    assert resume(prefect_env.api_url, run_id, approve)["status"] == "ACCEPT"
    wait_for_case(case_env, case_id, status="completed")
    assert run_inputs(prefect_env.api_url, run_id) == []


def _description_or_empty(api_url: str, run_id: str) -> str:
    try:
        return description_markdown(api_url, run_id)
    except (httpx.HTTPError, KeyError, TypeError):
        return ""  # between two waits: no keyset yet


def wait_for_suspension(api_url: str, run_id: str, *, timeout: float = 60) -> dict[str, Any]:
    """Suspended (not in its brief in-process pause), with the form saved."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = wait_for_state(api_url, run_id, {"PAUSED"}, timeout=timeout)
        if run["state"]["name"] == "Suspended":
            schema = run["state"]["state_details"]["run_input_keyset"]["schema"]
            if httpx.get(f"{api_url}/flow_runs/{run_id}/input/{schema}").status_code == 200:
                return run
        time.sleep(0.2)
    raise AssertionError(f"flow run {run_id} did not suspend")


def state_names(api_url: str, run_id: str) -> list[str]:
    response = httpx.get(f"{api_url}/flow_run_states/", params={"flow_run_id": run_id})
    response.raise_for_status()
    ordered = sorted(response.json(), key=lambda state: state["timestamp"])
    return [str(state["name"]) for state in ordered]


def run_inputs(api_url: str, run_id: str) -> list[tuple[str, str]]:
    """Every run input Prefect keeps for the run (key, value), as `/input/filter` reads them."""
    response = httpx.post(
        f"{api_url}/flow_runs/{run_id}/input/filter",
        json={"prefix": "", "limit": 200, "exclude_keys": []},
        timeout=10,
    )
    response.raise_for_status()
    return [(str(item["key"]), str(item["value"])) for item in response.json()]


def latest_artifact(api_url: str, key: str) -> str:
    response = httpx.get(f"{api_url}/artifacts/{key}/latest", timeout=10)
    response.raise_for_status()
    artifact = response.json()
    assert artifact["description"] == artifact["data"]  # the key's page shows the description
    return str(artifact["data"])


def runner_env(
    prefect_env: PrefectEnv, case_env: CaseEnv, tmp_path: Path, **settings: str
) -> dict[str, str]:
    """The environment of a `sopflow runner` process on this test's databases."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SOPFLOW_"))}
    env.update(
        PREFECT_API_URL=prefect_env.api_url,
        PREFECT_HOME=str(tmp_path / "prefect-client"),
        SOPFLOW_DATA_DIR=str(tmp_path / "var"),
        SOPFLOW_DATABASE_URL=case_env.database_url,
        SOPFLOW_NOTIFY_RETRY_BASE_SECONDS="1",
        SOPFLOW_SECRET_KEY="k" * 32,
        SOPFLOW_AUDIT_KEY=os.environ["SOPFLOW_AUDIT_KEY"],  # one audit log, one key
    )
    env.update(settings)
    return env


class RunnerProcess:
    """`sopflow runner` as operators deploy it: a separate process we can kill -9."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).parent / "sopflow"), "runner", "--poll", "0.2"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while "runner ready" not in self.log.read_text(errors="replace"):
            assert self.process.poll() is None, self.log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "runner did not start"
            time.sleep(0.2)

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.log.write_text(
            self.log.read_text(errors="replace").replace("runner ready", "(was ready)")
        )


def test_runner_killed_while_waiting_and_while_sending(
    prefect_env: PrefectEnv, case_env: CaseEnv, tmp_path: Path
) -> None:
    from tests.support.smtp_server import LocalSmtpServer

    smtp = LocalSmtpServer()  # not started yet: email delivery fails transiently at first
    channels = tmp_path / "channels.yaml"
    channels.write_text(
        json.dumps(
            {
                "channels": {
                    "email": {"url": smtp.mailto_url(), "recipient": "email", "format": "html"},
                    "whatsapp": {
                        "url": "outbox://whatsapp/?to={recipient}&id={message_id}&dir={outbox_dir}",
                        "recipient": "whatsapp",
                    },
                    "supervisor": {
                        "url": "outbox://supervisor/?to={recipient}&id={message_id}"
                        "&dir={outbox_dir}",
                        "recipient": "plain",
                    },
                }
            }
        )
    )
    env = runner_env(prefect_env, case_env, tmp_path, SOPFLOW_CHANNELS_FILE=str(channels))
    runner = RunnerProcess(env, tmp_path / "runner.log")
    runner.start()
    form = applicant("Nama Yang Juga Tidak Ada")
    remember(form)
    case_id, run_id = submit(case_env, form)
    wait_for_suspension(prefect_env.api_url, run_id, timeout=180)  # past its brief pause
    wait_for_case(case_env, case_id, status="waiting", step="verifikasi_sdp")

    runner.kill()  # while the case waits: it held nothing
    runner.start()
    assert (
        resume(
            prefect_env.api_url,
            run_id,
            {"keputusan": "tidak_ditemukan", "nip_verifikator": PICK_DIVPAS[0]},
        )["status"]
        == "ACCEPT"
    )
    deadline = time.monotonic() + 120
    while not any(
        m.channel == "email" and m.attempts >= 1 and m.status == "pending"
        for m in outbox(case_env, case_id)
    ):  # failed once, waiting to retry
        assert time.monotonic() < deadline, "email never attempted"
        time.sleep(0.2)
    runner.kill()  # while the notify step retries the email: the run is left Running
    assert wait_for_state(prefect_env.api_url, run_id, {"RUNNING"})["state"]["type"] == "RUNNING"

    smtp.start()
    try:
        runner.start()
        # No worker sends the run's heartbeats now: Prefect's lost-run automation (`deploy`)
        # schedules it again within 90 s, a worker picks it up, the case continues where it stood.
        wait_for_state(
            prefect_env.api_url, run_id, {"COMPLETED"}, timeout=300
        )  # 90 s window + the trigger service + a loaded CI machine
        case = wait_for_case(case_env, case_id, status="completed")
        assert case.outcome == "tidak_ditemukan"
        mails = [m for m in smtp.messages if form["email_pemohon"] in m.rcpt_tos]
        rows = [(m.channel, m.status, m.attempts, m.last_error) for m in outbox(case_env, case_id)]
        assert len(mails) == 1, f"the email was sent twice or never: {rows}"
    finally:
        runner.kill()
        smtp.stop()
    steps = [(r.step_id, r.visit) for r in records(case_env, case_id)]
    assert len(steps) == len({s for s, _ in steps}), f"a step ran twice: {steps}"
    whatsapp_files = list((tmp_path / "var" / "outbox").rglob("*.json"))
    assert len(whatsapp_files) == 1


VISIT = load_definition(REPO / "tests" / "fixtures" / "definitions" / "izin_kunjungan.yaml")


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def events_named(api_url: str, name: str, resource_id: str) -> list[dict[str, Any]]:
    response = httpx.post(
        f"{api_url}/events/filter",
        json={
            "filter": {"event": {"name": [name]}, "resource": {"id": [resource_id]}},
            "limit": 50,
        },
        timeout=10,
    )
    response.raise_for_status()
    return list(response.json()["events"])


def test_second_definition_paused_in_process_with_a_budget_breach(
    prefect_env: PrefectEnv, case_env: CaseEnv
) -> None:
    """Not from a deployment: the run pauses in place. The operator takes 5 minutes (clock
    passed in, not slept) against a 2-minute budget: the record is flagged, an event emitted."""
    from flows.case_flow import run_case

    clock = FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    case_env.services.clock = clock
    case_env.services.pause_poll_seconds = 1
    SEEN_VALUES.extend(["Rina Uji", "rina@example.com"])
    with session_scope(case_env.services.engine) as session:
        case = repo.create_case(
            session,
            loaded=VISIT,
            submitted_at=clock.now,
            form_data={
                "nama": "Rina Uji",
                "email": "rina@example.com",
                "tanggal_kunjungan": "Senin",
            },
        )
        case_id, reference = case.id, case.reference
    result: dict[str, Any] = {}

    def run() -> None:
        with (
            temporary_settings({PREFECT_API_URL: prefect_env.api_url}),
            entered_services(case_env.services),
        ):
            result["state"] = asyncio.run(run_case(case_id, return_state=True))  # type: ignore[arg-type]

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    case = wait_for_case(case_env, case_id, status="waiting", step="periksa")
    assert case.flow_run_id is not None
    wait_for_state(prefect_env.api_url, case.flow_run_id, {"PAUSED"})
    clock.now += timedelta(minutes=5)
    nip = operator_choice(load_roster().root["petugas"][0])  # "NIP - Nama", as the form offers
    assert (
        resume(prefect_env.api_url, case.flow_run_id, {"hasil": "setuju", "nip": nip})["status"]
        == "ACCEPT"
    )
    thread.join(60)
    assert result["state"].is_completed()
    assert wait_for_case(case_env, case_id, status="completed").outcome == "disetujui"
    periksa = next(r for r in records(case_env, case_id) if r.step_id == "periksa")
    assert periksa.duration_seconds == 300 and periksa.budget_seconds == 120
    assert periksa.budget_exceeded
    others = [r for r in records(case_env, case_id) if r.step_id != "periksa"]
    assert not any(r.budget_exceeded for r in others)
    deadline = time.monotonic() + 30
    while not (
        found := events_named(
            prefect_env.api_url, "sopflow.step.budget-exceeded", f"sopflow.case.{case_id}"
        )
    ):
        assert time.monotonic() < deadline, "no budget event"
        time.sleep(0.5)
    assert found[0]["payload"]["step"] == "periksa"
    assert found[0]["resource"]["prefect.resource.name"] == reference


def test_deploy_created_the_budget_automations(prefect_env: PrefectEnv, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_API_URL=prefect_env.api_url, PREFECT_HOME=str(tmp_path))
    listed = subprocess.run(
        [str(Path(sys.executable).parent / "prefect"), "automation", "ls"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "verifikasi_sdp" in listed and "setujui_jawaban" in listed
    assert "Proactive" in listed
    automations = httpx.post(f"{prefect_env.api_url}/automations/filter", json={}, timeout=10)
    names = [a["name"] for a in automations.json()]
    assert "sopflow: reschedule runs whose worker died" in names


def test_reconciler_starts_a_lost_case_and_reports_a_stuck_one(
    prefect_env: PrefectEnv, case_env: CaseEnv, runner: WorkerThread
) -> None:
    """A case stored while Prefect was down has no flow run; the reconciler starts it. A case
    waiting past its step budget is reported (clock passed in)."""
    from adapters.prefect.runs import run_states
    from tasks.reconcile import reconcile

    def reconcile_cases() -> dict[str, int]:
        with temporary_settings({PREFECT_API_URL: prefect_env.api_url}):
            report = asyncio.run(reconcile(case_env.services, run_states=run_states))
        return {"started": len(report.started), "stuck": len(report.stuck)}

    form = applicant("Nama Kasus Yang Hilang")
    remember(form)
    submitted = datetime.now(UTC) - timedelta(minutes=2)
    with session_scope(case_env.services.engine) as session:
        lost = repo.create_case(session, loaded=SOP, form_data=form, submitted_at=submitted)
        lost_id = lost.id
    result = reconcile_cases()
    assert result["started"] == 1
    case = wait_for_case(case_env, lost_id, status="waiting", step="verifikasi_sdp")
    assert case.flow_run_id is not None
    wait_for_state(prefect_env.api_url, case.flow_run_id, {"PAUSED"})

    later = FakeClock(datetime.now(UTC) + timedelta(minutes=10))  # 10 minutes of waiting
    case_env.services.clock = later
    result = reconcile_cases()
    assert result == {"started": 0, "stuck": 1}
    assert (
        resume(
            prefect_env.api_url,
            case.flow_run_id,
            {"keputusan": "tidak_ditemukan", "nip_verifikator": PICK_DIVPAS[0]},
        )["status"]
        == "ACCEPT"
    )
    wait_for_case(case_env, lost_id, status="completed")


def test_an_operator_step_waiting_past_its_budget_alerts_the_supervisor(
    prefect_env: PrefectEnv, case_env: CaseEnv, runner: WorkerThread
) -> None:
    """The proactive automation `sopflow deploy` creates fires when no decision comes within
    the budget; it runs the alert-supervisor deployment, which writes to the supervisor channel.
    (A 10-second budget stands in for the SOP's 2 minutes 30 seconds.)"""
    from prefect import get_client

    async def short_budget() -> None:
        async with get_client() as client:
            alert = await client.read_deployment_by_name("alert-supervisor/alert-supervisor")
            await _sync_automations(
                client,
                [
                    BudgetWatch(
                        "layanan-informasi-integrasi",
                        SOP.content_hash,
                        1,
                        "verifikasi_sdp",
                        "Verifikasi",
                        timedelta(seconds=10),
                    )
                ],
                str(alert.id),
            )

    with temporary_settings({PREFECT_API_URL: prefect_env.api_url}):
        asyncio.run(short_budget())
    time.sleep(5)  # the server's trigger service picks up changed automations every few seconds
    form = applicant("Nama Untuk Uji Batas Waktu")
    remember(form)
    case_id, run_id = submit(case_env, form)
    wait_for_state(prefect_env.api_url, run_id, {"PAUSED"})
    reference = wait_for_case(case_env, case_id, status="waiting").reference
    deadline = time.monotonic() + 90
    alerts: list[Path] = []
    while not alerts:
        if time.monotonic() > deadline:
            found = httpx.post(
                f"{prefect_env.api_url}/events/filter",
                json={
                    "filter": {"event": {"prefix": ["prefect.automation", "sopflow.step"]}},
                    "limit": 50,
                },
                timeout=10,
            ).json()["events"]
            raise AssertionError(
                "no supervisor alert: "
                + json.dumps([(e["event"], e.get("payload")) for e in found])
            )
        alerts = [p for p in case_env.outbox_dir.rglob("*.json") if reference in p.read_text()]
        time.sleep(1)
    alert = json.loads(alerts[0].read_text())
    assert "menunggu" in json.dumps(alert) and form["nama_pemohon"] not in alerts[0].read_text()
    assert (
        resume(
            prefect_env.api_url,
            run_id,
            {"keputusan": "tidak_ditemukan", "nip_verifikator": PICK_DIVPAS[0]},
        )["status"]
        == "ACCEPT"
    )
    wait_for_case(case_env, case_id, status="completed")


def run_logs_at_or_above(api_url: str, flow_run_id: str, level: int) -> list[str]:
    response = httpx.post(
        f"{api_url}/logs/filter",
        json={"logs": {"flow_run_id": {"any_": [flow_run_id]}, "level": {"ge_": level}}},
        timeout=10,
    )
    response.raise_for_status()
    return [f"{row['level']} {row['message'][:200]}" for row in response.json()]


def test_a_suspension_logs_nothing_at_warning_or_error(
    prefect_env: PrefectEnv, case_env: CaseEnv, runner: WorkerThread
) -> None:
    case_env.services.decision_grace_seconds = 1  # a brief pause, then the suspension
    form = applicant("Nama Untuk Uji Log")
    remember(form)
    case_id, run_id = submit(case_env, form)
    wait_for_suspension(prefect_env.api_url, run_id)
    assert state_names(prefect_env.api_url, run_id)[-3:] == ["Paused", "Running", "Suspended"]
    wait_for_case(case_env, case_id, status="waiting", step="verifikasi_sdp")
    time.sleep(2)  # the run's last log lines reach the API
    assert run_logs_at_or_above(prefect_env.api_url, run_id, 30) == []
    # The check can fail: the runner's INFO lines are there.
    assert run_logs_at_or_above(prefect_env.api_url, run_id, 20)
    assert (
        resume(
            prefect_env.api_url,
            run_id,
            {"keputusan": "tidak_ditemukan", "nip_verifikator": PICK_DIVPAS[0]},
        )["status"]
        == "ACCEPT"
    )
    wait_for_case(case_env, case_id, status="completed")


def test_two_workers_on_one_pool_never_run_a_case_twice(
    prefect_env: PrefectEnv, case_env: CaseEnv, runner: WorkerThread
) -> None:
    second = WorkerThread(prefect_env.api_url, case_env.services, "test-second").start()
    try:
        cases = []
        for i in range(6):
            form = applicant("Muhammad Rizki bin Sulaiman" if i % 2 else f"Tidak Ada {i}")
            remember(form)
            cases.append(submit(case_env, form))
        answers: dict[str, Any] = {
            "verifikasi_sdp": lambda c: {
                "keputusan": c.variables["candidates"][0]["key"]
                if c.variables.get("candidates") and c.variables["candidates"][0]["score"] >= 90
                else "tidak_ditemukan",
                "nip_verifikator": PICK_DIVPAS[0],
            },
            "setujui_jawaban": lambda c: {
                "persetujuan": "kirim",
                "nip_penyetuju": PICK_INTEGRASI[0],
            },
        }
        deadline = time.monotonic() + 240
        open_cases = dict(cases)
        while open_cases:
            assert time.monotonic() < deadline, f"cases still open: {list(open_cases)}"
            for case_id, run_id in list(open_cases.items()):
                with session_scope(case_env.services.engine) as session:
                    case = repo.get_case(session, case_id=case_id)
                if case.status == "completed":
                    del open_cases[case_id]
                    continue
                run = httpx.get(f"{prefect_env.api_url}/flow_runs/{run_id}", timeout=10).json()
                paused = run["state"]["type"] == "PAUSED" and run["state"]["state_details"].get(
                    "run_input_keyset"
                )
                if case.status == "waiting" and paused and case.current_step in answers:
                    answer = answers[case.current_step]
                    resume(prefect_env.api_url, run_id, answer(case))
            time.sleep(0.3)
    finally:
        second.stop()
    claims = runner.claimed + second.claimed
    assert len(claims) == len(set(claims)), "a run was executed by both workers"
    assert runner.claimed and second.claimed, "both workers took part"
    for case_id, _ in cases:
        steps = [(r.step_id, r.visit) for r in records(case_env, case_id)]
        assert len(steps) == len({s for s, _ in steps}), f"a step ran twice: {steps}"
        assert len(outbox(case_env, case_id)) == 2  # one email, one WhatsApp message


def wait_for_form(api_url: str, run_id: str, key_part: str, *, timeout: float = 60) -> str:
    """The run waits with the form of this step saved; the wait's state name."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = httpx.get(f"{api_url}/flow_runs/{run_id}", timeout=10).json()["state"]
        keyset = state["state_details"].get("run_input_keyset") or {}
        if state["type"] == "PAUSED" and key_part in keyset.get("schema", ""):
            schema = httpx.get(f"{api_url}/flow_runs/{run_id}/input/{keyset['schema']}")
            if schema.status_code == 200:
                return str(state["name"])
        time.sleep(0.1)
    raise AssertionError(f"flow run {run_id} is not waiting at {key_part}")


def test_answers_given_at_once_run_the_case_in_one_execution(
    prefect_env: PrefectEnv, case_env: CaseEnv, runner: WorkerThread
) -> None:
    """Within its brief pause the run waits in its runner: no suspension, no second claim."""
    case_env.services.decision_grace_seconds = 30  # the runner thread shares these services
    form = applicant("Muhammad Rizki bin Sulaiman")
    remember(form)
    case_id, run_id = submit(case_env, form)
    note = f"Catatan segera {uuid.uuid4().hex[:8]}"
    SEEN_VALUES.append(note)
    for key_part, answer in (
        (
            "verifikasi-sdp",
            {"keputusan": "K1", "nip_verifikator": PICK_DIVPAS[0], "catatan_verifikasi": note},
        ),
        ("setujui-jawaban", {"persetujuan": "kirim", "nip_penyetuju": PICK_INTEGRASI[0]}),
    ):
        assert wait_for_form(prefect_env.api_url, run_id, key_part) == "Paused"
        refused = resume(prefect_env.api_url, run_id, {})
        assert refused["status"] == "REJECT"  # the form's own checks, while it waits in place
        assert resume(prefect_env.api_url, run_id, answer)["status"] == "ACCEPT"
    wait_for_state(prefect_env.api_url, run_id, {"COMPLETED"})
    case = wait_for_case(case_env, case_id, status="completed")
    assert case.outcome == "informasi_diberikan"
    assert case.variables["catatan_verifikasi"] == note
    names = state_names(prefect_env.api_url, run_id)
    assert "Suspended" not in names and "Resuming" not in names, names
    assert [claimed for claimed, _ in runner.claimed].count(run_id) == 1, "one execution"
    assert run_inputs(prefect_env.api_url, run_id) == []  # answers and notes left Prefect
    assert_delivered(case_env, form, case.reference)


def test_a_runner_killed_in_its_brief_pause_leaves_a_case_that_continues(
    prefect_env: PrefectEnv, case_env: CaseEnv, tmp_path: Path
) -> None:
    """kill -9 while the run waits in its runner: the lost-run automation reschedules it (done
    here by hand, as its action does, instead of waiting out its 90 s); the next execution
    waits again and the operator's answer ends the case, every step once."""
    env = runner_env(prefect_env, case_env, tmp_path, SOPFLOW_DECISION_GRACE_SECONDS="60")
    runner = RunnerProcess(env, tmp_path / "runner.log")
    runner.start()
    form = applicant("Nama Yang Tidak Ada Di Mana Pun")
    remember(form)
    case_id, run_id = submit(case_env, form)
    try:
        assert wait_for_form(prefect_env.api_url, run_id, "verifikasi-sdp") == "Paused"
        runner.kill()
        forced = httpx.post(
            f"{prefect_env.api_url}/flow_runs/{run_id}/set_state",
            json={"state": {"type": "SCHEDULED", "name": "Rescheduled"}, "force": True},
            timeout=10,
        )
        assert forced.json()["status"] == "ACCEPT"
        runner.start()
        deadline = time.monotonic() + 90
        while state_names(prefect_env.api_url, run_id)[-1] not in ("Paused", "Suspended"):
            assert time.monotonic() < deadline, state_names(prefect_env.api_url, run_id)
            time.sleep(0.2)
        wait_for_form(prefect_env.api_url, run_id, "verifikasi-sdp")
        answer = {"keputusan": "tidak_ditemukan", "nip_verifikator": PICK_DIVPAS[0]}
        assert resume(prefect_env.api_url, run_id, answer)["status"] == "ACCEPT"
        wait_for_state(prefect_env.api_url, run_id, {"COMPLETED"}, timeout=90)
    finally:
        if runner.process is not None and runner.process.poll() is None:
            runner.kill()
    case = wait_for_case(case_env, case_id, status="completed")
    assert case.outcome == "tidak_ditemukan"
    steps = [(r.step_id, r.visit) for r in records(case_env, case_id)]
    assert len(steps) == len({s for s, _ in steps}), f"a step ran twice: {steps}"
    with session_scope(case_env.services.engine) as session:
        decisions = session.exec(select(Decision).where(Decision.case_id == case_id)).all()
    assert len(decisions) == 1
    assert run_inputs(prefect_env.api_url, run_id) == []


def test_a_case_that_cannot_go_on_stalls_and_retry_continues_it(
    prefect_env: PrefectEnv, case_env: CaseEnv, runner: WorkerThread, tmp_path: Path
) -> None:
    """No operator for the lane (a configuration fault): the case is parked as `stalled` with
    the reason, its run ends Failed with an artifact; once the roster is fixed, `sopflow case
    retry` continues it from that step and it completes, no step twice."""
    from adapters.roster import Roster

    full_roster = case_env.services.roster
    case_env.services.roster = Roster({})
    with session_scope(case_env.services.engine) as session:
        case = repo.create_case(
            session,
            loaded=VISIT,
            submitted_at=datetime.now(UTC),
            form_data={
                "nama": "Rina Macet",
                "email": "rina.macet@example.com",
                "tanggal_kunjungan": "Selasa",
            },
        )
        case_id, reference = case.id, case.reference
    SEEN_VALUES.extend(["Rina Macet", "rina.macet@example.com"])
    run_id = asyncio.run(_start(prefect_env.api_url, case_id=case_id, reference=reference))
    state = wait_for_state(prefect_env.api_url, run_id, {"FAILED", "COMPLETED"})["state"]
    assert state["type"] == "FAILED" and "macet" in state["message"]
    stalled = wait_for_case(case_env, case_id, status="stalled")
    assert stalled.current_step == "periksa"
    assert any(f.startswith("macet: periksa: NoChoicesError") for f in stalled.flags)
    artifacts = httpx.post(
        f"{prefect_env.api_url}/artifacts/filter",
        json={"artifacts": {"key": {"any_": [f"case-{reference.lower()}"]}}},
        timeout=10,
    ).json()
    # (references restart per test database; the Prefect server is shared by the module)
    assert any("case retry" in str(a["data"]) for a in artifacts)

    case_env.services.roster = full_roster  # the administrator fixes the roster
    env = runner_env(prefect_env, case_env, tmp_path)
    retried = subprocess.run(
        [str(Path(sys.executable).parent / "sopflow"), "case", "retry", reference],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert retried.returncode == 0, retried.stderr
    assert f"{reference} continues at step periksa" in retried.stdout
    case = wait_for_case(case_env, case_id, status="waiting", step="periksa")
    assert not any(f.startswith("macet") for f in case.flags)
    assert case.flow_run_id is not None and case.flow_run_id != run_id
    wait_for_state(prefect_env.api_url, case.flow_run_id, {"PAUSED"})
    nip = operator_choice(full_roster.root["petugas"][0])  # "NIP - Nama", as the form offers
    assert (
        resume(prefect_env.api_url, case.flow_run_id, {"hasil": "tolak", "nip": nip})["status"]
        == "ACCEPT"
    )
    case = wait_for_case(case_env, case_id, status="completed")
    assert case.outcome == "ditolak"
    steps = [(r.step_id, r.visit) for r in records(case_env, case_id)]
    assert len(steps) == len({s for s, _ in steps}), f"a step ran twice: {steps}"
    with session_scope(case_env.services.engine) as session:
        assert verify_chain(session)[1] is None


async def _start(api_url: str, *, case_id: str, reference: str) -> str:
    with temporary_settings({PREFECT_API_URL: api_url}):
        return await PrefectCaseStarter().start_case(
            case_id=case_id, reference=reference, tags=["definition:izin-kunjungan"]
        )


# Last in the module: it scans what every case above left in Prefect.
def test_prefect_database_holds_no_personal_data(prefect_env: PrefectEnv) -> None:
    assert SEEN_VALUES, "run the case tests first (same module)"
    with psycopg.connect(prefect_env.database_dsn) as conn:
        tables = [
            row[0]
            for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        assert "flow_run" in tables and "log" in tables and "artifact" in tables
        found = []
        for table in tables:
            for (text,) in conn.execute(f'SELECT t::text FROM "{table}" t'):
                found += [(table, value) for value in SEEN_VALUES if value in text]
    assert found == []
    # No case-file link outlives its decision: runs that ended keep no run input at all.
    with psycopg.connect(prefect_env.database_dsn) as conn:
        links = conn.execute(
            "SELECT i.key FROM flow_run_input i JOIN flow_run r ON r.id = i.flow_run_id "
            "WHERE r.state_type = 'COMPLETED' AND i.value LIKE '%/berkas/%'"
        ).fetchall()
    assert links == []
    # The scan can fail: the case references are there, in run names and artifacts.
    with psycopg.connect(prefect_env.database_dsn) as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM flow_run")]
    assert any(name.startswith("LII-") for name in names)
