"""An operator in the real Prefect UI, on the stack as `sopflow serve` starts it: from the work
list (a V2 page, bookmarked) through both decisions of a case found in SDP.

The work list links each case to its run page in the V1 UI, whose "Resume" button opens the
form ("Resume Flow Run"); V2 hides Resume under the run's "⋮" menu, one click more. Counts the
clicks of each decision, from the work list to the form's Submit button, prints them and holds
them to issue 14's target (at most 5): the link, Resume, one click per dropdown, Submit. A
dropdown is opened with a click and chosen with the keyboard (typing filters its options, the
down arrow marks the first match, Enter picks it): counted apart, as keys. Keeps the screenshots
the README shows (docs/operator-*.png). Chromium from Debian, driven by Playwright, headless.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.cli.demo_command import call
from tests.e2e.test_intake_browser import CHROMIUM, CHROMIUM_ARGS, ktp_photo
from tests.e2e.test_serve_end_to_end import (
    Service,
    fill_form_in_chromium,
    flow_run_named,
    service,  # noqa: F401  (the fixture: `sopflow serve` on free ports, SMTP and gateway)
)

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
TARGET_CLICKS = 5  # issue 14's target: link, Resume, two dropdowns, Submit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]


@dataclass
class Operator:
    """A Playwright page that counts what the operator does."""

    page: Any
    clicks: int = 0
    keys: int = 0
    log: list[str] = field(default_factory=list)

    def click(self, locator: Any, what: str) -> None:
        locator.click()
        self.clicks += 1
        self.log.append(what)

    def choose(self, dialog: Any, label: str, search: str, option: str) -> None:
        """Open a dropdown (one click), type in it, the down arrow marks the first match, Enter
        picks it. V1's dropdown moves the typing into its search box on the first key, which that
        box does not get: `search` must still find the option without its first letter."""
        from playwright.sync_api import expect

        field = dialog.locator(
            "div.schema-form-property",
            has=self.page.locator(
                "span.schema-form-property__label", has_text=re.compile(f"^{re.escape(label)}$")
            ),
        ).last
        dropdown = field.locator("button.p-select-button__control")
        self.click(dropdown, f"buka {label}")
        self.page.keyboard.type(search, delay=50)
        first = self.page.get_by_role("option").first
        expect(first).to_have_text(option, timeout=10000)  # the only or the first match
        self.page.keyboard.press("ArrowDown")
        expect(self.page.locator(".p-select-option--highlighted")).to_have_text(option)
        self.page.keyboard.press("Enter")
        self.keys += len(search) + 2
        expect(dropdown).to_have_text(option, timeout=10000)

    def reset(self) -> None:
        self.clicks, self.keys, self.log = 0, 0, []


def wait_paused_at(api: httpx.Client, run_id: str, key_part: str, timeout: float = 120) -> None:
    """Paused, with the form of this step saved (a run shows PAUSED before its schema)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = call(api, "GET", f"/flow_runs/{run_id}").json()
        keyset = (run["state"] or {}).get("state_details", {}).get("run_input_keyset") or {}
        schema = keyset.get("schema", "")
        if (
            run["state"]["type"] == "PAUSED"
            and key_part in schema
            and call(api, "GET", f"/flow_runs/{run_id}/input/{schema}").status_code == 200
        ):
            return
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} is not waiting at {key_part}")


def wait_listed(api: httpx.Client, key: str, reference: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = call(api, "GET", f"/artifacts/{key}/latest")
        if response.status_code == 200 and reference in str(response.json()["data"]):
            return
        time.sleep(0.5)
    raise AssertionError(f"{reference} is not on the work list {key}")


def decide(
    op: Operator,
    *,
    ui_url: str,
    lane_key: str,
    reference: str,
    choices: list[tuple[str, str, str]],
    shots: Path,
    name: str,
) -> tuple[int, int]:
    """From the lane's work list to Submit: the clicks and keys of one decision."""
    page = op.page
    page.goto(f"{ui_url}/v2/artifacts/key/{lane_key}")  # the lane's work list, bookmarked
    row = page.get_by_role("row").filter(has_text=reference)
    row.wait_for(timeout=30000)
    page.screenshot(path=str(shots / f"{name}-1-work-list.png"))
    op.reset()
    op.click(row.get_by_role("link", name="Buka keputusan"), "Buka keputusan")
    page.get_by_text("Suspended").first.wait_for(timeout=30000)
    assert "/v2/" not in page.url, page.url  # the V1 run page
    resume = page.get_by_role("button", name="Resume", exact=True)
    resume.wait_for(timeout=30000)
    page.wait_for_timeout(300)
    page.screenshot(path=str(shots / f"{name}-2-run-page.png"))
    op.click(resume, "Resume")
    dialog = page.get_by_role("dialog").filter(has_text="Resume Flow Run")
    dialog.get_by_text(f"{reference}:").first.wait_for(timeout=30000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(shots / f"{name}-3-form.png"))
    for label, search, option in choices:
        op.choose(dialog, label, search, option)
    page.wait_for_timeout(300)
    page.screenshot(path=str(shots / f"{name}-4-filled.png"))
    op.click(dialog.get_by_role("button", name="Submit", exact=True), "Submit")
    page.get_by_text("Flow run resumed").first.wait_for(timeout=30000)
    return op.clicks, op.keys


def case_file(page: Any, api: httpx.Client, run_id: str, shots: Path) -> None:
    """The case file as the approval form's link opens it (in a tab of its own)."""
    run = call(api, "GET", f"/flow_runs/{run_id}").json()
    key = run["state"]["state_details"]["run_input_keyset"]["description"]
    markdown = str(call(api, "GET", f"/flow_runs/{run_id}/input/{key}").json())
    link = markdown.split("[Buka berkas permohonan](", 1)[1].split(")", 1)[0]
    tab = page.context.new_page()
    tab.goto(link)
    tab.get_by_text("Keputusan petugas").first.wait_for(timeout=30000)
    tab.screenshot(path=str(shots / "persetujuan-0-case-file.png"), full_page=True)
    tab.close()


def test_an_operator_decides_a_found_case_from_the_work_list(
    service: tuple[Service, Any, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import sync_playwright

    svc, _smtp, _gateway = service
    urls = svc.start(timeout=600)  # a shared, loaded machine starts slowly
    reference = fill_form_in_chromium(
        urls["form"],
        ktp_photo(tmp_path / "ktp.jpg"),
        "Muhammad Rizki bin Sulaiman",
        "operator.e2e@example.com",
    )
    shots = tmp_path / "shots"
    shots.mkdir()
    with httpx.Client(base_url=urls["prefect_api"], timeout=30) as api:
        run_id = str(flow_run_named(api, reference)["id"])
        wait_paused_at(api, run_id, "verifikasi-sdp")
        wait_listed(api, "daftar-kerja-operator-divpas", reference)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            op = Operator(page)
            first = decide(
                op,
                ui_url=urls["prefect"],
                lane_key="daftar-kerja-operator-divpas",
                reference=reference,
                choices=[
                    ("Hasil verifikasi SDP", "K1", "K1"),
                    ("NIP petugas", "Divpas Demo 1", "199001012015031001 - Operator Divpas Demo 1"),
                ],
                shots=shots,
                name="verifikasi",
            )
            print(f"\nverifikasi_sdp: {first[0]} klik, {first[1]} ketukan tombol: {op.log}")
            wait_paused_at(api, run_id, "setujui-jawaban")
            case_file(page, api, run_id, shots)
            wait_listed(api, "daftar-kerja-operator-integrasi", reference)
            second = decide(
                op,
                ui_url=urls["prefect"],
                lane_key="daftar-kerja-operator-integrasi",
                reference=reference,
                choices=[
                    ("Keputusan atas draf jawaban", "kirim", "kirim"),
                    (
                        "NIP petugas",
                        "Integrasi Demo 1",
                        "198803032014031003 - Operator Integrasi Demo 1",
                    ),
                ],
                shots=shots,
                name="persetujuan",
            )
            print(f"setujui_jawaban: {second[0]} klik, {second[1]} ketukan tombol: {op.log}")
            browser.close()
        deadline = time.monotonic() + 120
        while call(api, "GET", f"/flow_runs/{run_id}").json()["state"]["type"] != "COMPLETED":
            assert time.monotonic() < deadline, "the case did not finish"
            time.sleep(0.5)
        inputs = call(
            api,
            "POST",
            f"/flow_runs/{run_id}/input/filter",
            json={"prefix": "", "limit": 100, "exclude_keys": []},
        ).json()
        assert inputs == []  # the answers and the case-file links left Prefect
    assert svc.stop() == 0
    DOCS.mkdir(exist_ok=True)
    for stale in DOCS.glob("operator-*-2-menu.png"):  # V2's "⋮" menu: no longer on the path
        stale.unlink()
    for shot in sorted(shots.glob("*.png")):
        (DOCS / f"operator-{shot.name}").write_bytes(shot.read_bytes())
    for step, (clicks, _keys) in (("verifikasi_sdp", first), ("setujui_jawaban", second)):
        assert clicks <= TARGET_CLICKS, (step, clicks)
