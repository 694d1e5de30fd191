"""A day of cases of the SOP built straight through the case repository, with known times.

Used by the report, purge and export tests. Times are passed in; nothing reads the clock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from adapters.db import case_repository as repo
from adapters.db.case_tables import CaseStatus
from adapters.db.engine import session_scope
from process_definitions.loader import LoadedDefinition, load_definition

SOP_FILE = (
    Path(__file__).resolve().parents[2]
    / "process_definitions"
    / "layanan_informasi_integrasi"
    / "process.yaml"
)
DIVPAS_NIP = "199001012015031001"
INTEGRASI_NIP = "198803032014031003"

# (step id, seconds, actor, decision values or None); the end step closes the case.
FOUND_PATH: list[tuple[str, float, str, dict[str, Any] | None]] = [
    ("cari_sdp", 10, "sistem", None),
    ("verifikasi_sdp", 180, DIVPAS_NIP, {"keputusan": "K1"}),  # budget 2m30s: over
    ("hasil_verifikasi", 0, "sistem", None),
    ("susun_jawaban", 10, "sistem", None),
    ("setujui_jawaban", 120, INTEGRASI_NIP, {"persetujuan": "kirim"}),
    ("cek_persetujuan", 0, "sistem", None),
    ("kirim_informasi", 40, "sistem", None),
    ("selesai_informasi_diberikan", 0, "sistem", None),
]
NOT_FOUND_PATH: list[tuple[str, float, str, dict[str, Any] | None]] = [
    ("cari_sdp", 20, "sistem", None),
    ("verifikasi_sdp", 60, DIVPAS_NIP, {"keputusan": "tidak_ditemukan"}),
    ("hasil_verifikasi", 0, "sistem", None),
    ("kabar_tidak_ditemukan", 30, "sistem", None),
    ("selesai_tidak_ditemukan", 0, "sistem", None),
]


def sop() -> LoadedDefinition:
    return load_definition(SOP_FILE)


def form_data(
    name: str, *, object_key: str | None = None, programme: str = "asimilasi"
) -> dict[str, Any]:
    return {
        "nama_pemohon": name,
        "hubungan_pemohon": "keluarga",
        "alamat_pemohon": "Jl. Merdeka No. 1, Serang",
        "telepon_pemohon": "+6281234567890",
        "nama_penjamin": "Siti Aminah",
        "hubungan_penjamin": "Ibu",
        "alamat_penjamin": "Jl. Merdeka No. 1, Serang",
        "telepon_penjamin": "+6281298765432",
        "nama_narapidana": "Budi Santoso bin Ahmad",
        "foto_ktp": {
            "object_key": object_key or f"ktp/{uuid.uuid4().hex}",
            "content_type": "image/jpeg",
            "size": 2048,
            "kind": "jpg",
        },
        "email_pemohon": "dewi@example.com",
        "informasi_dibutuhkan": programme,
        "pernyataan": {"accepted": True, "statement_version": "2026-11", "accepted_at": "x"},
        "waktu_pengisian": "2026-11-27T02:05:00+00:00",
    }


@dataclass(frozen=True)
class BuiltCase:
    case_id: str
    reference: str
    finished_at: datetime | None


def build_case(
    engine: Engine,
    loaded: LoadedDefinition,
    *,
    name: str,
    opened_at: datetime,
    form_seconds: float,
    path: list[tuple[str, float, str, dict[str, Any] | None]],
    object_key: str | None = None,
    programme: str = "asimilasi",
    stop_after: int | None = None,
) -> BuiltCase:
    """Submit a case, then walk `path` (all of it, or the first `stop_after` steps and open
    the next one, leaving the case waiting)."""
    definition = loaded.definition
    submitted = opened_at + timedelta(seconds=form_seconds)
    with session_scope(engine) as session:
        case = repo.create_case(
            session,
            loaded=loaded,
            form_data=form_data(name, object_key=object_key, programme=programme),
            submitted_at=submitted,
            opened_at=opened_at,
        )
        now = submitted
        steps = path if stop_after is None else path[:stop_after]
        for index, (step_id, seconds, actor, decision) in enumerate(steps):
            step = definition.step(step_id)
            record = repo.open_step(session, case=case, step=step, now=now)
            now += timedelta(seconds=seconds)
            if decision is not None:
                repo.record_decision(
                    session,
                    case=case,
                    step_id=step_id,
                    visit=record.visit,
                    values=decision,
                    operator_nip=actor,
                    at=now,
                )
            last = step.kind == "end"
            following = None if last else path[index + 1][0]
            repo.complete_step(
                session,
                case=case,
                record=record,
                now=now,
                outcome=getattr(step, "outcome", "selesai"),
                actor=actor,
                next_step=following,
                outputs={
                    **(decision or {}),
                    **(
                        {"candidates": [{"key": "K1", "nama": "Budi Santoso"}]}
                        if step.kind == "service"
                        else {}
                    ),
                },
                status=CaseStatus.COMPLETED if last else CaseStatus.RUNNING,
                case_outcome=getattr(step, "outcome", None) if last else None,
            )
        if stop_after is not None:
            step = definition.step(path[stop_after][0])
            repo.open_step(session, case=case, step=step, now=now)
            repo.set_status(session, case=case, status=CaseStatus.WAITING, now=now)
        return BuiltCase(case.id, case.reference, case.finished_at)


def day_of_cases(
    engine: Engine, loaded: LoadedDefinition, day_start: datetime
) -> dict[str, BuiltCase]:
    """Four cases on one office day (`day_start` = 08:00 local, as UTC): two found (one slow),
    one not found, one still waiting for the operator."""
    return {
        "found": build_case(
            engine,
            loaded,
            name="Dewi Lestari",
            opened_at=day_start,
            form_seconds=300,
            path=FOUND_PATH,
        ),
        "found_slow": build_case(
            engine,
            loaded,
            name="Rahmat Hidayat",
            opened_at=day_start + timedelta(hours=1),
            form_seconds=900,
            path=FOUND_PATH,
            programme="pembebasan_bersyarat",
        ),
        "not_found": build_case(
            engine,
            loaded,
            name="Agus Salim",
            opened_at=day_start + timedelta(hours=2),
            form_seconds=240,
            path=NOT_FOUND_PATH,
        ),
        "waiting": build_case(
            engine,
            loaded,
            name="Wati Susanti",
            opened_at=day_start + timedelta(hours=3),
            form_seconds=200,
            path=NOT_FOUND_PATH,
            stop_after=1,
        ),
    }


DAY_START = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 08:00 WIB
