"""Case throughput: N cases through the whole flow on a Prefect server backed by PostgreSQL.

Starts a Prefect server (PostgreSQL), deploys, starts `sopflow runner` (one process, runs every
flow run in-process), creates N cases of the SOP (half found in SDP, half not) and starts each
from the `run-case` deployment. A decider resumes every waiting run through the resume API as
soon as it sees it. Prints cases/s, latency from case creation to end (total, and automated =
total minus the time runs sat waiting for the decider), task runs per case, CPU seconds per
case (all processes) and peak memory of the server and the runner. Not a test.

    .venv/bin/python benchmarks/case_throughput.py [--cases 200] [--concurrency 40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from adapters.db import case_repository as repo  # noqa: E402
from adapters.db.engine import make_engine, session_scope  # noqa: E402
from adapters.db.migrate import upgrade  # noqa: E402
from adapters.local_prefect import start_local_prefect  # noqa: E402
from adapters.roster import load_roster  # noqa: E402
from adapters.sdp.demo import load_demo_directory  # noqa: E402
from process_definitions.loader import load_definition  # noqa: E402
from tests.support.databases import temporary_postgres_database  # noqa: E402

SOP = load_definition(REPO / "process_definitions" / "layanan_informasi_integrasi" / "process.yaml")
TICK = os.sysconf("SC_CLK_TCK")


def tree_pids(root: int) -> list[int]:
    """root and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def cpu_seconds(root: int) -> float:
    total = 0.0
    for pid in tree_pids(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
        except (OSError, IndexError, ValueError):
            pass
    return total


def postgres_cpu() -> float:
    """CPU of every PostgreSQL server process (the databases are shared with nothing else)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if "(postgres)" in stat:
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def peak_rss_mb(root: int) -> float:
    peak = 0
    for pid in tree_pids(root):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak += int(line.split()[1])
        except OSError:
            pass
    return peak / 1024


@dataclass
class Timing:
    created: float
    waited: float = 0.0
    ended: float | None = None
    resumed_keys: set[str] = field(default_factory=set)


def applicant(i: int) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    prisoner = "Muhammad Rizki bin Sulaiman" if i % 2 == 0 else f"Nama Tidak Ada {i}"
    return {
        "nama_pemohon": f"Pemohon Bench {i}",
        "hubungan_pemohon": "keluarga",
        "alamat_pemohon": "Jalan Uji",
        "telepon_pemohon": "+6281234567890",
        "nama_penjamin": "Penjamin",
        "hubungan_penjamin": "Ayah",
        "alamat_penjamin": "Jalan",
        "telepon_penjamin": "+6281234567891",
        "nama_narapidana": prisoner,
        "foto_ktp": {
            "object_key": f"ktp/bench{i}",
            "content_type": "image/jpeg",
            "size": 1,
            "kind": "jpg",
        },
        "email_pemohon": f"bench{i}@example.com",
        "informasi_dibutuhkan": "asimilasi",
        "pernyataan": {"accepted": True, "statement_version": "2026-11", "accepted_at": now},
        "waktu_pengisian": now,
    }


async def decide(api: httpx.AsyncClient, run: dict[str, Any], engine: Any, case_id: str) -> bool:
    roster = load_roster()
    with session_scope(engine) as session:
        case = repo.get_case(session, case_id=case_id)
        step, candidates = case.current_step, case.variables.get("candidates") or []
    if step == "verifikasi_sdp":
        choice = (
            candidates[0]["key"]
            if candidates and candidates[0]["score"] >= 90
            else "tidak_ditemukan"
        )
        answer = {"keputusan": choice, "nip_verifikator": roster.nips("operator_divpas")[0]}
    elif step == "setujui_jawaban":
        answer = {"persetujuan": "kirim", "nip_penyetuju": roster.nips("operator_integrasi")[0]}
    else:
        return False
    response = await api.post(f"/flow_runs/{run['id']}/resume", json={"run_input": answer})
    return bool(response.json().get("status") == "ACCEPT")


async def drive(args: argparse.Namespace, api_url: str, engine: Any, env: dict[str, str]) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from adapters.orchestrator import PrefectCaseStarter

    timings: dict[str, Timing] = {}
    run_to_case: dict[str, str] = {}
    sem = asyncio.Semaphore(args.concurrency)
    starter = PrefectCaseStarter()

    async def one(i: int) -> None:
        async with sem:
            with session_scope(engine) as session:
                case = repo.create_case(
                    session, loaded=SOP, form_data=applicant(i), submitted_at=datetime.now(UTC)
                )
                case_id, reference = case.id, case.reference
            timings[case_id] = Timing(created=time.monotonic())
            run_id = await starter.start_case(case_id=case_id, reference=reference, tags=[])
            run_to_case[run_id] = case_id
            while timings[case_id].ended is None:
                await asyncio.sleep(0.1)

    async def decider(api: httpx.AsyncClient) -> None:
        while True:
            runs = (
                await api.post(
                    "/flow_runs/filter",
                    json={
                        "flow_runs": {
                            "state": {
                                "type": {"any_": ["PAUSED", "COMPLETED", "FAILED", "CRASHED"]}
                            },
                            "id": {
                                "any_": [
                                    r for r, c in run_to_case.items() if timings[c].ended is None
                                ][:200]
                            },
                        },
                        "limit": 200,
                    },
                )
            ).json()
            for run in runs:
                case_id = run_to_case.get(run["id"])
                if case_id is None:
                    continue
                timing = timings[case_id]
                state = run["state"]
                if state["type"] in ("COMPLETED", "FAILED", "CRASHED"):
                    timing.ended = time.monotonic()
                    if state["type"] != "COMPLETED":
                        print(f"run {run['id']} ended {state['type']}", file=sys.stderr)
                    continue
                key = state["state_details"].get("pause_key") or ""
                if key in timing.resumed_keys:
                    continue
                paused_at = datetime.fromisoformat(state["timestamp"].replace("Z", "+00:00"))
                if await decide(api, run, engine, case_id):
                    timing.resumed_keys.add(key)
                    timing.waited += (datetime.now(UTC) - paused_at).total_seconds()
            await asyncio.sleep(0.05)

    with temporary_settings({PREFECT_API_URL: api_url}):
        async with httpx.AsyncClient(base_url=api_url, timeout=30) as api:
            decider_task = asyncio.create_task(decider(api))
            started = time.monotonic()
            await asyncio.gather(*(one(i) for i in range(args.cases)))
            elapsed = time.monotonic() - started
            decider_task.cancel()
            task_runs = (await api.post("/task_runs/count", json={})).json()
    totals = sorted((t.ended or 0) - t.created for t in timings.values())
    automated = sorted(max(0.0, (t.ended or 0) - t.created - t.waited) for t in timings.values())

    def q(data: list[float], n: int) -> list[float]:
        return statistics.quantiles(data, n=n, method="inclusive")

    print(f"cases: {args.cases}, concurrency {args.concurrency}, elapsed {elapsed:.1f} s")
    print(f"throughput: {args.cases / elapsed:.2f} cases/s")
    print(
        f"latency total     p50 {q(totals, n=100)[49]:.2f} s  p95 {q(totals, n=100)[94]:.2f} s"
        f"  max {totals[-1]:.2f} s"
    )
    print(
        f"latency automated p50 {q(automated, n=100)[49]:.2f} s  p95 "
        f"{q(automated, n=100)[94]:.2f} s  max {automated[-1]:.2f} s"
    )
    print(f"task runs per case: {task_runs / args.cases:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=40)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sopflow-bench-"))
    with (
        temporary_postgres_database("sopflow_bench_prefect") as prefect_db,
        temporary_postgres_database("sopflow_bench_cases") as cases_db,
    ):
        server = start_local_prefect(
            work / "prefect",
            database_url=prefect_db.replace("postgresql+psycopg://", "postgresql+asyncpg://"),
        )
        runner = None
        try:
            upgrade(cases_db)
            engine = make_engine(cases_db)
            load_demo_directory(engine)
            env = {
                k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SOPFLOW_"))
            }
            env.update(
                PREFECT_API_URL=server.api_url,
                PREFECT_HOME=str(work / "client"),
                SOPFLOW_DATA_DIR=str(work / "var"),
                SOPFLOW_DATABASE_URL=cases_db,
                SOPFLOW_SECRET_KEY="b" * 32,
                PREFECT_LOGGING_TO_API_ENABLED=os.environ.get("BENCH_LOGS_TO_API", "true"),
                PREFECT_LOGGING_LEVEL="WARNING",
            )
            sopflow = str(Path(sys.executable).parent / "sopflow")
            subprocess.run([sopflow, "deploy"], env=env, check=True, capture_output=True)
            log = (work / "runner.log").open("wb")
            runner = subprocess.Popen(
                [sopflow, "runner", "--poll", "0.1", "--limit", "200"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            while "runner ready" not in (work / "runner.log").read_text(errors="replace"):
                time.sleep(0.2)
            server_before, runner_before = cpu_seconds(server.process.pid), cpu_seconds(runner.pid)
            own_before, pg_before = sum(os.times()[:2]), postgres_cpu()
            asyncio.run(drive(args, server.api_url, engine, env))
            split = {
                "Prefect server": cpu_seconds(server.process.pid) - server_before,
                "runner": cpu_seconds(runner.pid) - runner_before,
                "benchmark (cases, decider)": sum(os.times()[:2]) - own_before,
                "PostgreSQL": postgres_cpu() - pg_before,
            }
            print(
                f"CPU per case, all processes: {sum(split.values()) / args.cases:.3f} s ("
                + ", ".join(f"{k} {v / args.cases:.3f}" for k, v in split.items())
                + ")"
            )
            print(
                f"peak memory: server {peak_rss_mb(server.process.pid):.0f} MB, "
                f"runner {peak_rss_mb(runner.pid):.0f} MB"
            )
        finally:
            if runner is not None:
                runner.terminate()
                runner.wait(30)
            server.stop()


if __name__ == "__main__":
    main()
