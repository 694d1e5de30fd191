"""Resource bounds of the upload checks (issue 15 #1, #2): hostile files cost little to refuse."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from PIL.JpegImagePlugin import JpegImageFile

from adapters.intake.errors import RejectCode, UploadRejected
from adapters.intake.upload_checks import check_ktp_upload
from tests.support.hostile_files import object_stream_bomb, wide_progressive_jpeg

MB = 1024 * 1024

# Runs one check in a fresh interpreter and prints its peak RSS growth (ru_maxrss, KiB).
_MEASURE = """
import resource, sys
from adapters.intake.upload_checks import check_ktp_upload
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    check_ktp_upload(data)
    outcome = "accepted"
except Exception as error:
    outcome = getattr(error, "code", type(error).__name__)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(outcome, grown)
"""


def _peak_growth(tmp_path: Path, data: bytes) -> tuple[str, int]:
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    outcome, grown_kib = done.stdout.split()
    return outcome, int(grown_kib) * 1024


def test_wide_progressive_jpeg_is_refused_without_decoding(tmp_path: Path) -> None:
    """The issue's 39000x1000 progressive JPEG cost ~430 MB to check; now its header does."""
    outcome, grown = _peak_growth(tmp_path, wide_progressive_jpeg())
    assert outcome == RejectCode.IMAGE_BAD_SHAPE.value
    assert grown < 40 * MB


def test_large_baseline_photo_decodes_at_reduced_scale(tmp_path: Path) -> None:
    """A real 38 MP baseline photo: accepted, decoded at 1/2 scale (~30 MB, not ~150 MB)."""
    out = io.BytesIO()
    Image.new("RGB", (7000, 5400), (90, 90, 90)).save(out, "JPEG", quality=50)
    outcome, grown = _peak_growth(tmp_path, out.getvalue())
    assert outcome == "accepted"
    assert grown < 100 * MB


def test_coefficient_buffer_follows_the_sampling_factors() -> None:
    from adapters.intake.jpeg_check import coefficient_bytes

    def header(subsampling: int) -> JpegImageFile:
        out = io.BytesIO()
        Image.new("RGB", (1600, 800)).save(out, "JPEG", subsampling=subsampling)
        return JpegImageFile(io.BytesIO(out.getvalue()))

    with header(0) as full, header(2) as halved:  # 4:4:4 and 4:2:0
        assert coefficient_bytes(full) == 1600 * 800 * 2 * 3
        assert coefficient_bytes(halved) == 1600 * 800 * 2 * 3 // 2


def test_object_stream_bomb_is_refused_before_it_is_parsed() -> None:
    """Issue 15 #2: 4 object streams of 74 MB of spaces (25 s of CPU before the fix)."""
    bomb = object_stream_bomb()
    assert len(bomb) < 300 * 1024
    with pytest.raises(UploadRejected) as caught:
        check_ktp_upload(bomb)
    assert caught.value.code is RejectCode.PDF_TOO_COMPLEX


def test_small_object_streams_are_read_normally() -> None:
    small = object_stream_bomb(streams=2, spaces=1000)
    assert check_ktp_upload(small).data == small
