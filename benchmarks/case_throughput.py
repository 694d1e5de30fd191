"""Case throughput against Prefect's floor, on a Prefect server backed by PostgreSQL.

Starts a Prefect server (PostgreSQL; `--api-workers N` API processes with Redis messaging when
N > 1, as Prefect documents for several API processes), deploys sopflow and a floor flow of the
same shape (benchmarks/floor_flow.py) on the same pool, starts `--runners` `sopflow runner`
processes and runs, in order:

1. 20 simultaneous operator Resumes (20 cases suspended at the first decision, resumed at once);
2. sopflow: `--cases` cases (half found in SDP, half not) at `--concurrency`, every operator
   decision given through the resume API as soon as the decider sees the run wait (it looks
   4 times a second: its polling is server CPU that belongs to neither side), mostly within a
   case's brief in-process pause (SOPFLOW_DECISION_GRACE_SECONDS), so most cases run in one
   execution;
3. the floor: the same number of runs of the same shapes (flow executions, task runs,
   suspensions) with no-op bodies, the same way;
4. the automated path at concurrency 1 (`--latency-cases`), for sopflow and for the floor:
   time from case creation to its end, minus the time the run sat waiting for the decider; the
   median run's timeline (states and task runs) is printed.

CPU is summed over every process involved (Prefect server and its children, the runners, this
process, and the PostgreSQL backends serving the two databases), until the server has recorded
the phase's task runs (its services write them after the runs end). The last line is one JSON
object. Not a test.

    .venv/bin/python benchmarks/case_throughput.py [--cases 60] [--concurrency 20] [--runners 2]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import inspect
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
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
from adapters.settings import Settings  # noqa: E402
from process_definitions.loader import load_definition  # noqa: E402
from tasks.operator_input import operator_choice  # noqa: E402
from tasks.services import CaseServices  # noqa: E402
from tests.support.databases import temporary_postgres_database  # noqa: E402

SOP = load_definition(REPO / "process_definitions" / "layanan_informasi_integrasi" / "process.yaml")
TICK = os.sysconf("SC_CLK_TCK")
THROUGHPUT_POLL_SECONDS = 0.25
POLL = CaseServices.decision_poll_seconds  # how often a briefly paused case looks for its answer
FOUND_SHAPE = [1, 2, 2]  # task runs per execution: search | decision, draft | decision, notify
NOT_FOUND_SHAPE = [1, 2]  # search | decision, notify


def _proc_table() -> tuple[dict[int, list[int]], dict[int, str]]:
    children: dict[int, list[int]] = {}
    cmdlines: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdlines[int(entry.name)] = (
                (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            )
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    return children, cmdlines


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def cpu_split(roots: dict[str, int], databases: list[str]) -> dict[str, float]:
    """CPU seconds so far of each root's process tree, and of the PostgreSQL backends serving
    `databases` (a backend's command line names its database)."""
    children, cmdlines = _proc_table()
    split: dict[str, float] = {}
    for name, root in roots.items():
        stack, total = [root], 0.0
        while stack:
            pid = stack.pop()
            total += _cpu(pid)
            stack.extend(children.get(pid, []))
        split[name] = total
    split["PostgreSQL"] = sum(
        _cpu(pid)
        for pid, cmd in cmdlines.items()
        if cmd.startswith("postgres:") and any(f" {db} " in cmd for db in databases)
    )
    split["benchmark"] = sum(os.times()[:2])
    return split


def peak_rss_mb(root: int) -> float:
    children, _ = _proc_table()
    stack, peak = [root], 0
    while stack:
        pid = stack.pop()
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak += int(line.split()[1])
        except OSError:
            pass
        stack.extend(children.get(pid, []))
    return peak / 1024


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
            "object_key": f"ktp/b{i}",
            "content_type": "image/jpeg",
            "size": 1,
            "kind": "jpg",
        },
        "email_pemohon": f"bench{i}@example.com",
        "informasi_dibutuhkan": "asimilasi",
        "pernyataan": {"accepted": True, "statement_version": "2026-11", "accepted_at": now},
        "waktu_pengisian": now,
    }


@dataclass
class Timing:
    created: float
    waited: float = 0.0
    ended: float | None = None
    state: str = ""
    resumed_keys: set[str] = field(default_factory=set)


Answer = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]


class Driver:
    """Starts runs, resumes each waiting run as soon as it waits, records when each ended."""

    def __init__(self, api: httpx.AsyncClient, *, poll: float = 0.05) -> None:
        self.api = api
        self.poll = poll
        self.timings: dict[str, Timing] = {}
        self.answers: dict[str, Answer] = {}
        self.accepted = 0

    async def watch(self) -> None:
        while True:
            open_ids = [r for r, t in self.timings.items() if t.ended is None][:200]
            if open_ids:
                try:
                    runs = (
                        await self.api.post(
                            "/flow_runs/filter",
                            json={"flow_runs": {"id": {"any_": open_ids}}, "limit": 200},
                        )
                    ).json()
                    await asyncio.gather(*(self._look(run) for run in runs))
                except httpx.TransportError as error:  # a dropped connection: look again
                    print(f"decider: {type(error).__name__}, retrying", flush=True)
            await asyncio.sleep(self.poll)

    async def _look(self, run: dict[str, Any]) -> None:
        timing = self.timings[run["id"]]
        state = run["state"]
        if state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            if timing.ended is None:
                timing.ended, timing.state = time.monotonic(), state["type"]
            return
        details = state.get("state_details") or {}
        key = details.get("pause_key") or ""
        if (
            state["type"] != "PAUSED"
            or not details.get("run_input_keyset")
            or key in timing.resumed_keys
        ):
            return
        answer = await self.answers[run["id"]](run)
        if answer is None:
            return
        timing.resumed_keys.add(key)
        paused_at = datetime.fromisoformat(state["timestamp"].replace("Z", "+00:00"))
        try:
            response = await self.api.post(
                f"/flow_runs/{run['id']}/resume", json={"run_input": answer}
            )
        except httpx.TransportError:
            timing.resumed_keys.discard(key)  # not known to be taken: try again next look
            raise
        if response.json().get("status") == "ACCEPT":
            self.accepted += 1
            timing.waited += (datetime.now(UTC) - paused_at).total_seconds()
        else:
            timing.resumed_keys.discard(key)

    async def wait_all(self, run_ids: list[str], timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while any(self.timings[r].ended is None for r in run_ids):
            if time.monotonic() > deadline:
                raise TimeoutError("runs did not finish")
            await asyncio.sleep(0.1)


async def start_deployment(name: str, parameters: dict[str, Any], run_name: str) -> str:
    from prefect.deployments.flow_runs import arun_deployment

    run = await arun_deployment(
        name=name, parameters=parameters, timeout=0, flow_run_name=run_name, as_subflow=False
    )
    return str(run.id)


def case_answerer(engine: Any, case_id: str) -> Answer:
    roster = load_roster()

    async def answer(_run: dict[str, Any]) -> dict[str, Any] | None:
        with session_scope(engine) as session:
            case = repo.get_case(session, case_id=case_id)
            step, candidates = case.current_step, case.variables.get("candidates") or []
        if step == "verifikasi_sdp":
            found = candidates and candidates[0]["score"] >= 90
            return {
                "keputusan": candidates[0]["key"] if found else "tidak_ditemukan",
                "nip_verifikator": operator_choice(roster.root["operator_divpas"][0]),
            }
        if step == "setujui_jawaban":
            integrasi = roster.root["operator_integrasi"][0]
            return {"persetujuan": "kirim", "nip_penyetuju": operator_choice(integrasi)}
        return None

    return answer


async def floor_answer(_run: dict[str, Any]) -> dict[str, Any] | None:
    return {"ok": "ya"}


async def start_case(driver: Driver, engine: Any, i: int) -> str:
    from adapters.prefect.starter import PrefectCaseStarter

    with session_scope(engine) as session:
        case = repo.create_case(
            session, loaded=SOP, form_data=applicant(i), submitted_at=datetime.now(UTC)
        )
        case_id, reference = case.id, case.reference
    created = time.monotonic()
    run_id = await PrefectCaseStarter().start_case(case_id=case_id, reference=reference, tags=[])
    driver.timings[run_id] = Timing(created=created)
    driver.answers[run_id] = case_answerer(engine, case_id)
    return run_id


async def start_floor(driver: Driver, i: int) -> str:
    created = time.monotonic()
    shape = FOUND_SHAPE if i % 2 == 0 else NOT_FOUND_SHAPE
    settings = Settings()  # the runners' own: the floor waits as the cases do
    parameters = {"segments": shape, "grace": settings.decision_grace_seconds, "poll": POLL}
    run_id = await start_deployment("floor-case/floor-case", parameters, f"floor-{i}")
    driver.timings[run_id] = Timing(created=created)
    driver.answers[run_id] = floor_answer
    return run_id


async def batch(
    count: int, concurrency: int, start: Callable[[int], Awaitable[str]], driver: Driver
) -> float:
    sem = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with sem:
            run_id = await start(i)
            await driver.wait_all([run_id])

    began = time.monotonic()
    await asyncio.gather(*(one(i) for i in range(count)))
    return time.monotonic() - began


def quantile(values: list[float], q: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


async def simultaneous_resumes(api: httpx.AsyncClient, engine: Any, count: int) -> int:
    """`count` cases wait at the first decision; all are resumed at the same moment."""
    driver = Driver(api)
    runs = [await start_case(driver, engine, 1000 + 2 * i + 1) for i in range(count)]  # not found
    deadline = time.monotonic() + 300
    while True:
        states = (
            await api.post("/flow_runs/filter", json={"flow_runs": {"id": {"any_": runs}}})
        ).json()
        ready = [  # suspended: they waited past the brief pause, as operators' cases do
            r
            for r in states
            if r["state"]["name"] == "Suspended"
            and r["state"]["state_details"].get("run_input_keyset")
        ]
        if len(ready) == count:
            break
        if time.monotonic() > deadline:
            raise TimeoutError("cases did not all wait")
        await asyncio.sleep(0.2)
    answers = await asyncio.gather(*(driver.answers[r["id"]](r) for r in ready))
    responses = await asyncio.gather(
        *(
            api.post(f"/flow_runs/{r['id']}/resume", json={"run_input": a})
            for r, a in zip(ready, answers, strict=True)
        )
    )
    accepted = sum(
        1 for r in responses if r.status_code in (200, 201) and r.json().get("status") == "ACCEPT"
    )
    watcher = asyncio.create_task(driver.watch())
    await driver.wait_all(runs)
    watcher.cancel()
    return accepted


async def settled(api: httpx.AsyncClient, *, quiet_for: float = 2.0, at_most: float = 30.0) -> None:
    """Wait until the server has recorded the phase's work: task-run states and events are
    written by its services after the runs end, and that CPU belongs to the phase that made
    it (not to the next one)."""
    deadline = time.monotonic() + at_most
    last, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = (await api.post("/task_runs/count", json={})).json()
        if count != last:
            last, quiet_since = count, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_for:
            return
        await asyncio.sleep(0.5)


async def print_timeline(api: httpx.AsyncClient, run_id: str, what: str) -> None:
    """Where a run spent its time: its states and task runs, in seconds from the first state
    (the decider's waits included)."""
    states = (await api.get("/flow_run_states/", params={"flow_run_id": run_id})).json()
    tasks = (
        await api.post("/task_runs/filter", json={"flow_runs": {"id": {"any_": [run_id]}}})
    ).json()
    events: list[tuple[datetime, str]] = [
        (_when(state["timestamp"]), f"run {state['name']}") for state in states
    ]
    for task in tasks:
        if task.get("start_time"):
            events.append((_when(task["start_time"]), f"  task {task['name']} start"))
        if task.get("end_time"):
            events.append((_when(task["end_time"]), f"  task {task['name']} end"))
    events.sort()
    print(f"timeline of {what} (run {run_id}):")
    for when, label in events:
        print(f"  {(when - events[0][0]).total_seconds():7.3f} s  {label}")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def automated_latency(
    api: httpx.AsyncClient, count: int, start: Callable[[Driver, int], Awaitable[str]]
) -> tuple[float, float]:
    """p50 and p95 of `count` runs at concurrency 1, each from creation to its end less the
    time it waited for the decider; prints the median run's timeline."""
    driver = Driver(api)
    watcher = asyncio.create_task(driver.watch())
    await batch(count, 1, lambda i: start(driver, i), driver)
    watcher.cancel()

    def latency(run_id: str) -> float:
        t = driver.timings[run_id]
        return max(0.0, (t.ended or 0) - t.created - t.waited)

    by_latency = sorted(driver.timings, key=latency)
    if by_latency:
        median = by_latency[len(by_latency) // 2]
        await print_timeline(api, median, f"the median automated run ({count} at concurrency 1)")
    values = [latency(r) for r in by_latency]
    return round(quantile(values, 50), 3), round(quantile(values, 95), 3)


async def run_benchmark(
    args: argparse.Namespace, api_url: str, engine: Any, roots: dict[str, int], dbs: list[str]
) -> dict[str, Any]:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    figures: dict[str, Any] = {}
    with temporary_settings({PREFECT_API_URL: api_url}):
        async with httpx.AsyncClient(base_url=api_url, timeout=60) as api:
            figures["resumes_accepted"] = f"{await simultaneous_resumes(api, engine, 20)}/20"
            for phase in ("sopflow", "floor"):
                # The decider's polling is Prefect server CPU that neither sopflow nor the floor
                # spends: 4 looks a second here (20 at the latency phase) keep it small and alike.
                driver = Driver(api, poll=THROUGHPUT_POLL_SECONDS)
                watcher = asyncio.create_task(driver.watch())
                before = cpu_split(roots, dbs)
                if phase == "sopflow":
                    elapsed = await batch(
                        args.cases,
                        args.concurrency,
                        functools.partial(start_case, driver, engine),
                        driver,
                    )
                else:
                    elapsed = await batch(
                        args.cases, args.concurrency, functools.partial(start_floor, driver), driver
                    )
                await settled(api)
                after = cpu_split(roots, dbs)
                watcher.cancel()
                split = {k: (after[k] - before[k]) / args.cases for k in after}
                bad = [t.state for t in driver.timings.values() if t.state != "COMPLETED"]
                figures[phase] = {
                    "cases_per_s": round(args.cases / elapsed, 2),
                    "cpu_s_per_case": round(sum(split.values()), 3),
                    "cpu_split": {k: round(v, 3) for k, v in split.items()},
                    "not_completed": len(bad),
                }
                print(f"{phase}: {json.dumps(figures[phase])}", flush=True)
                if phase == "floor":  # the first run started has the found case's shape
                    await print_timeline(api, next(iter(driver.timings)), "a found-shape floor run")
            ours = await automated_latency(
                api, args.latency_cases, lambda d, i: start_case(d, engine, 5000 + i)
            )
            floor = await automated_latency(api, args.latency_cases, start_floor)
            figures["automated_p50_s"], figures["automated_p95_s"] = ours
            figures["floor_automated_p50_s"], figures["floor_automated_p95_s"] = floor
            figures["task_runs"] = (await api.post("/task_runs/count", json={})).json()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--runners", type=int, default=2)
    parser.add_argument("--api-workers", type=int, default=2)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--latency-cases", type=int, default=12)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sopflow-bench-"))
    with (
        temporary_postgres_database("sopflow_bench_prefect") as prefect_db,
        temporary_postgres_database("sopflow_bench_cases") as cases_db,
    ):
        options: dict[str, Any] = {
            "database_url": prefect_db.replace("postgresql+psycopg://", "postgresql+asyncpg://")
        }
        scaling = inspect.signature(start_local_prefect).parameters
        if args.api_workers > 1 and "api_workers" in scaling:
            options.update(api_workers=args.api_workers, redis_url=args.redis)
        else:
            args.api_workers = 1
        server = start_local_prefect(work / "prefect", **options)
        runners: list[subprocess.Popen[bytes]] = []
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
                PREFECT_LOGGING_LEVEL="WARNING",
            )
            sopflow = str(Path(sys.executable).parent / "sopflow")
            subprocess.run([sopflow, "deploy"], env=env, check=True, capture_output=True)
            subprocess.run(
                [sys.executable, "-c", DEPLOY_FLOOR],
                env={**env, "PYTHONPATH": str(REPO)},
                check=True,
                cwd=REPO,
            )
            for i in range(args.runners):
                log = work / f"runner{i}.log"
                runners.append(
                    subprocess.Popen(
                        [
                            sopflow,
                            "runner",
                            "--poll",
                            "0.1",
                            "--limit",
                            "200",
                            "--name",
                            f"bench-{i}",
                        ],
                        env=env,
                        stdout=log.open("wb"),
                        stderr=subprocess.STDOUT,
                    )
                )
                while "runner ready" not in log.read_text(errors="replace"):
                    time.sleep(0.2)
            roots = (
                {"Prefect server": server.process.pid}
                | {f"Prefect services {i}": p.pid for i, p in enumerate(server.extra)}
                | {f"runner {i}": r.pid for i, r in enumerate(runners)}
            )
            dbs = [prefect_db.rsplit("/", 1)[1], cases_db.rsplit("/", 1)[1]]
            figures = asyncio.run(run_benchmark(args, server.api_url, engine, roots, dbs))
            ours, floor = figures.pop("sopflow"), figures.pop("floor")
            result = {
                "cases_per_s": ours["cases_per_s"],
                "cpu_s_per_case": ours["cpu_s_per_case"],
                "floor_cpu_s_per_case": floor["cpu_s_per_case"],
                "ratio_to_floor": round(ours["cpu_s_per_case"] / floor["cpu_s_per_case"], 2),
                "floor_cases_per_s": floor["cases_per_s"],
                "automated_p50_s": figures["automated_p50_s"],
                "automated_p95_s": figures["automated_p95_s"],
                "floor_automated_p50_s": figures["floor_automated_p50_s"],
                "resumes_accepted": figures["resumes_accepted"],
                "runners": args.runners,
                "api_workers": args.api_workers,
                "cases": args.cases,
                "concurrency": args.concurrency,
                "not_completed": ours["not_completed"] + floor["not_completed"],
                "peak_rss_mb": {name: round(peak_rss_mb(pid)) for name, pid in roots.items()},
            }
            print(json.dumps(result))
        finally:
            for runner in runners:
                runner.terminate()
                runner.wait(30)
            server.stop()


DEPLOY_FLOOR = """
import asyncio
from prefect.deployments.runner import RunnerDeployment
async def main():
    d = RunnerDeployment.from_entrypoint(
        "benchmarks/floor_flow.py:floor_case",
        name="floor-case",
        work_pool_name="sopflow",
        tags=["sopflow"],
    )
    d.entrypoint = "benchmarks/floor_flow.py:floor_case"
    await d.aapply(work_pool_name="sopflow")
asyncio.run(main())
"""


if __name__ == "__main__":
    main()
