"""Magic-byte sniffing of uploads: what a file is, from its first bytes, never from its name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Category = Literal["jpg", "pdf", "image", "archive", "markup", "unknown"]


@dataclass(frozen=True)
class Sniffed:
    category: Category
    label: str  # a format name for messages, e.g. "PNG"


_SIGNATURES: tuple[tuple[bytes, int, Category, str], ...] = (
    (b"\xff\xd8\xff", 0, "jpg", "JPG"),
    (b"%PDF-", 0, "pdf", "PDF"),
    (b"\x89PNG\r\n\x1a\n", 0, "image", "PNG"),
    (b"GIF87a", 0, "image", "GIF"),
    (b"GIF89a", 0, "image", "GIF"),
    (b"II*\x00", 0, "image", "TIFF"),
    (b"MM\x00*", 0, "image", "TIFF"),
    (b"\x00\x00\x00\x0cjP  ", 0, "image", "JPEG 2000"),
    (b"PK\x03\x04", 0, "archive", "ZIP"),
    (b"PK\x05\x06", 0, "archive", "ZIP"),
    (b"Rar!\x1a\x07", 0, "archive", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", 0, "archive", "7z"),
    (b"\x1f\x8b", 0, "archive", "GZIP"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "archive", "Office"),
)
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif"}
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_MARKUP_HINT = re.compile(rb"<\s*(?:!doctype|html|svg|\?xml|script|body|head|iframe)", re.I)


def sniff(data: bytes) -> Sniffed:
    """Classify `data` by its leading bytes."""
    for magic, offset, category, label in _SIGNATURES:
        if data.startswith(magic, offset):
            return Sniffed(category, label)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Sniffed("image", "WEBP")
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return Sniffed("image", "HEIC/AVIF")
    if data[:2] == b"BM" and len(data) > 14:
        return Sniffed("image", "BMP")
    if _looks_like_markup(data):
        return Sniffed("markup", "HTML/SVG")
    return Sniffed("unknown", "?")


def _looks_like_markup(data: bytes) -> bool:
    head = data[:1024]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :].replace(b"\x00", b"")
            break
    return head.lstrip().startswith(b"<") or bool(_MARKUP_HINT.search(head))
