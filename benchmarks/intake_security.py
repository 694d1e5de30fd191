"""Hostile uploads against the running intake (issue 15 #1, #2): memory, CPU, responsiveness.

Runs the intake app under uvicorn in a child process (SQLite, in-memory object store, no
Prefect) and measures that process from outside (/proc): its RSS while 8 hostile JPEGs of the
issue's shape arrive at once, while 8 progressive JPEGs just under the decode budget arrive
at once (the worst accepted case), and its CPU time for the 4-stream PDF object-stream bomb,
with the latency of a normal submission made meanwhile.

    .venv/bin/python benchmarks/intake_security.py
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SOP = ROOT / "process_definitions" / "layanan_informasi_integrasi" / "process.yaml"
SERVICE = "/layanan-informasi-integrasi"  # the intake serves each SOP under its id
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
MB = 1024 * 1024

FORM = {
    "nama_pemohon": "Siti Aminah",
    "hubungan_pemohon": "keluarga",
    "alamat_pemohon": "Jl. Mawar No. 1, Serang",
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


def serve(port: int, data: Path) -> None:
    """The child: the intake app with its real upload checks and limits."""
    import uvicorn

    from adapters.case_links import CaseLinkSigner
    from adapters.db.engine import make_engine
    from adapters.db.migrate import upgrade
    from adapters.intake.app import create_app
    from adapters.intake.context import IntakeLimits
    from adapters.intake.server import intake_server_config
    from adapters.storage.fake_store import InMemoryObjectStore
    from process_definitions.loader import load_definition
    from tests.support.fake_starter import FakeCaseStarter

    url = f"sqlite:///{data / 'bench.db'}"
    upgrade(url)
    app = create_app(
        definitions=[load_definition(SOP)],
        engine=make_engine(url),
        store=InMemoryObjectStore(),
        starter=FakeCaseStarter(),
        signer=CaseLinkSigner("bench-secret-0123456789abcdef", f"http://127.0.0.1:{port}"),
        secret_key="bench-secret-0123456789abcdef",
        public_base_url=f"http://127.0.0.1:{port}",
        limits=IntakeLimits(submit_per_window=10_000),
    )
    config = intake_server_config(
        app,
        host="127.0.0.1",
        port=port,
        forwarded_allow_ips="127.0.0.1",
        header_timeout=10,
        max_connections=300,
    )
    uvicorn.Server(config).run()


def rss(pid: int) -> int:
    fields = Path(f"/proc/{pid}/statm").read_text().split()
    return int(fields[1]) * PAGE


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class PeakRss:
    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, rss(pid), threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss(self.pid))

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def post(base: str, files: dict[str, Any]) -> tuple[int, float, str]:
    """GET the form (token + cookie), POST it; (status, seconds of the POST, first error)."""
    with httpx.Client(base_url=base, timeout=120) as client:
        page = client.get(f"{SERVICE}/")
        match = re.search(r'name="csrf-token" value="([^"]+)"', page.text)
        assert match, page.text[:200]
        started = time.perf_counter()
        answer = client.post(
            f"{SERVICE}/kirim", data={**FORM, "csrf-token": match.group(1)}, files=files
        )
        took = time.perf_counter() - started
    error = re.search(r'<p class="error" id="f-foto_ktp-error">([^<]+)</p>', answer.text)
    return answer.status_code, took, error.group(1) if error else ""


def jpeg(width: int, height: int, **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (120, 110, 100)).save(out, "JPEG", **save)
    return out.getvalue()


def concurrent(base: str, name: str, data: bytes, pid: int, count: int = 8) -> None:
    files = {"foto_ktp": (name, data, "image/jpeg")}
    idle = rss(pid)
    with PeakRss(pid) as peak, ThreadPoolExecutor(count) as pool:
        results = list(pool.map(lambda _: post(base, files), range(count)))
    time.sleep(3)
    after = rss(pid)
    print(f"\n{count} at once: {name} ({len(data) / 1024:.0f} KB)")
    print(f"  intake RSS before {idle / MB:.0f} MB, peak {peak.peak / MB:.0f} MB, "
          f"3 s after {after / MB:.0f} MB")  # fmt: skip
    for status, took, error in results:
        print(f"  {status} in {took:.2f} s  {error[:70]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.data)
        return
    from adapters.storage.local_s3 import free_ports
    from tests.support.hostile_files import object_stream_bomb, wide_progressive_jpeg

    port = free_ports(1)[0]
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port), "--data", tmp], cwd=ROOT
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(base + "/", timeout=2)
                    break
                except httpx.HTTPError:
                    assert time.monotonic() < deadline and child.poll() is None
                    time.sleep(0.2)
            normal = {"foto_ktp": ("ktp.jpg", jpeg(1200, 760, quality=85), "image/jpeg")}
            for _ in range(3):
                post(base, normal)  # warm up: imports, first decode, database
            print(f"intake idle after warm-up: {rss(child.pid) / MB:.0f} MB")
            concurrent(base, "issue-39000x1000-progressive.jpg", wide_progressive_jpeg(),
                       child.pid)  # fmt: skip
            under_budget = jpeg(2040, 2040, quality=30, progressive=True, subsampling=0)
            concurrent(base, "progressive-2040x2040-4:4:4-under-budget.jpg", under_budget,
                       child.pid)  # fmt: skip

            bomb = {"foto_ktp": ("bomb.pdf", object_stream_bomb(), "application/pdf")}
            cpu_before = cpu_seconds(child.pid)
            with ThreadPoolExecutor(2) as pool:
                bombed = pool.submit(post, base, bomb)
                time.sleep(0.05)
                normal_during = pool.submit(post, base, normal)
                b_status, b_took, b_error = bombed.result()
                n_status, n_took, _ = normal_during.result()
            cpu = cpu_seconds(child.pid) - cpu_before
            print(f"\n4-stream PDF bomb ({len(bomb['foto_ktp'][1]) / 1024:.0f} KB): "
                  f"{b_status} in {b_took:.2f} s  {b_error[:70]}")  # fmt: skip
            print(f"  intake CPU for the bomb and one normal submission: {cpu:.2f} s")
            print(f"  normal submission meanwhile: {n_status} in {n_took:.2f} s")
        finally:
            child.terminate()
            child.wait(15)


if __name__ == "__main__":
    main()
