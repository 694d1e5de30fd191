"""A phone-sized Chromium on the intake serving two SOPs from one folder: the list of services,
then the complaint form of the second SOP, sent without an attachment (uvicorn on 127.0.0.1,
SQLite, the in-memory object store, a fake case starter). Keeps the screenshots the README
shows (`docs/services-phone.png`, `docs/pengaduan-phone.png`)."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from adapters.db.case_tables import Case
from adapters.db.engine import make_engine, session_scope
from adapters.db.migrate import upgrade
from adapters.intake.app import build_app_from_settings
from adapters.settings import Settings
from adapters.storage.fake_store import InMemoryObjectStore
from adapters.storage.local_s3 import free_ports
from tests.e2e.test_intake_browser import CHROMIUM, CHROMIUM_ARGS, DOCS
from tests.support.definition_folders import (
    PENGADUAN,
    definitions_folder,
    integrasi_file,
    office_roster_file,
)
from tests.support.fake_starter import FakeCaseStarter
from tests.support.uvicorn_thread import serving

FIXED_NOW = datetime(2026, 3, 5, 2, 4, tzinfo=UTC)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]


def test_phone_picks_the_complaint_service_and_sends_it(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    port = free_ports(1)[0]
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    upgrade(url)
    engine = make_engine(url)
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=url,
        definitions_dir=definitions_folder(tmp_path / "defs", integrasi_file(), PENGADUAN),
        secret_key="services-browser-secret-0123456789",
        public_base_url=f"http://127.0.0.1:{port}",
        roster_file=office_roster_file(tmp_path / "roster.yaml"),
    )
    starter = FakeCaseStarter()
    app = build_app_from_settings(
        settings,
        store=InMemoryObjectStore(),
        starter=starter,
        engine=engine,
        clock=lambda: FIXED_NOW,  # same screenshots on every run
    )
    with serving(app, port=port) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            viewport={"width": 412, "height": 915},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=1,
            locale="id-ID",
            java_script_enabled=False,
        )
        page = context.new_page()
        page.goto(base + "/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Layanan permohonan daring")
        expect(page.get_by_role("link", name="Pelayanan Informasi Integrasi").first).to_be_visible()
        page.screenshot(path=str(tmp_path / "services.png"), full_page=True)

        page.get_by_role("link", name="Pengaduan Layanan", exact=True).click()
        expect(page).to_have_url(base + "/pengaduan-layanan/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Pengaduan Layanan")
        page.get_by_label("Nama Anda").fill("Rudi Hartono")
        page.get_by_label("Email").fill("rudi@example.com")
        page.get_by_label("Nomor WhatsApp").fill("0813 5555 0101")
        page.get_by_label("Perihal pengaduan").fill("Antrean loket terlalu lama")
        page.get_by_label("Isi pengaduan").fill("Saya menunggu dua jam di loket pelayanan.")
        page.screenshot(path=str(tmp_path / "pengaduan.png"), full_page=True)
        page.get_by_role("button", name="Kirim Permohonan").click()

        reference = page.locator("#nomor-permohonan")
        expect(reference).to_have_text(re.compile(r"^PGD-2026-\d{6}$"))
        expect(page.get_by_text("Diterima 5 Maret 2026 09.04 WIB")).to_be_visible()
        shown = reference.inner_text()
        browser.close()
    with session_scope(engine) as session:
        (case,) = session.exec(select(Case)).all()
        assert case.reference == shown and case.definition_id == "pengaduan-layanan"
        assert case.form_data["perihal"] == "Antrean loket terlalu lama"
    engine.dispose()
    assert [call.reference for call in starter.calls] == [shown]
    DOCS.mkdir(exist_ok=True)
    shutil.copyfile(tmp_path / "services.png", DOCS / "services-phone.png")
    shutil.copyfile(tmp_path / "pengaduan.png", DOCS / "pengaduan-phone.png")
