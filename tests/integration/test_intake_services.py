"""One intake for every SOP of a definitions folder: the integrasi SOP and the pengaduan fixture.

The app is built from settings (folder discovery), with the in-memory object store and a fake
case starter; SQLite.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import select

from adapters.case_links import CaseLinkSigner
from adapters.db.case_tables import Case
from adapters.db.engine import make_engine, session_scope
from adapters.db.migrate import upgrade
from adapters.intake.app import build_app_from_settings, create_app
from adapters.intake.form_fields import FormDefinitionError
from adapters.settings import Settings
from adapters.storage.fake_store import InMemoryObjectStore
from process_definitions import model as m
from process_definitions.loader import DefinitionErrors, load_definition
from tests.integration.test_intake_app import FakeClock, errors_in, ktp_jpeg, reference_in
from tests.support.definition_folders import (
    PENGADUAN,
    definitions_folder,
    integrasi_file,
    office_roster_file,
)
from tests.support.fake_starter import FakeCaseStarter

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)  # 09.00 WIB
INTEGRASI = "/layanan-informasi-integrasi"
PENGADUAN_URL = "/pengaduan-layanan"


@dataclass
class Served:
    client: TestClient
    engine: Engine
    store: InMemoryObjectStore
    starter: FakeCaseStarter
    clock: FakeClock


def settings_for(tmp_path: Path, **extra: Any) -> Settings:
    folder = tmp_path / "definitions"
    if not folder.exists():
        definitions_folder(folder, integrasi_file(), PENGADUAN)
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    return Settings(
        data_dir=tmp_path / "var",
        database_url=url,
        definitions_dir=folder,
        secret_key="services-test-secret-0123456789",
        public_base_url="http://testserver",
        roster_file=office_roster_file(tmp_path / "roster.yaml"),
        **extra,
    )


def serve(tmp_path: Path, **extra: Any) -> Served:
    settings = settings_for(tmp_path, **extra)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    store, starter, clock = InMemoryObjectStore(), FakeCaseStarter(), FakeClock(T0)
    app = build_app_from_settings(
        settings, store=store, starter=starter, engine=engine, clock=clock
    )
    return Served(TestClient(app), engine, store, starter, clock)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    it = serve(tmp_path)
    yield it
    it.engine.dispose()


def token_of(page: Any) -> str:
    match = re.search(r'name="csrf-token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


def complaint(**overrides: str) -> dict[str, str]:
    data = {
        "nama_pelapor": "Rudi Hartono",
        "email_pelapor": "rudi@example.com",
        "telepon_pelapor": "0813 5555 0101",
        "perihal": "Antrean loket terlalu lama",
        "isi_pengaduan": "Saya menunggu dua jam di loket pada 3 Maret 2026.",
    }
    data.update(overrides)
    return data


def send_complaint(it: Served, data: dict[str, str], files: dict[str, Any] | None = None) -> Any:
    token = token_of(it.client.get(f"{PENGADUAN_URL}/"))
    it.clock.advance(seconds=180)
    return it.client.post(
        f"{PENGADUAN_URL}/kirim", data={"csrf-token": token, **data}, files=files or {}
    )


def cases(engine: Engine) -> list[Case]:
    with session_scope(engine) as session:
        return list(session.exec(select(Case)))


def test_the_home_page_lists_every_service_with_its_form(served: Served) -> None:
    page = served.client.get("/")
    assert page.status_code == 200
    html = page.text
    integrasi = load_definition(integrasi_file()).definition
    for title, office, url in (
        (integrasi.title, integrasi.sop.office, f"{INTEGRASI}/"),
        ("Pengaduan Layanan", "Kantor Wilayah Contoh", f"{PENGADUAN_URL}/"),
    ):
        entry = html.split(f'href="{url}">{title}</a>', 1)
        assert len(entry) == 2, f"{title} not listed with a link to {url}"
        assert office in entry[1].split("</li>", 1)[0]
    # The sentence: the first one of the public steps' public_text.
    assert "Sampaikan keluhan Anda tentang pelayanan kantor kami." in html
    assert "Tulis apa yang terjadi" not in html
    opening = integrasi.step("buka_formulir")
    assert isinstance(opening, m.PublicActionStep) and opening.public_text
    assert " ".join(opening.public_text.split()) in html
    for url in (f"{INTEGRASI}/", f"{PENGADUAN_URL}/"):
        assert served.client.get(url).status_code == 200


def test_each_form_renders_its_own_fields(served: Served) -> None:
    integrasi = served.client.get(f"{INTEGRASI}/").text
    pengaduan = served.client.get(f"{PENGADUAN_URL}/").text
    assert 'name="foto_ktp"' in integrasi and 'name="isi_pengaduan"' not in integrasi
    for field in ("nama_pelapor", "email_pelapor", "telepon_pelapor", "perihal", "lampiran"):
        assert f'name="{field}"' in pengaduan
    assert '<textarea id="f-isi_pengaduan"' in pengaduan
    assert 'name="foto_ktp"' not in pengaduan and 'name="waktu_pengaduan"' not in pengaduan
    assert f'action="{PENGADUAN_URL}/kirim"' in pengaduan
    assert f'action="{INTEGRASI}/kirim"' in integrasi
    assert "<h1>Pengaduan Layanan</h1>" in pengaduan
    # The optional attachment is marked as such, with the limit the YAML configures.
    attachment = pengaduan.split('for="f-lampiran"', 1)[1].split("</div>", 1)[0]
    assert "(boleh kosong)" in attachment and "maksimal 1 MB" in attachment


def test_a_complaint_creates_a_case_pinned_to_its_own_sop(served: Served) -> None:
    response = send_complaint(served, complaint())
    assert response.status_code == 200, errors_in(response.text)
    assert response.url.path == f"{PENGADUAN_URL}/selesai"
    reference = reference_in(response.text)
    assert re.fullmatch(r"PGD-2026-\d{6}", reference)
    (case,) = cases(served.engine)
    pengaduan = load_definition(PENGADUAN)
    assert case.reference == reference
    assert case.definition_id == "pengaduan-layanan" and case.definition_version == 1
    assert case.definition_hash == pengaduan.content_hash
    assert case.definition_snapshot["definition"]["id"] == "pengaduan-layanan"
    assert case.current_step == "telaah_pengaduan"
    assert case.form_data["telepon_pelapor"] == "+6281355550101"
    assert "lampiran" not in case.form_data  # optional, not sent
    assert case.form_data["waktu_pengaduan"] == "2026-03-05T02:03:00+00:00"
    (call,) = served.starter.calls
    assert call.reference == reference and "definition:pengaduan-layanan" in call.tags


def test_a_complaint_with_an_attachment_stores_it(served: Served) -> None:
    files = {"lampiran": ("bukti.jpg", ktp_jpeg(400, 300), "image/jpeg")}
    response = send_complaint(served, complaint(), files)
    assert response.status_code == 200, errors_in(response.text)
    (case,) = cases(served.engine)
    assert case.form_data["lampiran"]["kind"] == "jpg"
    assert served.store.keys() == [case.form_data["lampiran"]["object_key"]]


def test_each_service_numbers_its_cases_with_its_own_prefix(served: Served) -> None:
    first = reference_in(send_complaint(served, complaint()).text)
    second = reference_in(send_complaint(served, complaint(nama_pelapor="Ani")).text)
    assert first.startswith("PGD-") and second.startswith("PGD-") and first != second
    assert {c.definition_id for c in cases(served.engine)} == {"pengaduan-layanan"}


def test_a_receipt_opens_only_at_its_own_service(served: Served) -> None:
    response = send_complaint(served, complaint())
    receipt = str(response.url).split("?", 1)[1]  # t=<signed receipt>
    assert served.client.get(f"{PENGADUAN_URL}/selesai?{receipt}").status_code == 200
    assert served.client.get(f"{INTEGRASI}/selesai?{receipt}").status_code == 404


def test_status_pages_per_service_and_for_any_reference(served: Served) -> None:
    reference = reference_in(send_complaint(served, complaint()).text)
    own = served.client.get(f"{PENGADUAN_URL}/status").text
    assert "Nomor WhatsApp" in own and "PGD-2026-000123" in own
    assert f'action="{PENGADUAN_URL}/status"' in own
    integrasi = served.client.get(f"{INTEGRASI}/status").text
    assert "LII-2026-000123" in integrasi and "PGD-" not in integrasi
    anywhere = served.client.get("/status").text
    assert "Contoh: LII-2026-000123 atau PGD-2026-000123" in anywhere
    assert "Nomor HP atau email" in anywhere
    for path in ("/status", f"{PENGADUAN_URL}/status"):
        found = served.client.post(
            path, data={"nomor-permohonan": reference, "kontak": "0813-5555-0101"}
        )
        assert found.status_code == 200, path
        assert reference in found.text and "Pengaduan Layanan" in found.text
        assert "Rudi" not in found.text and "Antrean" not in found.text
    wrong = served.client.post(
        "/status", data={"nomor-permohonan": reference, "kontak": "0813 9999 0000"}
    )
    assert wrong.status_code == 404


def test_each_service_has_its_own_poster(served: Served) -> None:
    texts = {}
    for base in (INTEGRASI, PENGADUAN_URL):
        pdf = served.client.get(f"{base}/poster")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        reader = PdfReader(io.BytesIO(pdf.content))
        texts[base] = " ".join(page.extract_text() for page in reader.pages)
        assert served.client.get(f"{base}/poster/qr.png").content.startswith(b"\x89PNG")
    assert "testserver/pengaduan-layanan/" in texts[PENGADUAN_URL].replace("\n", "")
    assert "Pengaduan Layanan" in texts[PENGADUAN_URL]
    assert "testserver/layanan-informasi-integrasi/" in texts[INTEGRASI].replace("\n", "")


def test_the_allow_list_serves_only_the_named_services(tmp_path: Path) -> None:
    it = serve(tmp_path, intake_services="pengaduan-layanan")
    try:
        assert it.client.get(f"{PENGADUAN_URL}/").status_code == 200
        assert it.client.get(f"{INTEGRASI}/").status_code == 404
        assert f"{INTEGRASI}/" not in it.client.get("/").text
    finally:
        it.engine.dispose()
    with pytest.raises(FormDefinitionError, match="did you mean `pengaduan-layanan`"):
        serve(tmp_path, intake_services="pengaduan-layanann")


def test_an_empty_definitions_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "kosong").mkdir()
    settings = settings_for(tmp_path, intake_services="")
    settings.definitions_dir = tmp_path / "kosong"
    with pytest.raises(DefinitionErrors, match="no definition: expected"):
        build_app_from_settings(settings, store=InMemoryObjectStore(), starter=FakeCaseStarter())


def test_two_services_cannot_share_a_reference_prefix(tmp_path: Path) -> None:
    folder = definitions_folder(tmp_path / "defs", PENGADUAN)
    copy = folder / "pengaduan_kedua"
    copy.mkdir()
    text = (folder / "pengaduan_layanan" / "process.yaml").read_text(encoding="utf-8")
    (copy / "process.yaml").write_text(
        text.replace("id: pengaduan-layanan", "id: pengaduan-kedua"), encoding="utf-8"
    )
    (copy / "templates").symlink_to(folder / "pengaduan_layanan" / "templates")
    loaded = [load_definition(p) for p in sorted(folder.glob("*/process.yaml"))]
    with pytest.raises(FormDefinitionError, match="share the reference prefix 'PGD'"):
        create_app(
            definitions=loaded,
            engine=make_engine(f"sqlite:///{tmp_path / 'x.db'}"),
            store=InMemoryObjectStore(),
            starter=FakeCaseStarter(),
            signer=CaseLinkSigner("x" * 32, "http://testserver"),
            secret_key="x" * 32,
        )


def test_a_deployed_edit_reaches_new_cases_without_a_restart(
    served: Served, tmp_path: Path
) -> None:
    """`sopflow deploy` publishes an edited budget: the running intake pins the next case to it;
    the case filed before keeps its version. An edit that changes the form is not pinned (the
    form the public filled is not that version's)."""
    from adapters.db.published_definitions import publish_definitions
    from adapters.definition_check import load_checked_definitions

    def checked() -> Any:  # as `sopflow deploy` loads them
        loaded = load_checked_definitions(settings_for(tmp_path))
        return next(d for d in loaded if d.definition.id == "pengaduan-layanan")

    folder = tmp_path / "definitions"  # the folder the app serves (settings_for)
    before = checked()
    publish_definitions(served.engine, [before])
    assert send_complaint(served, complaint()).status_code == 200
    edited_text = (folder / "pengaduan_layanan" / "process.yaml").read_text()
    edited_path = folder / "pengaduan_layanan" / "process.yaml"
    edited_path.write_text(edited_text.replace("budget: 2h", "budget: 3h", 1))
    edited = checked()
    assert edited.content_hash != before.content_hash
    publish_definitions(served.engine, [edited])
    assert send_complaint(served, complaint(email_pelapor="lain@example.com")).status_code == 200
    first, second = sorted(cases(served.engine), key=lambda c: c.reference)
    assert first.definition_hash == before.content_hash
    assert second.definition_hash == edited.content_hash

    form_changed = edited_path.read_text().replace("label: Perihal", "label: Pokok pengaduan", 1)
    assert form_changed != edited_path.read_text()
    edited_path.write_text(form_changed)
    publish_definitions(served.engine, [checked()])
    assert send_complaint(served, complaint(email_pelapor="tiga@example.com")).status_code == 200
    third = max(cases(served.engine), key=lambda c: c.reference)
    assert third.definition_hash == edited.content_hash  # the last version with this form
