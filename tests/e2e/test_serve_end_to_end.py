"""The whole service as `sopflow serve` starts it (free ports, its own Prefect, S3, intake, runner):
a phone fills the form in Chromium, the operator answers through the Prefect API as the UI does,
the email reaches a real SMTP server and the WhatsApp message a gateway stand-in, the audit chain
is intact. Then the service is stopped and started again on the same data dir.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from adapters.cli.demo_command import call, operate
from adapters.storage.local_s3 import free_ports
from tests.e2e.test_intake_browser import CHROMIUM, CHROMIUM_ARGS, fill_and_send, ktp_photo
from tests.support.gateway_server import LocalGateway
from tests.support.smtp_server import LocalSmtpServer

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
SOPFLOW = str(Path(sys.executable).parent / "sopflow")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]


@dataclass
class Service:
    env: dict[str, str]
    data_dir: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 180) -> dict[str, str]:
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [SOPFLOW, "serve"],
                env=self.env,
                cwd=self.data_dir.parent,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log.read_bytes()[offset:].decode(errors="replace")
            if "prefect_api:" in text:
                return dict(json.loads((self.data_dir / "urls.json").read_text()))
            assert self.process.poll() is None, text[-3000:]
            time.sleep(0.5)
        raise AssertionError(self.log.read_text(errors="replace")[-3000:])

    def output_since_start(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[Service, LocalSmtpServer, LocalGateway]]:
    smtp, gateway = LocalSmtpServer(), LocalGateway()
    smtp.start()
    gateway.start()
    channels = tmp_path / "channels.yaml"
    channels.write_text(
        json.dumps(
            {
                "channels": {
                    "email": {"url": smtp.mailto_url(), "recipient": "email", "format": "html"},
                    "whatsapp": gateway.waha_url(),
                    "supervisor": {
                        "url": "outbox://supervisor/?to={recipient}&id={message_id}"
                        "&dir={outbox_dir}",
                        "recipient": "plain",
                    },
                }
            }
        )
    )
    prefect_port, intake_port, s3_port = free_ports(3)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SOPFLOW_"))}
    env.update(
        SOPFLOW_DATA_DIR=str(tmp_path / "var"),
        SOPFLOW_CHANNELS_FILE=str(channels),
        SOPFLOW_PREFECT_PORT=str(prefect_port),
        SOPFLOW_INTAKE_PORT=str(intake_port),
        SOPFLOW_S3_PORT=str(s3_port),
    )
    (tmp_path / "var").mkdir()
    service = Service(env, tmp_path / "var", tmp_path / "serve.log")
    try:
        yield service, smtp, gateway
    finally:
        if service.process is not None and service.process.poll() is None:
            service.stop()
        smtp.stop()
        gateway.stop()


def fill_form_in_chromium(form_url: str, photo: Path, prisoner: str, email: str) -> str:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_context(
            viewport={"width": 412, "height": 915}, is_mobile=True, locale="id-ID"
        ).new_page()
        page.goto(form_url)
        values = {
            "nama_pemohon": "Rahmawati Ujicoba",
            "alamat_pemohon": "Jl. Kenari 7, Serang",
            "telepon_pemohon": "0812 7777 1234",
            "nama_penjamin": "Hasan Ujicoba",
            "hubungan_penjamin": "Suami",
            "alamat_penjamin": "Jl. Kenari 7, Serang",
            "telepon_penjamin": "0813 7777 4321",
            "nama_narapidana": prisoner,
            "email_pemohon": email,
        }
        fill_and_send(page, values, photo)
        reference = page.locator("#nomor-permohonan")
        expect(reference).to_be_visible(timeout=30000)
        text = reference.inner_text()
        browser.close()
    return text


def screenshot_waiting_run(ui_url: str, run_id: str, path: Path) -> None:
    """The Prefect UI showing the case waiting for the operator (for the README)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        page.goto(f"{ui_url}/runs/flow-run/{run_id}")
        page.get_by_text("Suspended").first.wait_for(timeout=30000)
        page.get_by_role("button", name="Resume").first.click()  # opens the form, sends nothing
        page.get_by_text("Hasil verifikasi SDP").first.wait_for(timeout=30000)
        page.wait_for_timeout(500)
        page.screenshot(path=str(path), full_page=True)
        browser.close()


def flow_run_named(api: httpx.Client, reference: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = call(
            api, "POST", "/flow_runs/filter", json={"flow_runs": {"name": {"any_": [reference]}}}
        ).json()
        if runs:
            return dict(runs[0])
        time.sleep(0.5)
    raise AssertionError(f"no flow run named {reference}")


def run_sopflow(
    svc: Service, cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`sopflow ARGS` beside the running service, from another folder; it must succeed."""
    done = subprocess.run(
        [SOPFLOW, *args],
        env=env or svc.env,
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_serve_form_operator_messages_audit_and_restart(
    service: tuple[Service, LocalSmtpServer, LocalGateway], tmp_path: Path
) -> None:
    svc, smtp, gateway = service
    urls = svc.start()
    assert "loaded" in svc.output_since_start() and "DEMO" in svc.output_since_start()
    for name in ("form", "poster", "prefect"):
        assert f"{name}: {urls[name]}" in svc.output_since_start()
    assert httpx.get(urls["poster"], timeout=10).headers["content-type"] == "application/pdf"

    email = "rahmawati.e2e@example.com"
    reference = fill_form_in_chromium(
        urls["form"], ktp_photo(tmp_path / "ktp.jpg"), "Muhammad Rizki bin Sulaiman", email
    )
    with httpx.Client(base_url=urls["prefect_api"], timeout=30) as api:
        run = flow_run_named(api, reference)
        deadline = time.monotonic() + 120
        while call(api, "GET", f"/flow_runs/{run['id']}").json()["state"]["type"] != "PAUSED":
            assert time.monotonic() < deadline, "the case never waited for the operator"
            time.sleep(0.5)
        screenshot_waiting_run(urls["prefect"], run["id"], tmp_path / "prefect.png")
        operate(api, str(run["id"]), "ditemukan")  # resume as the UI does, until completed

    deadline = time.monotonic() + 60
    while not (smtp.messages and gateway.requests):
        assert time.monotonic() < deadline, "no email or WhatsApp message"
        time.sleep(0.5)
    mails = [m for m in smtp.messages if email in m.rcpt_tos]
    assert len(mails) == 1 and reference in str(mails[0].message["Subject"])
    chats = [r.json() for r in gateway.requests if r.path == "/api/sendText"]
    assert len(chats) == 1 and chats[0]["chatId"] == "6281277771234@c.us"
    assert reference in chats[0]["text"]

    run_sopflow(svc, tmp_path, "audit", "verify")

    today = datetime.now(ZoneInfo("Asia/Jakarta")).date().isoformat()
    period = ["--from", today, "--to", today]
    sla = run_sopflow(svc, tmp_path, "report", "sla", *period, "--format", "json")
    (definition,) = json.loads(sla.stdout)["definitions"]
    assert definition["cases"] == 1 and definition["completed"] == 1
    outcomes = {o["outcome"]: o["count"] for o in definition["outcomes"]}
    assert outcomes["informasi_diberikan"] == 1
    assert any(
        step["step_id"] == "verifikasi_sdp" and step["count"] == 1 for step in definition["steps"]
    )

    # `sopflow demo` plays both branches as an applicant and an operator would; the forecast's
    # back-test then replays that recorded history (the demo's cases, marked as such, only
    # when asked). The demo plays whenever this test runs: the office is open when it does.
    played = json.loads(run_sopflow(svc, tmp_path, "demo", "--json").stdout)
    assert played["all_completed"], played
    assert {c["scenario"] for c in played["cases"]} == {"ditemukan", "tidak_ditemukan"}
    backtest = run_sopflow(
        svc,
        tmp_path,
        *["forecast", "--backtest", *period, "--include-demo", "--json"],
        env={**svc.env, "SOPFLOW_OFFICE_HOURS": "Mon-Sun 00:00-24:00"},
    )
    rows = {row["step_id"]: row for row in json.loads(backtest.stdout)["backtest"]}
    assert {"verifikasi_sdp", "setujui_jawaban"} <= rows.keys(), rows
    assert all(abs(row["difference_points"]) <= 5 for row in rows.values()), rows

    assert svc.stop() == 0
    first_output = svc.output_since_start()
    again = svc.start()  # the second start reuses the data dir: no second demo load
    second_output = svc.output_since_start()[len(first_output) :]
    assert "DEMO prisoner records" not in second_output  # the demo SDP is loaded once
    assert httpx.get(again["form"], timeout=10).status_code == 200
    with httpx.Client(base_url=again["prefect_api"], timeout=30) as api:
        assert flow_run_named(api, reference)["state"]["type"] == "COMPLETED"  # history kept
    assert svc.stop() == 0

    DOCS.mkdir(exist_ok=True)
    (DOCS / "prefect-operator.png").write_bytes((tmp_path / "prefect.png").read_bytes())
