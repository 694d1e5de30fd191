"""PDF uploads: a strict pypdf parse, then a walk of every reachable object for active content.

Refused: encryption, no pages, too many pages, JavaScript (`/JS`, `/JavaScript`, also as
`/OpenAction` or `/AA`), `/Launch` actions, embedded files, forms that submit or import (XFA,
`/SubmitForm`, `/ImportData`), multimedia annotations, and anything active appended after the
last `%%EOF`. The PDF is stored as uploaded once it passes.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

from adapters.intake.errors import RejectCode, UploadRejected

_JS_KEYS = {"/JS", "/JavaScript"}
_EMBEDDED_KEYS = {"/EmbeddedFiles", "/EmbeddedFile", "/EF"}
_ACTIVE_KEYS = {"/XFA", "/RichMediaContent", "/RichMediaSettings"}
_ACTION_CODES = {
    "/JavaScript": RejectCode.PDF_JAVASCRIPT,
    "/Launch": RejectCode.PDF_LAUNCH,
    "/SubmitForm": RejectCode.PDF_ACTIVE_CONTENT,
    "/ImportData": RejectCode.PDF_ACTIVE_CONTENT,
    "/RichMediaExecute": RejectCode.PDF_ACTIVE_CONTENT,
    "/Rendition": RejectCode.PDF_ACTIVE_CONTENT,
}
_SUBTYPE_CODES = {
    "/FileAttachment": RejectCode.PDF_EMBEDDED_FILE,
    "/RichMedia": RejectCode.PDF_ACTIVE_CONTENT,
    "/Movie": RejectCode.PDF_ACTIVE_CONTENT,
    "/Sound": RejectCode.PDF_ACTIVE_CONTENT,
    "/Screen": RejectCode.PDF_ACTIVE_CONTENT,
}
# Raw second layer for objects no reference reaches (lenient viewers may still find them).
_RAW = ((re.compile(rb"/JavaScript\b"), RejectCode.PDF_JAVASCRIPT),
        (re.compile(rb"/Launch\b"), RejectCode.PDF_LAUNCH))  # fmt: skip
_TRAILING_ACTIVE = re.compile(
    rb"<\s*(?:!doctype|html|script|svg|iframe|body|\?php)|PK\x03\x04|PK\x05\x06|\xff\xd8\xff|%PDF-",
    re.I,
)
_MAX_OBJECTS = 20_000


@dataclass(frozen=True)
class PdfPolicy:
    max_pages: int = 5


def check_pdf(data: bytes, policy: PdfPolicy) -> bytes:
    """Return the PDF unchanged if it passes, or raise UploadRejected."""
    _check_trailing(data)
    for pattern, code in _RAW:
        if pattern.search(data):
            raise UploadRejected(code)
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            raise UploadRejected(RejectCode.PDF_ENCRYPTED)
        pages = len(reader.pages)
        if pages == 0:
            raise UploadRejected(RejectCode.PDF_NO_PAGES)
        if pages > policy.max_pages:
            raise UploadRejected(RejectCode.PDF_TOO_MANY_PAGES, max_pages=policy.max_pages)
        _walk(reader.trailer)
    except UploadRejected:
        raise
    except Exception:  # pypdf raises many kinds on hostile input; all mean "unreadable"
        raise UploadRejected(RejectCode.PDF_INVALID) from None
    return data


def _check_trailing(data: bytes) -> None:
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise UploadRejected(RejectCode.PDF_INVALID)
    if _TRAILING_ACTIVE.search(data[end + 5 :]):
        raise UploadRejected(RejectCode.PDF_HIDDEN_DATA)


def _walk(root: PdfObject) -> None:
    """Visit every object reachable from the trailer (catalog, names, pages, annotations...)."""
    seen: set[tuple[int, int]] = set()
    stack: list[PdfObject] = [root]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            if len(seen) > _MAX_OBJECTS:
                raise UploadRejected(RejectCode.PDF_INVALID)
            target = obj.get_object()
            if target is not None:
                stack.append(target)
        elif isinstance(obj, DictionaryObject):  # includes stream dictionaries
            _check_dict(obj)
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)


def _check_dict(obj: DictionaryObject) -> None:
    keys = set(obj.keys())
    if keys & _JS_KEYS:
        raise UploadRejected(RejectCode.PDF_JAVASCRIPT)
    if keys & _EMBEDDED_KEYS or obj.get("/Type") == "/EmbeddedFile":
        raise UploadRejected(RejectCode.PDF_EMBEDDED_FILE)
    if keys & _ACTIVE_KEYS:
        raise UploadRejected(RejectCode.PDF_ACTIVE_CONTENT)
    action = obj.get("/S")
    if isinstance(action, str) and action in _ACTION_CODES:
        raise UploadRejected(_ACTION_CODES[action])
    subtype = obj.get("/Subtype")
    if isinstance(subtype, str) and subtype in _SUBTYPE_CODES:
        raise UploadRejected(_SUBTYPE_CODES[subtype])
