"""JPEG uploads: structure walk, resource bounds from the header, a bounded decode, re-encode.

The re-encoded JPEG is what gets stored: it carries no EXIF, no comments, no ICC profile and
nothing appended after the image, whatever the upload had. So metadata and trailing bytes are
not refused (re-encoding removes them); what is refused is what would make the check itself
expensive or what re-encoding cannot fix:

- more pixels than `max_pixels`, or a shape no photo of a card has (`max_aspect`);
- a progressive JPEG whose coefficient buffer (libjpeg keeps every DCT coefficient of the
  whole image while decoding progressive scans, whatever the output scale) exceeds
  `progressive_budget_bytes`;
- hundreds of scans (each progressive scan is another pass over that buffer).

All of this is read from the header (Pillow's open is lazy) before any pixel is decoded; the
decode itself runs at 1/2, 1/4 or 1/8 scale (`draft`) so its output stays near `max_side`.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from adapters.intake.errors import RejectCode, UploadRejected

# Process-wide Pillow guards (Pillow keeps these as globals): a pixel limit for every decode, and
# the bomb *warning* (between 1x and 2x the limit) raised as an error like the 2x case.
DEFAULT_MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = DEFAULT_MAX_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)

_MAX_SCANS = 100  # progressive JPEGs have ~10 scans; thousands are a CPU-exhaustion trick
_COEFFICIENT_BYTES = 2  # libjpeg's JCOEF is a 16-bit integer: 64 per 8x8 block of 64 pixels


@dataclass(frozen=True)
class JpegPolicy:
    max_pixels: int = DEFAULT_MAX_PIXELS
    min_side: int = 200
    max_side: int = 3000  # longest side of the stored image; KTP text stays readable
    max_aspect: float = 4.0  # longest side / shortest side; phones shoot up to ~2.2
    # Coefficient buffer of a progressive decode: 4 MP at 4:4:4, 8 MP at 4:2:0 (phones save
    # baseline JPEGs; a KTP needs far fewer pixels).
    progressive_budget_bytes: int = 24 * 1024 * 1024
    quality: int = 90


def check_jpeg(data: bytes, policy: JpegPolicy) -> bytes:
    """Return the re-encoded JPEG, or raise UploadRejected."""
    _walk(data)
    try:
        with _open(data) as image:
            _check_header(image, policy)
            _draft(image, policy)
            image.load()
            upright = _upright(image)
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(policy) from None
    except OSError as exc:
        code = RejectCode.JPEG_TRUNCATED if "truncated" in str(exc) else RejectCode.JPEG_INVALID
        raise UploadRejected(code) from None
    except (UnidentifiedImageError, SyntaxError, ValueError, EOFError):
        raise UploadRejected(RejectCode.JPEG_INVALID) from None
    return _reencode(upright, policy)


def coefficient_bytes(image: ImageFile.ImageFile) -> int:
    """Bytes libjpeg holds for a whole-image coefficient buffer (progressive or multi-scan
    decodes), from the components' sampling factors in the frame header."""
    width, height = image.size
    layers = getattr(image, "layer", None) or [("", 1, 1, 0)]
    h_max = max(layer[1] for layer in layers)
    v_max = max(layer[2] for layer in layers)
    total = 0
    for _id, h, v, _table in layers:
        blocks_x = math.ceil(math.ceil(width * h / h_max) / 8)
        blocks_y = math.ceil(math.ceil(height * v / v_max) / 8)
        total += blocks_x * blocks_y * 64 * _COEFFICIENT_BYTES
    return total


def _check_header(image: ImageFile.ImageFile, policy: JpegPolicy) -> None:
    width, height = image.size
    if width * height > policy.max_pixels:
        raise _too_large(policy)
    if min(width, height) < policy.min_side:
        raise UploadRejected(RejectCode.IMAGE_TOO_SMALL, min_side=policy.min_side)
    if max(width, height) > policy.max_aspect * min(width, height):
        raise UploadRejected(RejectCode.IMAGE_BAD_SHAPE)
    progressive = bool(image.info.get("progressive") or image.info.get("progression"))
    if progressive and coefficient_bytes(image) > policy.progressive_budget_bytes:
        raise UploadRejected(RejectCode.PROGRESSIVE_TOO_LARGE)


def _draft(image: ImageFile.ImageFile, policy: JpegPolicy) -> None:
    """Ask libjpeg to decode at the smallest of 1/1..1/8 scale that keeps the longest side at
    or above `max_side` (the target keeps the aspect, or a thin side would block scaling)."""
    width, height = image.size
    factor = policy.max_side / max(width, height)
    if factor < 1:
        target = (max(1, math.ceil(width * factor)), max(1, math.ceil(height * factor)))
        image.draft("RGB", target)


def _walk(data: bytes) -> None:
    """Follow the marker segments and scans to the EOI that ends the image; what follows the
    EOI is ignored (re-encoding drops it)."""
    n, pos = len(data), 2  # after SOI
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
            return
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


def _reencode(image: Image.Image, policy: JpegPolicy) -> bytes:
    """Few full-size copies: the decode is the largest buffer this check holds."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    rgb.thumbnail((policy.max_side, policy.max_side))
    rgb.info = {}  # Pillow re-saves `info["comment"]` (COM segment) unless it is gone
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=policy.quality)  # no exif=, no icc_profile=
    return out.getvalue()


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation before the EXIF is dropped (phones store photos rotated)."""
    with contextlib.suppress(SyntaxError, ValueError, OSError, KeyError, TypeError):
        ImageOps.exif_transpose(image, in_place=True)
    return image


def _too_large(policy: JpegPolicy) -> UploadRejected:
    return UploadRejected(RejectCode.IMAGE_TOO_LARGE, max_mp=f"{policy.max_pixels / 1e6:g}")
