"""Submit latency of the public form through the running app, with real S3 and a real database.

Starts `weed mini` (S3) and the intake app under uvicorn on 127.0.0.1, then posts the whole form
N times with a ~2 MB JPEG and N times with a ~200 KB PDF and prints p50/p95/max of the POST
(upload checks, JPEG re-encode, S3 put with SSE, case row, audit entry, 303 to the receipt).
The flow-run start is a no-op here: it runs after the response and Prefect is not measured.

    .venv/bin/python benchmarks/intake_latency.py [-n 40] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter

from adapters.case_links import CaseLinkSigner
from adapters.db.engine import make_engine
from adapters.db.migrate import upgrade
from adapters.intake.app import create_app
from adapters.intake.context import IntakeLimits
from adapters.storage.local_s3 import free_ports, running_local_s3
from adapters.storage.minio_store import MinioObjectStore
from process_definitions.loader import load_definition
from tests.support.uvicorn_thread import serving

SOP = (
    Path(__file__).resolve().parents[1]
    / "process_definitions"
    / "layanan_informasi_integrasi"
    / "process.yaml"
)
MB = 1024 * 1024
TARGET_JPEG = int(1.95 * MB)  # just under the 2 MB cap
TARGET_PDF = 200 * 1024


class NoopStarter:
    async def start_case(
        self, *, case_id: str, reference: str, tags: list[str], after_run: str | None = None
    ) -> str:
        return str(uuid.uuid4())


def photo(width: int, height: int, grain: float) -> Image.Image:
    """A phone-photo-like picture: gradients, shapes and sensor noise (hard to compress)."""
    base = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (base, base.rotate(90).resize((width, height)), base))
    draw = ImageDraw.Draw(image)
    for i in range(0, width, max(1, width // 24)):
        draw.rectangle((i, height // 4, i + width // 60, height // 2), fill=(200, 40 + i % 200, 90))
    noise = Image.effect_noise((width, height), grain).convert("RGB")
    return Image.blend(image.filter(ImageFilter.SMOOTH), noise, 0.35)


def jpeg_near(target: int, size: tuple[int, int] = (2400, 1800)) -> bytes:
    """A JPEG of about `target` bytes (and no more), by adjusting quality."""
    image = photo(*size, 60)
    best = b""
    low, high = 40, 98
    while low <= high:
        quality = (low + high) // 2
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        data = out.getvalue()
        if len(data) <= target:
            best, low = data, quality + 1
        else:
            high = quality - 1
    if not best:
        raise ValueError(f"cannot make a JPEG of {target} bytes at this size")
    return best


def pdf_near(target: int) -> bytes:
    """A one-page PDF (a scanned KTP) of about `target` bytes."""
    scan = jpeg_near(target - 4096, (1000, 640))
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    pdf.image(io.BytesIO(scan), x=10, y=10, w=190)
    return bytes(pdf.output())


def form_values(i: int) -> dict[str, str]:
    return {
        "nama_pemohon": f"Pemohon Uji {i}",
        "hubungan_pemohon": "keluarga",
        "alamat_pemohon": "Jl. Uji No. 1, Serang",
        "telepon_pemohon": "0812 3456 7890",
        "nama_penjamin": "Penjamin Uji",
        "hubungan_penjamin": "Ayah",
        "alamat_penjamin": "Jl. Uji No. 2, Serang",
        "telepon_penjamin": "0813 1111 2222",
        "nama_narapidana": "Narapidana Uji",
        "email_pemohon": "uji@example.com",
        "informasi_dibutuhkan": "asimilasi",
        "pernyataan": "ya",
    }


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    from tests.support.databases import temporary_postgres_database

    with temporary_postgres_database("sopflow_bench") as url:
        yield url


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(n: int, kind: str) -> None:
    jpeg, pdf = jpeg_near(TARGET_JPEG), pdf_near(TARGET_PDF)
    print(f"files: JPEG {len(jpeg) / MB:.2f} MB, PDF {len(pdf) / 1024:.0f} KB; database {kind}")
    with tempfile.TemporaryDirectory(prefix="sopflow-bench-") as tmp:
        workdir = Path(tmp)
        with database(kind, workdir) as url, running_local_s3(workdir / "weed") as s3:
            upgrade(url)
            engine = make_engine(url)
            store = MinioObjectStore(s3.endpoint, s3.access_key, s3.secret_key, "bench-ktp")
            port = free_ports(1)[0]
            secret = "benchmark-secret-0123456789"
            app = create_app(
                definitions=[load_definition(SOP)],
                engine=engine,
                store=store,
                starter=NoopStarter(),
                signer=CaseLinkSigner(secret, f"http://127.0.0.1:{port}"),
                secret_key=secret,
                public_base_url=f"http://127.0.0.1:{port}",
                limits=IntakeLimits(submit_per_window=100_000),
            )
            with serving(app, port=port) as base, httpx.Client(base_url=base) as client:
                form = "/layanan-informasi-integrasi"
                page = client.get(f"{form}/")
                match = re.search(r'name="csrf-token" value="([^"]+)"', page.text)
                assert match, "no form token"
                token = match.group(1)
                for label, data, name, ctype in (
                    ("JPEG 2 MB", jpeg, "ktp.jpg", "image/jpeg"),
                    ("PDF 200 KB", pdf, "ktp.pdf", "application/pdf"),
                ):
                    timings = []
                    for i in range(n + 3):  # 3 warm-up submits
                        started = time.perf_counter()
                        response = client.post(
                            f"{form}/kirim",
                            data={"csrf-token": token, **form_values(i)},
                            files={"foto_ktp": (name, data, ctype)},
                        )
                        elapsed = (time.perf_counter() - started) * 1000
                        assert response.status_code == 303, response.text[:500]
                        if i >= 3:
                            timings.append(elapsed)
                    print(
                        f"{label:>11}: n={n}  p50 {statistics.median(timings):6.1f} ms  "
                        f"p95 {percentile(timings, 0.95):6.1f} ms  max {max(timings):6.1f} ms"
                    )
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=40, help="submits per file kind")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    run(args.n, args.database)


if __name__ == "__main__":
    main()
