"""The intake app through HTTP: SQLite/PostgreSQL, the in-memory object store, a fake starter."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine
from sqlmodel import select

from adapters.case_links import CaseLinkSigner
from adapters.db.case_repository import get_case_by_reference, record_decision, set_status
from adapters.db.case_tables import Case, CaseStatus
from adapters.db.engine import make_engine, session_scope
from adapters.db.migrate import upgrade
from adapters.intake.app import create_app
from adapters.intake.context import IntakeLimits
from adapters.intake.errors import UploadRejected as _Rejected
from adapters.intake.security import SECURITY_HEADERS
from adapters.intake.upload_checks import check_ktp_upload as _check
from adapters.notify.message import RenderedMessage
from adapters.notify.outbox import enqueue
from adapters.roster import load_roster
from adapters.storage.fake_store import InMemoryObjectStore
from process_definitions.loader import LoadedDefinition, load_definition
from tests.support.definition_folders import definitions_folder
from tests.support.fake_starter import FakeCaseStarter
from tests.unit.test_upload_checks import BAD_UPLOADS, _values

REPO = Path(__file__).resolve().parents[2]
SOP = REPO / "process_definitions" / "layanan_informasi_integrasi" / "process.yaml"
SECOND = REPO / "tests" / "fixtures" / "definitions" / "izin_kunjungan.yaml"
T0 = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
SECRET = "intake-test-secret-0123456789"
FORM = "/layanan-informasi-integrasi"  # the integrasi service's pages

pytestmark = pytest.mark.integration


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Intake:
    client: TestClient
    engine: Engine
    store: InMemoryObjectStore
    starter: FakeCaseStarter
    clock: FakeClock
    signer: CaseLinkSigner
    loaded: LoadedDefinition


def ktp_jpeg(width: int = 800, height: int = 500) -> bytes:
    image = Image.new("RGB", (width, height), (210, 190, 170))
    for x in range(0, width, 40):
        image.paste((30, 60, 120), (x, 0, x + 8, height))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def make_intake(
    url: str,
    *,
    definition: Path = SOP,
    limits: IntakeLimits | None = None,
    engine: Engine | None = None,
) -> Intake:
    store = InMemoryObjectStore()
    starter = FakeCaseStarter()
    clock = FakeClock(T0)
    signer = CaseLinkSigner(SECRET, "http://testserver")
    loaded = load_definition(definition)
    engine = engine or make_engine(url)
    app = create_app(
        definitions=[loaded],
        engine=engine,
        store=store,
        starter=starter,
        signer=signer,
        secret_key=SECRET,
        clock=clock,
        public_base_url="http://testserver",
        limits=limits,
        roster=load_roster(),
    )
    client = TestClient(app)
    return Intake(client, engine, store, starter, clock, signer, loaded)


@pytest.fixture
def intake(sqlite_url: str) -> Iterator[Intake]:
    upgrade(sqlite_url)
    built = make_intake(sqlite_url)
    yield built
    built.engine.dispose()


def unique_letters() -> str:
    """Six letters, different each call (names take no digits)."""
    return "".join(chr(97 + int(c, 16)) for c in uuid.uuid4().hex[:6])


def valid_form(**overrides: str) -> dict[str, str]:
    data = {
        "nama_pemohon": "Siti Aminah "
        + "".join(chr(97 + int(c, 16)) for c in uuid.uuid4().hex[:6]),
        "hubungan_pemohon": "keluarga",
        "alamat_pemohon": "Jl. Mawar No. 1\nSerang",
        "telepon_pemohon": "0812 3456 7890",
        "nama_penjamin": "Budi Santoso",
        "hubungan_penjamin": "Ayah",
        "alamat_penjamin": "Jl. Melati No. 2, Serang",
        "telepon_penjamin": "+62 813-1111-2222",
        "nama_narapidana": "Andi bin Ali",
        "email_pemohon": "siti@example.com",
        "informasi_dibutuhkan": "pembebasan_bersyarat",
        "pernyataan": "ya",
    }
    data.update(overrides)
    return data


def form_token(client: TestClient) -> str:
    page = client.get(f"{FORM}/")
    assert page.status_code == 200
    match = re.search(r'name="csrf-token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def submit(
    it: Intake,
    data: dict[str, str],
    *,
    ktp: bytes | None = None,
    token: str | None = None,
    advance_seconds: float = 240,
) -> Any:
    token = form_token(it.client) if token is None else token
    it.clock.advance(seconds=advance_seconds)
    files = {"foto_ktp": ("ktp.jpg", ktp if ktp is not None else ktp_jpeg(), "image/jpeg")}
    return it.client.post(f"{FORM}/kirim", data={"csrf-token": token, **data}, files=files)


def cases(engine: Engine) -> list[Case]:
    with session_scope(engine) as session:
        return list(session.exec(select(Case)))


def errors_in(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="f-([a-z0-9_]+)-error">([^<]+)</p>', html))


def reference_in(html: str) -> str:
    match = re.search(r'id="nomor-permohonan">([^<]+)<', html)
    assert match, html
    return match.group(1)


# --- submit ---------------------------------------------------------------------------------


def test_submit_stores_the_case_and_starts_its_run(migrated_engine: Engine) -> None:
    it = make_intake("", engine=migrated_engine)
    response = submit(it, valid_form(), advance_seconds=300)

    assert response.status_code == 200
    assert response.url.path == f"{FORM}/selesai"
    reference = reference_in(response.text)
    assert re.fullmatch(r"LII-2026-\d{6}", reference)
    assert "email dan WhatsApp" in response.text
    assert "19 menit" in response.text
    with session_scope(it.engine) as session:
        case = get_case_by_reference(session, reference=reference)
        assert case is not None
        data = case.form_data
        assert data["telepon_pemohon"] == "+6281234567890"
        assert data["telepon_penjamin"] == "+6281311112222"
        assert data["pernyataan"]["accepted"] is True
        assert data["pernyataan"]["statement_version"] == "2026-11"
        assert data["waktu_pengisian"] == (T0 + timedelta(seconds=300)).isoformat()
        assert case.status == CaseStatus.SUBMITTED.value
        assert case.opened_at is not None and case.opened_at.replace(tzinfo=UTC) == T0
        assert case.flow_run_id == it.starter.flow_run_ids[0]
        ktp = data["foto_ktp"]
        case_id = case.id
    assert ktp["kind"] == "jpg" and ktp["content_type"] == "image/jpeg"
    assert it.store.keys() == [ktp["object_key"]]
    assert it.store.get(ktp["object_key"])[:3] == b"\xff\xd8\xff"
    assert [(c.case_id, c.reference) for c in it.starter.calls] == [(case_id, reference)]
    assert not any(data["nama_pemohon"] in tag for tag in it.starter.calls[0].tags)


def test_errors_are_shown_per_field_and_every_value_is_kept(intake: Intake) -> None:
    data = valid_form(telepon_pemohon="0812", email_pemohon="bukan-email")
    del data["pernyataan"]
    response = submit(intake, data)

    assert response.status_code == 422
    errors = errors_in(response.text)
    assert set(errors) == {"telepon_pemohon", "email_pemohon", "pernyataan"}
    assert "Nomor HP tidak dikenali" in errors["telepon_pemohon"]
    assert f'value="{data["nama_pemohon"]}"' in response.text
    assert 'value="0812"' in response.text
    assert "Jl. Mawar No. 1\nSerang</textarea>" in response.text
    assert re.search(r'value="pembebasan_bersyarat" checked', response.text)
    assert 'aria-invalid="true"' in response.text
    assert cases(intake.engine) == [] and intake.store.keys() == []


def test_the_retry_after_errors_keeps_the_opening_time(intake: Intake) -> None:
    token = form_token(intake.client)
    submit(intake, valid_form(telepon_pemohon="x"), token=token, advance_seconds=60)
    response = submit(intake, valid_form(), token=token, advance_seconds=60)
    assert response.status_code == 200
    (case,) = cases(intake.engine)
    assert case.opened_at is not None and case.opened_at.replace(tzinfo=UTC) == T0


def test_missing_ktp_is_a_field_error(intake: Intake) -> None:
    response = submit(intake, valid_form(), ktp=b"")
    assert response.status_code == 422
    assert errors_in(response.text) == {"foto_ktp": "Pilih berkas untuk diunggah."}


def test_ktp_over_two_megabytes_is_refused_with_413(intake: Intake) -> None:
    too_big = b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024 - 2)
    assert len(too_big) == 2 * 1024 * 1024 + 1
    response = submit(intake, valid_form(), ktp=too_big)
    assert response.status_code == 413
    assert errors_in(response.text) == {"foto_ktp": "Berkas terlalu besar: maksimal 2 MB."}
    assert 'value="Budi Santoso"' in response.text
    assert cases(intake.engine) == [] and intake.store.keys() == []


def test_ktp_that_is_not_jpg_or_pdf_is_refused(intake: Intake) -> None:
    response = submit(intake, valid_form(), ktp=b"<html><script>alert(1)</script></html>")
    assert response.status_code == 415
    assert "foto_ktp" in errors_in(response.text)


def test_body_over_the_cap_gets_413_before_reading(intake: Intake) -> None:
    response = intake.client.post(
        f"{FORM}/kirim",
        content=b"x" * 10,
        headers={"content-length": str(50 * 1024 * 1024), "content-type": "multipart/form-data"},
    )
    assert response.status_code == 413
    assert "Kiriman terlalu besar" in response.text


def test_honeypot_filled_creates_nothing(intake: Intake) -> None:
    response = submit(intake, valid_form(**{"situs-web": "http://spam.example"}))
    assert response.status_code == 400
    assert cases(intake.engine) == [] and intake.store.keys() == []


@pytest.mark.parametrize("token", ["", "forged.token"])
def test_missing_or_forged_csrf_token_gets_a_clear_403(intake: Intake, token: str) -> None:
    form_token(intake.client)
    response = submit(intake, valid_form(), token=token)
    assert response.status_code == 403
    assert "Kirim sekali lagi" in response.text
    assert 'value="Budi Santoso"' in response.text  # nobody types twice
    assert cases(intake.engine) == []


def test_csrf_token_without_its_cookie_is_refused(intake: Intake) -> None:
    token = form_token(intake.client)
    intake.client.cookies.clear()
    response = submit(intake, valid_form(), token=token)
    assert response.status_code == 403
    assert cases(intake.engine) == []


def test_expired_form_token_is_refused(intake: Intake) -> None:
    token = form_token(intake.client)
    response = submit(intake, valid_form(), token=token, advance_seconds=7 * 3600)
    assert response.status_code == 403


def test_storage_down_shows_try_again_and_keeps_nothing(intake: Intake) -> None:
    intake.store.available = False
    response = submit(intake, valid_form())
    assert response.status_code == 503
    assert "Silakan coba lagi" in response.text
    assert cases(intake.engine) == []
    intake.store.available = True
    assert intake.store.keys() == []
    assert intake.starter.calls == []


def test_database_failure_leaves_no_orphan_object(tmp_path: Path) -> None:
    unmigrated = f"sqlite:///{tmp_path / 'empty.db'}"  # no tables: the insert fails
    it = make_intake(unmigrated)
    response = submit(it, valid_form())
    assert response.status_code == 503
    assert it.store.keys() == []
    assert it.starter.calls == []


def test_prefect_down_leaves_the_case_submitted_and_still_confirms(intake: Intake) -> None:
    intake.starter.available = False
    response = submit(intake, valid_form())
    assert response.status_code == 200
    reference = reference_in(response.text)
    (case,) = cases(intake.engine)
    assert case.reference == reference
    assert case.status == CaseStatus.SUBMITTED.value and case.flow_run_id is None
    assert len(intake.starter.calls) == 1


def test_submissions_are_rate_limited_per_client(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    it = make_intake(sqlite_url, limits=IntakeLimits(submit_per_window=2))
    statuses = [submit(it, valid_form(telepon_pemohon="x")).status_code for _ in range(3)]
    assert statuses == [422, 422, 429]
    it.clock.advance(minutes=11)
    assert submit(it, valid_form(telepon_pemohon="x"), advance_seconds=0).status_code == 422


def test_receipt_link_cannot_be_forged(intake: Intake) -> None:
    forged = "eyJyIjoiTElJLTIwMjYtOTk5OTk5In0.x"
    response = intake.client.get(f"{FORM}/selesai", params={"t": forged})
    assert response.status_code == 404


# --- another definition ------------------------------------------------------------------------


def test_a_second_definition_gets_its_own_form(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    it = make_intake(sqlite_url, definition=SECOND)
    page = it.client.get("/izin-kunjungan/")
    assert 'name="tanggal_kunjungan"' in page.text and "foto_ktp" not in page.text
    token = re.search(r'name="csrf-token" value="([^"]+)"', page.text)
    assert token
    data = {"csrf-token": token.group(1), "nama": "Rina", "email": "rina@example.com"}
    response = it.client.post(
        "/izin-kunjungan/kirim", data={**data, "tanggal_kunjungan": "2026-04-01"}
    )
    assert response.status_code == 200
    reference = reference_in(response.text)
    assert reference.startswith("IK-2026-")
    (case,) = cases(it.engine)
    assert case.form_data == {
        "nama": "Rina",
        "email": "rina@example.com",
        "tanggal_kunjungan": "2026-04-01",
    }
    # Without a phone field, the status page asks for the email.
    found = it.client.post(
        "/status", data={"nomor-permohonan": reference, "kontak": "RINA@example.com"}
    )
    assert found.status_code == 200 and "Diterima" in found.text


# --- status page --------------------------------------------------------------------------------


def _status(it: Intake, reference: str, phone: str) -> Any:
    return it.client.post("/status", data={"nomor-permohonan": reference, "kontak": phone})


def test_status_needs_reference_and_phone_and_says_nothing_else(intake: Intake) -> None:
    form = valid_form()
    reference = reference_in(submit(intake, form).text)

    found = _status(intake, reference.lower(), "+62 812-3456-7890")
    assert found.status_code == 200
    assert reference in found.text and "Diterima" in found.text
    assert form["nama_pemohon"] not in found.text and "Andi" not in found.text

    wrong_phone = _status(intake, reference, "0812 9999 0000")
    no_case = _status(intake, "LII-2026-999999", "0812 9999 0000")
    garbage = _status(intake, "<script>", "x" * 300)

    def body(response: Any) -> str:
        return str(response.text).split("<main", 1)[1].split("</form>", 1)[0]

    assert wrong_phone.status_code == no_case.status_code == 404
    assert "Data tidak ditemukan" in wrong_phone.text
    assert body(wrong_phone).replace(reference, "REF") == body(no_case).replace(
        "LII-2026-999999", "REF"
    )
    assert garbage.status_code == 404


def test_status_shows_the_current_step_name(intake: Intake) -> None:
    reference = reference_in(submit(intake, valid_form()).text)
    with session_scope(intake.engine) as session:
        case = get_case_by_reference(session, reference=reference)
        assert case is not None
        case.current_step = "verifikasi_sdp"
        set_status(session, case=case, status=CaseStatus.WAITING, now=T0)
    response = _status(intake, reference, "081234567890")
    step = intake.loaded.definition.step("verifikasi_sdp")
    assert step.name in response.text


def test_status_lookups_are_rate_limited(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    it = make_intake(sqlite_url, limits=IntakeLimits(status_per_window=3))
    codes = [_status(it, "LII-2026-000001", "081234567890").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


# --- case file ---------------------------------------------------------------------------------


def _submitted_case(it: Intake) -> Case:
    reference = reference_in(submit(it, valid_form()).text)
    with session_scope(it.engine) as session:
        case = get_case_by_reference(session, reference=reference)
        assert case is not None
        case.variables = {
            "candidates": [
                {
                    "key": "K1",
                    "no_registrasi": "B.I 123/2021",
                    "nama": "ANDI BIN ALI",
                    "upt": "Lapas Serang",
                    "score": 96,
                    "reasons": ["nama sama persis"],
                }
            ]
        }
        case.current_step = "verifikasi_sdp"  # an operator step: the link was made for it
        session.add(case)
        return case


def _link(it: Intake, case: Case, ttl: timedelta = timedelta(hours=1)) -> str:
    return it.signer.url(case.id, step_id="verifikasi_sdp", now=it.clock(), ttl=ttl)


def test_case_file_link_opens_form_data_ktp_and_candidates(intake: Intake) -> None:
    case = _submitted_case(intake)
    url = _link(intake, case)
    response = intake.client.get(url)
    assert response.status_code == 200
    assert case.reference in response.text
    assert case.form_data["nama_pemohon"] in response.text
    assert "Pembebasan Bersyarat (PB)" in response.text  # the option label, not its value
    assert "memory://objects/" in response.text  # presigned KTP link
    assert "response-content-disposition" in response.text
    assert "B.I 123/2021" in response.text and ">K1<" in response.text
    assert response.headers["cache-control"] == "no-store"


def test_expired_case_file_link_is_403(intake: Intake) -> None:
    case = _submitted_case(intake)
    url = _link(intake, case, timedelta(minutes=5))
    intake.clock.advance(minutes=6)
    response = intake.client.get(url)
    assert response.status_code == 403
    assert case.form_data["nama_pemohon"] not in response.text


def test_a_case_file_link_dies_when_the_case_leaves_its_step(intake: Intake) -> None:
    """A link kept in Prefect's database opens nothing once the decision is made."""
    case = _submitted_case(intake)
    url = _link(intake, case)
    assert intake.client.get(url).status_code == 200
    for step, finished in (("setujui_jawaban", None), ("verifikasi_sdp", intake.clock())):
        with session_scope(intake.engine) as session:
            stored = get_case_by_reference(session, reference=case.reference)
            assert stored is not None
            stored.current_step, stored.finished_at = step, finished
            session.add(stored)
        response = intake.client.get(url)
        assert response.status_code == 403 and "sudah melewati langkah" in response.text
        assert case.form_data["nama_pemohon"] not in response.text


def test_case_file_shows_decisions_with_names_drafts_and_messages_sent(intake: Intake) -> None:
    case = _submitted_case(intake)
    now = intake.clock()
    with session_scope(intake.engine) as session:
        stored = get_case_by_reference(session, reference=case.reference)
        assert stored is not None
        record_decision(
            session,
            case=stored,
            step_id="verifikasi_sdp",
            visit=1,
            values={"keputusan": "K1"},
            operator_nip="199001012015031001",
            at=now,
        )
        stored.variables = {
            **stored.variables,
            "catatan_verifikasi": "Dicek juga dengan tanggal lahir",
            "pratinjau_pesan": {
                "setujui_jawaban": {
                    "step": "kirim_informasi",
                    "messages": {"whatsapp": {"subject": None, "text": "Draf untuk Budi"}},
                }
            },
        }
        session.add(stored)
        enqueue(
            session,
            case_id=stored.id,
            step_id="kirim_informasi",
            channel="email",
            recipient="budi@example.com",
            message=RenderedMessage(subject="Subjek terkirim", text="Isi terkirim"),
            now=now,
        )
    html = intake.client.get(_link(intake, case)).text
    assert "199001012015031001 - Operator Divpas Demo 1" in html  # NIP and name from the roster
    assert "K1: ANDI BIN ALI, B.I 123/2021" in html  # the chosen candidate, as a person reads it
    assert "Dicek juga dengan tanggal lahir" in html  # the note lives here, not in Prefect
    assert "Draf untuk Budi" in html and "Subjek terkirim" in html and "Isi terkirim" in html


def test_tampered_case_file_link_is_403(intake: Intake) -> None:
    case = _submitted_case(intake)
    url = _link(intake, case)
    other = CaseLinkSigner("another-secret-0123456789", "http://testserver")
    forged = other.url(
        case.id, step_id="verifikasi_sdp", now=intake.clock(), ttl=timedelta(hours=1)
    )
    flipped = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    for bad in (forged, flipped, "/berkas/bukan-token"):
        assert intake.client.get(bad).status_code == 403


# --- headers and extras --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", f"{FORM}/", "/status", "/tidak-ada", "/static/intake.css", f"{FORM}/poster"]
)
def test_security_headers_on_every_response(intake: Intake, path: str) -> None:
    response = intake.client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src" not in csp and "unsafe" not in csp


def test_pages_use_no_inline_script_or_style_or_other_hosts(intake: Intake) -> None:
    html = intake.client.get(f"{FORM}/").text
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert re.search(r'<label for="f-nama_pemohon">', html)
    assert '<html lang="id">' in html


def test_poster_pdf_and_qr_codes(intake: Intake) -> None:
    pdf = intake.client.get(f"{FORM}/poster")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    png = intake.client.get(f"{FORM}/poster/qr.png")
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
    svg = intake.client.get(f"{FORM}/poster/qr.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content


def test_chunked_body_over_the_cap_is_cut_off_with_413(intake: Intake) -> None:
    head = (
        b'--b0undary\r\nContent-Disposition: form-data; name="foto_ktp"; filename="a.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n"
    )
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        yield head
        for _ in range(40):  # 10 MB in total, never all read
            sent.append(1)
            yield b"\xff" * (256 * 1024)

    response = intake.client.post(
        f"{FORM}/kirim",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=b0undary"},
    )
    assert "content-length" not in response.request.headers  # streamed, no declared length
    assert response.status_code == 413
    assert "Kiriman terlalu besar" in response.text
    assert cases(intake.engine) == [] and intake.store.keys() == []


@pytest.mark.parametrize(
    ("method", "path", "status"), [("get", f"{FORM}/kirim", 405), ("get", "/x", 404)]
)
def test_http_errors_are_html_pages_in_indonesian(
    intake: Intake, method: str, path: str, status: int
) -> None:
    response = intake.client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="id">' in response.text


def test_build_app_from_settings_wires_the_configured_parts(tmp_path: Path) -> None:
    from adapters.intake.app import build_app_from_settings
    from adapters.settings import Settings

    url = f"sqlite:///{tmp_path / 'served.db'}"
    upgrade(url)
    folder = definitions_folder(tmp_path / "definitions", SOP)
    settings = Settings(
        data_dir=tmp_path / "var", database_url=url, s3_endpoint="", definitions_dir=folder
    )
    with pytest.raises(ValueError, match="no S3 endpoint"):
        build_app_from_settings(settings)
    app = build_app_from_settings(settings, store=InMemoryObjectStore(), starter=FakeCaseStarter())
    page = TestClient(app).get(f"{FORM}/")
    assert page.status_code == 200 and 'name="foto_ktp"' in page.text
    assert (tmp_path / "var" / "secret_key").exists()  # the instance secret was created


def test_case_file_times_are_shown_in_office_time(intake: Intake) -> None:
    case = _submitted_case(intake)
    url = _link(intake, case)
    html = intake.client.get(url).text
    # T0 is 02:00 UTC, the form was sent 4 minutes later: 09.00 and 09.04 WIB.
    assert "5 Maret 2026 09.00 WIB" in html and "5 Maret 2026 09.04 WIB" in html


# --- the bad-upload corpus through the whole app ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "code"), BAD_UPLOADS, ids=[str(_values(case)[0]) for case in BAD_UPLOADS]
)
def test_every_bad_upload_is_refused_by_the_app_and_nothing_is_stored(
    intake: Intake, name: str, make: Any, code: Any
) -> None:
    data = make()
    with pytest.raises(_Rejected) as expected:  # the applicant's own sentence for this reason
        _check(data)
    message = expected.value.message
    response = submit(intake, valid_form(), ktp=data)
    assert response.status_code in (400, 413, 415, 422), name
    if code.value == "empty":
        assert "foto_ktp" in errors_in(response.text)
    else:
        assert errors_in(response.text).get("foto_ktp") == message, name
    assert 'value="Budi Santoso"' in response.text  # nothing typed is lost
    assert cases(intake.engine) == [] and intake.store.keys() == []


def test_case_file_shows_flags_raised_on_the_case(intake: Intake) -> None:
    """A delivery that failed is visible to the operator who opens the case file."""
    case = _submitted_case(intake)
    with session_scope(intake.engine) as session:
        stored = get_case_by_reference(session, reference=case.reference)
        assert stored is not None
        stored.flags = ["pengiriman_gagal:kirim_informasi"]
        session.add(stored)
    url = _link(intake, case)
    response = intake.client.get(url)
    assert "Perlu tindakan petugas" in response.text
    assert "Petugas memberikan informasi integrasi melalui email dan WhatsApp" in response.text
