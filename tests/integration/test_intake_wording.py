"""What the public and operators read (issue 16 item 6): the form opens with the YAML's
`public_text`, limits are the configured ones, every time is office time (WIB)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.intake.context import IntakeSite
from adapters.intake.public_text import DEFAULT_INTRO
from process_definitions import model as m
from process_definitions.loader import load_definition
from tests.integration.test_intake_app import errors_in, ktp_jpeg, reference_in
from tests.integration.test_intake_services import (
    INTEGRASI,
    PENGADUAN_URL,
    Served,
    cases,
    complaint,
    send_complaint,
    serve,
    token_of,
)
from tests.support.definition_folders import PENGADUAN, definitions_folder, integrasi_file

pytestmark = pytest.mark.integration

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    it = serve(tmp_path)
    yield it
    it.engine.dispose()


def oversized_post(it: Served, base: str, field: str, size: int) -> str:
    token = token_of(it.client.get(f"{base}/"))
    files = {field: ("besar.jpg", b"\xff\xd8\xff" + b"\x00" * size, "image/jpeg")}
    response = it.client.post(f"{base}/kirim", data={"csrf-token": token}, files=files)
    assert response.status_code == 413
    return str(response.text)


def test_the_form_opens_with_the_public_text_not_the_sop_title(served: Served) -> None:
    definition = load_definition(integrasi_file()).definition
    opening, step = definition.step("buka_formulir"), definition.step("isi_biodata")
    assert isinstance(opening, m.PublicActionStep) and isinstance(step, m.FormStep)
    assert opening.public_text and step.public_text
    html = served.client.get(f"{INTEGRASI}/").text
    lead = html.split('<p class="lead">', 1)[1].split("</p>", 1)[0]
    # What the service is (the opening step), then what to do (the form step).
    assert lead == " ".join(f"{opening.public_text} {step.public_text}".split())
    assert step.name not in html and opening.name not in html  # the SOP's own wording
    pengaduan = served.client.get(f"{PENGADUAN_URL}/").text
    assert "Sampaikan keluhan Anda tentang pelayanan kantor kami." in pengaduan
    assert "Pelapor mengisi formulir pengaduan" not in pengaduan


def test_a_form_without_public_text_gets_a_plain_instruction(tmp_path: Path) -> None:
    from tests.integration.test_intake_app import SECOND, make_intake

    it = make_intake(f"sqlite:///{tmp_path / 'x.db'}", definition=SECOND)
    html = it.client.get("/izin-kunjungan/").text
    assert DEFAULT_INTRO in html and "Publik mengajukan izin kunjungan" not in html


@pytest.mark.parametrize(
    ("base", "field", "limit"),
    [(INTEGRASI, "foto_ktp", "2 MB"), (PENGADUAN_URL, "lampiran", "1 MB")],
)
def test_a_refused_upload_names_the_limit_the_form_shows(
    served: Served, base: str, field: str, limit: str
) -> None:
    form = served.client.get(f"{base}/").text
    assert f"maksimal {limit}" in form
    # Over the whole request's cap (the largest form's files plus room for the text fields).
    text = oversized_post(served, base, field, 3 * 1024 * 1024)
    assert f"Kiriman melebihi batas {limit}." in text
    assert "2.25" not in text and "MB" in text
    assert f'href="{base}/"' in text  # back to the same form


def test_a_file_over_its_own_limit_but_under_the_cap_gets_the_field_error(served: Served) -> None:
    files = {"lampiran": ("bukti.jpg", ktp_jpeg(10, 10) + b"\x00" * (1024 * 1024), "image/jpeg")}
    response = send_complaint(served, complaint(), files)
    assert response.status_code == 413
    assert errors_in(response.text) == {"lampiran": "Berkas terlalu besar: maksimal 1 MB."}


def test_the_confirmation_and_status_pages_show_office_time(served: Served) -> None:
    # The clock starts at 02:00 UTC; the complaint is sent 3 minutes later: 09.03 WIB.
    response = send_complaint(served, complaint())
    assert "Diterima 5 Maret 2026 09.03 WIB" in response.text
    assert not ISO_UTC.search(response.text)
    reference = reference_in(response.text)
    status = served.client.post(
        "/status", data={"nomor-permohonan": reference, "kontak": "081355550101"}
    )
    assert status.status_code == 200
    received = status.text.split('id="waktu-diterima">', 1)[1].split("<", 1)[0]
    assert received == "5 Maret 2026 09.03 WIB"
    assert not ISO_UTC.search(status.text)


def test_the_case_file_shows_every_time_in_office_time(served: Served) -> None:
    send_complaint(served, complaint())
    site: IntakeSite = served.client.app.state.intake  # type: ignore[attr-defined]
    (case,) = cases(served.engine)
    url = site.signer.url(
        case.id, step_id=str(case.current_step), now=served.clock(), ttl=timedelta(hours=1)
    )
    html = served.client.get(url).text
    assert "Perihal pengaduan" in html and "Antrean loket terlalu lama" in html
    row = html.split("<dt>Waktu pengaduan</dt>", 1)[1].split("</dd>", 1)[0]
    assert row.strip() == "<dd>5 Maret 2026 09.03 WIB"
    assert not ISO_UTC.search(html)
    assert "Kandidat" not in html and "SDP" not in html  # this SOP searches nothing
    assert '<p class="service"><a href="/pengaduan-layanan/">Pengaduan Layanan</a></p>' in html


def test_the_case_file_shows_the_declaration_time_in_office_time(tmp_path: Path) -> None:
    from adapters.db.migrate import upgrade
    from tests.integration.test_intake_app import (
        _submitted_case,
        make_intake,
    )

    url = f"sqlite:///{tmp_path / 'x.db'}"
    upgrade(url)
    it = make_intake(url)
    case = _submitted_case(it)
    link = it.signer.url(
        case.id, step_id=str(case.current_step), now=it.clock(), ttl=timedelta(hours=1)
    )
    html = it.client.get(link).text
    # T0 02:00 UTC + 4 minutes: the form's input time and the declaration, 09.04 WIB.
    row = html.split("<dt>Tanggal dan Jam Input</dt>", 1)[1].split("</dd>", 1)[0]
    assert row.strip() == "<dd>5 Maret 2026 09.04 WIB"
    assert "Disetujui 5 Maret 2026 09.04 WIB (versi 2026-11)" in html
    assert not ISO_UTC.search(html)
    it.engine.dispose()


def test_the_limit_shown_follows_the_configuration(tmp_path: Path) -> None:
    """Edit max_size in the YAML: the form, the field error and the 413 all say the new limit."""
    folder = definitions_folder(tmp_path / "definitions", PENGADUAN)
    yaml_file = folder / "pengaduan_layanan" / "process.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    yaml_file.write_text(text.replace("max_size: 1MB", "max_size: 3MB"), encoding="utf-8")
    it = serve(tmp_path)
    try:
        form = it.client.get(f"{PENGADUAN_URL}/").text
        limit = form.split('id="f-lampiran-limit">', 1)[1].split("</p>", 1)[0]
        assert limit == "Format JPG atau PDF, maksimal 3 MB."
        assert 'aria-describedby="f-lampiran-help f-lampiran-limit"' in form
        assert "Kiriman melebihi batas 3 MB." in oversized_post(
            it, PENGADUAN_URL, "lampiran", 5 * 1024 * 1024
        )
    finally:
        it.engine.dispose()
