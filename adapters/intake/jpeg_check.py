"""JPEG uploads: structure walk, hidden-data check, a real decode with a pixel limit, re-encode.

The re-encoded JPEG is what gets stored: it carries no EXIF, no comments, no ICC profile and
nothing appended after the image, whatever the upload had.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from adapters.intake.errors import RejectCode, UploadRejected

# Process-wide Pillow guards (Pillow keeps these as globals): a pixel limit for every decode, and
# the bomb *warning* (between 1x and 2x the limit) raised as an error like the 2x case.
DEFAULT_MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = DEFAULT_MAX_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)

# Content that makes a JPEG a polyglot (a browser or unzip would see something else in it).
_MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|script|svg|iframe|body|object|embed|\?php)|javascript:", re.I
)
_CONTAINERS = re.compile(rb"PK\x03\x04|PK\x05\x06|%PDF-|Rar!\x1a\x07|7z\xbc\xaf\x27\x1c")
_MAX_SCANS = 100  # progressive JPEGs have ~10 scans; thousands are a CPU-exhaustion trick


@dataclass(frozen=True)
class JpegPolicy:
    max_pixels: int = DEFAULT_MAX_PIXELS
    min_side: int = 200
    max_side: int = 3000  # longest side of the stored image; KTP text stays readable
    quality: int = 90


@dataclass(frozen=True)
class _Layout:
    end: int  # offset just after EOI
    segments: list[bytes]  # marker segment payloads (APPn, COM, ...), not entropy data


def check_jpeg(data: bytes, policy: JpegPolicy) -> bytes:
    """Return the re-encoded JPEG, or raise UploadRejected."""
    layout = _walk(data)
    if any(_MARKUP.search(seg) for seg in layout.segments):
        raise UploadRejected(RejectCode.JPEG_HIDDEN_DATA)
    trailing = data[layout.end :]
    if _MARKUP.search(trailing) or _CONTAINERS.search(trailing):
        raise UploadRejected(RejectCode.JPEG_HIDDEN_DATA)
    _verify(data, policy)
    return _reencode(data, policy)


def _walk(data: bytes) -> _Layout:
    """Follow the marker segments and scans to the EOI that ends the image."""
    n, pos = len(data), 2  # after SOI
    segments: list[bytes] = []
    scans = 0
    while True:
        if pos >= n:
            raise _broken(scans)
        if data[pos] != 0xFF:
            raise UploadRejected(RejectCode.JPEG_INVALID)
        while pos < n and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= n:
            raise _broken(scans)
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            if scans == 0:
                raise UploadRejected(RejectCode.JPEG_INVALID)
            return _Layout(end=pos, segments=segments)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # standalone markers
            continue
        if marker in (0x00, 0xD8):
            raise UploadRejected(RejectCode.JPEG_INVALID)
        if pos + 2 > n:
            raise _broken(scans)
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2:
            raise UploadRejected(RejectCode.JPEG_INVALID)
        if pos + length > n:
            raise _broken(scans)
        segments.append(data[pos + 2 : pos + length])
        pos += length
        if marker == 0xDA:  # SOS: entropy-coded data follows until the next real marker
            scans += 1
            if scans > _MAX_SCANS:
                raise UploadRejected(RejectCode.JPEG_INVALID)
            pos = _skip_entropy(data, pos, scans)


def _skip_entropy(data: bytes, pos: int, scans: int) -> int:
    while True:
        i = data.find(b"\xff", pos)
        if i < 0 or i + 1 >= len(data):
            raise _broken(scans)
        nxt = data[i + 1]
        if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:  # stuffing, restart, fill
            pos = i + 1
            continue
        return i


def _broken(scans: int) -> UploadRejected:
    """Data ended early: truncated if the image data had begun, else not a JPEG at all."""
    return UploadRejected(RejectCode.JPEG_TRUNCATED if scans else RejectCode.JPEG_INVALID)


def _open(data: bytes) -> ImageFile.ImageFile:
    return Image.open(io.BytesIO(data), formats=["JPEG"])


def _verify(data: bytes, policy: JpegPolicy) -> None:
    try:
        with _open(data) as image:
            width, height = image.size
            if width * height > policy.max_pixels:
                raise _too_large(policy)
            if min(width, height) < policy.min_side:
                raise UploadRejected(RejectCode.IMAGE_TOO_SMALL, min_side=policy.min_side)
            image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(policy) from None
    except (UnidentifiedImageError, SyntaxError, OSError, ValueError, EOFError):
        raise UploadRejected(RejectCode.JPEG_INVALID) from None


def _reencode(data: bytes, policy: JpegPolicy) -> bytes:
    try:
        with _open(data) as image:
            image.draft("RGB", (policy.max_side, policy.max_side))  # decode at reduced scale
            image.load()
            upright = _upright(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(policy) from None
    except OSError as exc:
        code = RejectCode.JPEG_TRUNCATED if "truncated" in str(exc) else RejectCode.JPEG_INVALID
        raise UploadRejected(code) from None
    except (SyntaxError, ValueError, EOFError):
        raise UploadRejected(RejectCode.JPEG_INVALID) from None
    rgb = upright.convert("RGB")
    rgb.thumbnail((policy.max_side, policy.max_side))
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=policy.quality)  # no exif=, no icc_profile=
    return out.getvalue()


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation before the EXIF is dropped (phones store photos rotated)."""
    try:
        return ImageOps.exif_transpose(image)
    except (SyntaxError, ValueError, OSError, KeyError, TypeError):
        return image


def _too_large(policy: JpegPolicy) -> UploadRejected:
    return UploadRejected(RejectCode.IMAGE_TOO_LARGE, max_mp=f"{policy.max_pixels / 1e6:g}")
