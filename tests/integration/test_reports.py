"""`sopflow report sla` / `report register` on a day with cases of both branches, on SQLite and
PostgreSQL; PDFs rendered with poppler; the daily summary flow's artifacts on a real Prefect."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from adapters.cli.app import app
from tests.support.case_day import (
    DAY_START,
    DIVPAS_NIP,
    INTEGRASI_NIP,
    BuiltCase,
    day_of_cases,
    sop,
)
from tests.support.prefect_clients import drain_prefect_clients

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
DAY = "2026-11-27"
NAMES = ("Dewi Lestari", "Rahmat Hidayat", "Agus Salim", "Wati Susanti")
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils")


def invoke(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def render_pages(pdf: Path, prefix: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(prefix)], check=True)
    pages = sorted(prefix.parent.glob(f"{prefix.name}*.png"))
    assert pages and all(page.stat().st_size > 5000 for page in pages)
    return pages


@needs_poppler
def test_sla_report_in_every_format(
    cli_env: CliRunner, day_cases: dict[str, BuiltCase], tmp_path: Path
) -> None:
    ref = {key: case.reference for key, case in day_cases.items()}
    args = ("report", "sla", "--from", DAY, "--to", DAY)
    rows = list(csv.DictReader(io.StringIO(invoke(cli_env, *args, "--format", "csv"))))
    verify = next(r for r in rows if r["kelompok"] == "kegiatan" and r["kunci"] == "verifikasi_sdp")
    # 180 s (over 150), 180 s (over), 60 s; the waiting case's visit is still open
    assert (verify["jumlah"], verify["median_detik"], verify["maks_detik"]) == ("3", "180", "180")
    assert verify["melewati_batas_selesai"].split() == [ref["found"], ref["found_slow"]]
    total = next(r for r in rows if r["kelompok"] == "total")
    assert total["melewati_batas_selesai"] == ref["found_slow"]  # 15 min form + 6 min > 19 min
    outcomes = {r["kunci"]: r["jumlah"] for r in rows if r["kelompok"] == "hasil"}
    assert outcomes == {"tidak_ditemukan": "1", "informasi_diberikan": "2"}

    data = json.loads(invoke(cli_env, *args, "--format", "json"))
    [definition] = data["definitions"]
    assert (definition["cases"], definition["completed"], definition["open"]) == (4, 3, 1)
    assert definition["total"]["within_share"] == pytest.approx(2 / 3)
    assert definition["open_breaches"] == [ref["waiting"]]  # waiting since that day

    html = tmp_path / "sla.html"
    invoke(cli_env, *args, "--format", "html", "-o", str(html))
    page = html.read_text()
    assert "<svg" in page and ref["found_slow"] in page and "67%" in page
    assert not any(name in page for name in NAMES)  # auditors' figures: references only

    pdf = tmp_path / "sla.pdf"
    invoke(cli_env, *args, "--format", "pdf", "-o", str(pdf))
    content = pdf_text(pdf)
    assert "Laporan Waktu Layanan (SLA): 27 November 2026" in content
    assert ref["found_slow"] in content and "Masih menunggu, lewat batas" in content
    assert "Petugas memverifikasi data" in content and "batas 2 menit 30 detik" in content
    assert len(render_pages(pdf, tmp_path / "sla-page")) >= 2


@needs_poppler
def test_register_lists_every_case_with_names_and_signature_boxes(
    cli_env: CliRunner, day_cases: dict[str, BuiltCase], tmp_path: Path
) -> None:
    pdf = tmp_path / "register.pdf"
    invoke(cli_env, "report", "register", "--date", DAY, "-o", str(pdf))
    content = pdf_text(pdf)
    assert "REGISTER HARIAN PELAYANAN INFORMASI INTEGRASI" in content
    assert "Jumat, 27 November 2026" in content
    for case in day_cases.values():
        assert case.reference in content
    for name in NAMES:
        assert name in content
    assert "Bersyarat (PB)" in content and "Menunggu petugas" in content
    # the prisoner's name and the relationship have columns of their own
    assert "Narapidana/Anak" in content and "Keluarga/Pengacara" in content  # headings
    assert "Budi Santoso bin" in content and "Keluarga" in content
    assert "Pengacara: Keluarga" not in content  # no longer folded into the information
    assert DIVPAS_NIP in content and INTEGRASI_NIP in content
    assert "08:05" in content and "08:11" in content  # received, answered (WIB)
    assert "Kepala Bidang/Divisi" in content and content.count("Petugas") >= 2
    assert "dijawab dalam waktu SOP: 2 dari 3" in content
    render_pages(pdf, tmp_path / "register-page")


def test_empty_period_and_bad_input(cli_env: CliRunner, migrated_engine: Engine) -> None:
    out = invoke(cli_env, "report", "sla", "--from", "2020-01-01", "--to", "2020-01-02",
                 "--format", "json")  # fmt: skip
    assert json.loads(out)["definitions"] == []
    result = cli_env.invoke(app, ["report", "sla", "--from", "2020-01-02", "--to", "2020-01-01"])
    assert result.exit_code == 1 and "before it starts" in result.output
    result = cli_env.invoke(app, ["report", "register", "--date", "27-11-2026"])
    assert result.exit_code == 2


def test_audit_verify_passes_then_fails_after_tampering(
    cli_env: CliRunner, day_cases: dict[str, BuiltCase], migrated_engine: Engine
) -> None:
    assert "intact" in invoke(cli_env, "audit", "verify")
    with migrated_engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET actor = 'orang lain' WHERE id = 5"))
    result = cli_env.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and "entry 5" in result.output


@pytest.mark.timeout(180)
def test_sla_summary_flow_publishes_artifacts_without_personal_data(
    tmp_path: Path, sqlite_url: str
) -> None:
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_LOGGING_TO_API_ENABLED,
        temporary_settings,
    )

    from adapters.case_links import CaseLinkSigner
    from adapters.db.engine import make_engine
    from adapters.db.migrate import upgrade
    from adapters.local_prefect import start_local_prefect
    from adapters.notify.apprise_notifier import AppriseNotifier
    from adapters.notify.channels import default_channel_config
    from adapters.roster import load_roster
    from adapters.sdp.fake import FakeSdpDirectory
    from flows.sla_summary_flow import publish_sla_summary
    from tasks.services import CaseServices, entered_services

    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    built = day_of_cases(engine, sop(), DAY_START)
    channels = default_channel_config()
    services = entered_services(
        CaseServices(
            engine=engine,
            sdp=FakeSdpDirectory(),
            notifier=AppriseNotifier(channels, outbox_dir=tmp_path / "outbox"),
            channels=channels,
            roster=load_roster(),
            links=CaseLinkSigner("s" * 32, "http://127.0.0.1:8000"),
            clock=lambda: datetime(2026, 11, 28, 1, tzinfo=UTC),  # 08:00 WIB the next day
        )
    )
    server = start_local_prefect(tmp_path / "prefect")
    try:
        # no run logs shipped: the server stops right after the run
        with (
            services,
            temporary_settings(
                {PREFECT_API_URL: server.api_url, PREFECT_LOGGING_TO_API_ENABLED: False}
            ),
        ):
            result = asyncio.run(publish_sla_summary())  # yesterday = 2026-11-27 (WIB)
        assert result == {"cases": 4, "definitions": 1}
        response = httpx.post(f"{server.api_url}/artifacts/filter", json={}, timeout=10)
        artifacts = {a["key"]: a for a in response.json()}
        markdown = artifacts["sopflow-sla-summary"]["data"]
        table = json.dumps(artifacts["sopflow-sla-steps"]["data"])
        assert "audit head" in artifacts["sopflow-audit-anchor"]["data"]  # the chain's head
        assert "Ringkasan SLA 27 November 2026" in markdown
        assert built["found_slow"].reference in markdown
        assert "verifikasi_sdp" in table and built["found"].reference in table
        for name in (*NAMES, "Budi Santoso", "Siti Aminah", "+628", "@example.com"):
            assert name not in markdown and name not in table
    finally:
        drain_prefect_clients()
        server.stop()
        engine.dispose()


def test_demo_cases_are_left_out_unless_asked(
    cli_env: CliRunner, day_cases: dict[str, BuiltCase], migrated_engine: Engine, tmp_path: Path
) -> None:
    demo = day_cases["found"].reference
    with migrated_engine.begin() as conn:
        conn.execute(text('UPDATE "case" SET is_demo = true WHERE reference = :r'), {"r": demo})
    args = ("report", "sla", "--from", DAY, "--to", DAY, "--format", "json")
    assert json.loads(invoke(cli_env, *args))["definitions"][0]["cases"] == 3
    with_demo = json.loads(invoke(cli_env, *args, "--include-demo"))
    assert with_demo["definitions"][0]["cases"] == 4
    export = ("export", "cases", "--from", DAY, "--to", DAY)
    assert demo not in invoke(cli_env, *export)
    assert demo in invoke(cli_env, *export, "--include-demo")
    if shutil.which("pdftotext"):
        pdf = tmp_path / "register.pdf"
        invoke(cli_env, "report", "register", "--date", DAY, "-o", str(pdf))
        assert demo not in pdf_text(pdf) and day_cases["waiting"].reference in pdf_text(pdf)
        invoke(cli_env, "report", "register", "--date", DAY, "-o", str(pdf), "--include-demo")
        assert demo in pdf_text(pdf)
