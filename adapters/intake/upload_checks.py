"""Checks on an uploaded KTP file, in layers; the filename and client content type are ignored.

1. size cap while reading (`read_capped`: stops at limit + 1 bytes),
2. magic bytes (`upload_sniff`): only JPG and PDF go further, others get a message naming them,
3. a real decode: Pillow for JPEG with a pixel limit, pypdf strict for PDF with an active-content
   walk (`jpeg_check`, `pdf_check`),
4. JPEG re-encoded: the stored bytes have no EXIF and nothing appended.

Typical use in the form app::

    data = await read_capped(upload_file, limits.max_bytes)       # UploadRejected (413)
    checked = check_ktp_upload(data, accept=field.accept, max_bytes=limits.max_bytes)
    stored = object_store.put(checked.data, content_type=checked.content_type)
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from adapters.intake.errors import RejectCode, UploadRejected
from adapters.intake.jpeg_check import JpegPolicy, check_jpeg
from adapters.intake.pdf_check import PdfPolicy, check_pdf
from adapters.intake.upload_sniff import sniff

UploadKind = Literal["jpg", "pdf"]


def _glibc() -> ctypes.CDLL | None:
    """glibc, for malloc_trim; None elsewhere (memory is returned as the allocator sees fit)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _glibc()

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 2 * MB
DEFAULT_ACCEPT: tuple[UploadKind, ...] = ("jpg", "pdf")
CONTENT_TYPES: dict[UploadKind, str] = {"jpg": "image/jpeg", "pdf": "application/pdf"}
_KIND_ALIASES: dict[str, UploadKind] = {"jpg": "jpg", "jpeg": "jpg", "pdf": "pdf"}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib)?\s*$", re.I)
_UNITS = {"b": 1, "kb": 1024, "kib": 1024, "mb": MB, "mib": MB}


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check; `data` is what to store (JPEG re-encoded)."""

    kind: UploadKind
    data: bytes
    content_type: str

    @property
    def extension(self) -> str:
        return f".{self.kind}"


@runtime_checkable
class AsyncReadable(Protocol):
    """Anything with `await read(size)`, e.g. starlette's UploadFile."""

    async def read(self, size: int = -1) -> bytes: ...


def parse_size(text: str) -> int:
    """`"2MB"`, `"500 KB"`, `"1048576"` -> bytes (KB and MB are binary: 1024 and 1024²)."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"not a size: {text!r} (e.g. 2MB, 500KB)")
    unit = (match.group(2) or "b").lower()
    return int(float(match.group(1)) * _UNITS[unit])


def accepted_kinds(accept: Collection[str]) -> tuple[UploadKind, ...]:
    """Normalise a form field's `accept` list (`jpg`, `jpeg`, `pdf`, any case, with or without
    a dot); anything else is a configuration error."""
    kinds: list[UploadKind] = []
    for item in accept:
        kind = _KIND_ALIASES.get(item.lower().lstrip("."))
        if kind is None:
            raise ValueError(f"unsupported upload kind {item!r}; supported: jpg, pdf")
        if kind not in kinds:
            kinds.append(kind)
    return tuple(kinds)


def too_large(max_bytes: int) -> UploadRejected:
    return UploadRejected(RejectCode.TOO_LARGE, limit=_human_size(max_bytes))


async def read_capped(
    source: AsyncReadable | AsyncIterator[bytes], limit: int, *, chunk_size: int = 64 * 1024
) -> bytes:
    """Read at most `limit` bytes; raise UploadRejected(TOO_LARGE) as soon as byte limit + 1
    arrives, without reading the rest."""
    buffer = bytearray()
    if isinstance(source, AsyncReadable):
        while chunk := await source.read(min(chunk_size, limit + 1 - len(buffer))):
            buffer += chunk
            if len(buffer) > limit:
                raise too_large(limit)
    else:
        async for chunk in source:
            buffer += chunk
            if len(buffer) > limit:
                raise too_large(limit)
    return bytes(buffer)


def check_ktp_upload(
    data: bytes,
    *,
    accept: Collection[str] = DEFAULT_ACCEPT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    jpeg: JpegPolicy | None = None,
    pdf: PdfPolicy | None = None,
) -> CheckedUpload:
    """Check an uploaded KTP file; return what to store, or raise UploadRejected."""
    kinds = accepted_kinds(accept)
    if not data:
        raise UploadRejected(RejectCode.EMPTY)
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    sniffed = sniff(data)
    if sniffed.category == "image":
        raise UploadRejected(RejectCode.IMAGE_FORMAT, fmt=sniffed.label)
    if sniffed.category == "archive":
        raise UploadRejected(RejectCode.ARCHIVE, fmt=sniffed.label)
    if sniffed.category == "markup":
        raise UploadRejected(RejectCode.MARKUP)
    if sniffed.category not in ("jpg", "pdf"):
        raise UploadRejected(RejectCode.NOT_JPG_OR_PDF)
    kind: UploadKind = "jpg" if sniffed.category == "jpg" else "pdf"
    if kind not in kinds:
        accepted = " atau ".join(k.upper() for k in kinds)
        raise UploadRejected(RejectCode.KIND_NOT_ACCEPTED, kind=kind.upper(), accepted=accepted)
    try:
        if kind == "jpg":
            clean = check_jpeg(data, jpeg or JpegPolicy())
        else:
            clean = check_pdf(data, pdf or PdfPolicy())
    finally:
        release_freed_memory()
    return CheckedUpload(kind=kind, data=clean, content_type=CONTENT_TYPES[kind])


def release_freed_memory() -> None:
    """Hand memory freed by a decode back to the system (glibc keeps it in per-thread arenas
    otherwise: the intake's RSS stayed at its peak after hostile uploads)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _human_size(size: int) -> str:
    if size >= MB:
        return f"{size / MB:g} MB"
    if size >= 1024:
        return f"{size / 1024:g} KB"
    return f"{size} byte"
