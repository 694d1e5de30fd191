"""A recorded history with known parameters for the forecast's back-test.

Cases arrive on office days (Poisson count, uniform times in office hours or a rush); each
user task is served FIFO by the first free operator of its lane, only in office time, with
lognormal work times; the case database then holds the waits inside each step's duration,
exactly as the runtime records them. Written through tests/support/case_day.py's walk.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from adapters.forecast.office_hours import DAY, OfficeHours
from process_definitions.loader import LoadedDefinition
from tests.support.case_day import build_case

Path = list[tuple[str, float, str, dict[str, Any] | None]]


@dataclass(frozen=True)
class QueueParameters:
    per_day: float
    days: int
    divpas: tuple[str, ...]  # operator NIPs of lane operator_divpas
    integrasi: tuple[str, ...]
    verify_median: float  # seconds of work, lognormal
    approve_median: float
    sigma: float = 0.5
    not_found_share: float = 0.3
    arrival_hours: tuple[float, float] | None = None  # e.g. (8, 10): a morning rush
    seed: int = 7


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return rng.lognormvariate(math.log(median), sigma)


def _serve(
    office: OfficeHours, free: dict[str, float], reached: float, work: float
) -> tuple[float, str]:
    """FIFO, first operator free; (finish time, operator)."""
    nip = min(free, key=lambda n: (free[n], n))
    start = office.next_open(max(reached, free[nip]))
    end = office.add_office_seconds(start, work)
    free[nip] = end
    return end, nip


def generate(
    engine: Engine, loaded: LoadedDefinition, office: OfficeHours, params: QueueParameters
) -> int:
    """Write the history (week 0 of `office`'s clock onward); returns the number of cases."""
    rng = random.Random(params.seed)
    open_days = {int(start // DAY): (start, end) for start, end in office.windows}
    arrivals: list[float] = []
    day = counted = 0
    while counted < params.days:
        window = open_days.get(day % 7)
        if window:
            counted += 1
            count = 0
            total = rng.expovariate(1.0)
            while total < params.per_day:
                count += 1
                total += rng.expovariate(1.0)
            low, high = window
            if params.arrival_hours is not None:
                midnight = (day % 7) * DAY
                low, high = (midnight + h * 3600 for h in params.arrival_hours)
            base = day - day % 7
            arrivals += [base * DAY + rng.uniform(low, high) for _ in range(count)]
        day += 1
    arrivals.sort()
    cases: list[dict[str, Any]] = []
    for at in arrivals:
        cari = rng.uniform(5, 25)
        cases.append(
            {
                "opened": at - 60,
                "cari": cari,
                "reach_verify": at + cari,
                "found": rng.random() >= params.not_found_share,
                "verify_work": _lognormal(rng, params.verify_median, params.sigma),
                "approve_work": _lognormal(rng, params.approve_median, params.sigma),
                "notify": rng.uniform(5, 40),
                "draft": rng.uniform(5, 20),
            }
        )
    divpas = dict.fromkeys(params.divpas, -math.inf)
    for case in sorted(cases, key=lambda c: c["reach_verify"]):
        end, nip = _serve(office, divpas, case["reach_verify"], case["verify_work"])
        case["verify_end"], case["verify_nip"] = end, nip
        case["reach_approve"] = end + case["draft"]
    integrasi = dict.fromkeys(params.integrasi, -math.inf)
    for case in sorted((c for c in cases if c["found"]), key=lambda c: c["reach_approve"]):
        end, nip = _serve(office, integrasi, case["reach_approve"], case["approve_work"])
        case["approve_end"], case["approve_nip"] = end, nip
    for i, case in enumerate(cases):
        verify = case["verify_end"] - case["reach_verify"]
        if case["found"]:
            approve = case["approve_end"] - case["reach_approve"]
            path: Path = [
                ("cari_sdp", case["cari"], "sistem", None),
                ("verifikasi_sdp", verify, case["verify_nip"], {"keputusan": "K1"}),
                ("hasil_verifikasi", 0, "sistem", None),
                ("susun_jawaban", case["draft"], "sistem", None),
                ("setujui_jawaban", approve, case["approve_nip"], {"persetujuan": "kirim"}),
                ("cek_persetujuan", 0, "sistem", None),
                ("kirim_informasi", case["notify"], "sistem", None),
                ("selesai_informasi_diberikan", 0, "sistem", None),
            ]
        else:
            path = [
                ("cari_sdp", case["cari"], "sistem", None),
                ("verifikasi_sdp", verify, case["verify_nip"], {"keputusan": "tidak_ditemukan"}),
                ("hasil_verifikasi", 0, "sistem", None),
                ("kabar_tidak_ditemukan", case["notify"], "sistem", None),
                ("selesai_tidak_ditemukan", 0, "sistem", None),
            ]
        opened: datetime = office.moment(case["opened"])
        build_case(
            engine, loaded, name=f"Pemohon {i}", opened_at=opened, form_seconds=60, path=path
        )
    return len(cases)
