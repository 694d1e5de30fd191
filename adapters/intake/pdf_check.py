"""PDF uploads: a strict pypdf parse under tight resource limits, then a walk of every reachable
object for active content. The PDF is stored as uploaded once it passes, so everything that
could act when an operator opens it is refused (re-encoding would not remove it).

Refused: encryption, no pages, too many pages, JavaScript (`/JS`, `/JavaScript`), `/Launch`,
embedded files, forms that submit or import (XFA, `/SubmitForm`, `/ImportData`), multimedia,
automatic actions (`/AA`, an `/OpenAction` that is an action, not a page to show), links out
of the document (`/URI`, `/GoToR` e.g. to a UNC share, `/GoToE`, ...), streams whose data
live in an external file, and anything active appended after the last `%%EOF`.

Resource bounds (a small file may decompress to gigabytes, and pypdf parses object streams
byte by byte): every decoder is capped per stream by pypdf's configuration, and the object
streams (the only streams the check decodes and parses) get a total byte budget, checked
before any object in them is parsed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject, StreamObject

from adapters.intake.errors import RejectCode, UploadRejected

_JS_KEYS = {"/JS", "/JavaScript"}
_EMBEDDED_KEYS = {"/EmbeddedFiles", "/EmbeddedFile", "/EF"}
_ACTIVE_KEYS = {"/XFA", "/RichMediaContent", "/RichMediaSettings"}
_ACTION_CODES = {
    "/JavaScript": RejectCode.PDF_JAVASCRIPT,
    "/Launch": RejectCode.PDF_LAUNCH,
    "/SubmitForm": RejectCode.PDF_ACTIVE_CONTENT,
    "/ImportData": RejectCode.PDF_ACTIVE_CONTENT,
    "/ResetForm": RejectCode.PDF_ACTIVE_CONTENT,
    "/Hide": RejectCode.PDF_ACTIVE_CONTENT,
    "/RichMediaExecute": RejectCode.PDF_ACTIVE_CONTENT,
    "/Rendition": RejectCode.PDF_ACTIVE_CONTENT,
    "/Sound": RejectCode.PDF_ACTIVE_CONTENT,
    "/Movie": RejectCode.PDF_ACTIVE_CONTENT,
    "/GoTo3DView": RejectCode.PDF_ACTIVE_CONTENT,
    "/URI": RejectCode.PDF_LINK,
    "/GoToR": RejectCode.PDF_LINK,
    "/GoToE": RejectCode.PDF_LINK,
    "/Thread": RejectCode.PDF_LINK,
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
        (re.compile(rb"/Launch\b"), RejectCode.PDF_LAUNCH),
        (re.compile(rb"/(?:GoToR|GoToE|URI)\b"), RejectCode.PDF_LINK))  # fmt: skip
_TRAILING_ACTIVE = re.compile(
    rb"<\s*(?:!doctype|html|script|svg|iframe|body|\?php)|PK\x03\x04|PK\x05\x06|\xff\xd8\xff|%PDF-",
    re.I,
)
_MAX_OBJECTS = 20_000


@dataclass(frozen=True)
class PdfPolicy:
    max_pages: int = 5
    max_stream_bytes: int = 1024 * 1024  # any one stream pypdf decodes (xref, object streams)
    max_object_stream_bytes: int = 512 * 1024  # all object streams together


def check_pdf(data: bytes, policy: PdfPolicy) -> bytes:
    """Return the PDF unchanged if it passes, or raise UploadRejected."""
    _check_trailing(data)
    for pattern, code in _RAW:
        if pattern.search(data):
            raise UploadRejected(code)
    try:
        with _limits(policy):
            reader = PdfReader(io.BytesIO(data), strict=True)
            if reader.is_encrypted:
                raise UploadRejected(RejectCode.PDF_ENCRYPTED)
            _check_object_streams(reader, policy)
            pages = len(reader.pages)
            if pages == 0:
                raise UploadRejected(RejectCode.PDF_NO_PAGES)
            if pages > policy.max_pages:
                raise UploadRejected(RejectCode.PDF_TOO_MANY_PAGES, max_pages=policy.max_pages)
            _walk(reader.trailer)
    except UploadRejected:
        raise
    except LimitReachedError:
        raise UploadRejected(RejectCode.PDF_TOO_COMPLEX) from None
    except Exception:  # pypdf raises many kinds on hostile input; all mean "unreadable"
        raise UploadRejected(RejectCode.PDF_INVALID) from None
    return data


@contextmanager
def _limits(policy: PdfPolicy) -> Iterator[None]:
    """pypdf's decoders capped at `max_stream_bytes` (its configuration is a context variable:
    other threads and requests keep theirs)."""
    cap = policy.max_stream_bytes
    with apply_configuration(
        zlib_maximum_output_length=cap,
        lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap,
        brotli_maximum_output_length=cap,
        jbig2_maximum_output_length=cap,
        array_based_stream_maximum_output_length=cap,
        stream_decoding_work_maximum_length=4 * cap,
        image_maximum_buffer_size=cap,
        xmp_maximum_input_length=cap,
    ):
        yield


def _check_object_streams(reader: PdfReader, policy: PdfPolicy) -> None:
    """Decode every object stream the cross-reference names, counting bytes, before pypdf
    parses any object inside one (decoded data is cached on the stream object)."""
    total = 0
    for stream_number in sorted({number for number, _index in reader.xref_objStm.values()}):
        stream = reader.get_object(int(stream_number))
        if not isinstance(stream, StreamObject):
            raise UploadRejected(RejectCode.PDF_INVALID)
        total += len(stream.get_data())
        if total > policy.max_object_stream_bytes:
            raise UploadRejected(RejectCode.PDF_TOO_COMPLEX)


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
                raise UploadRejected(RejectCode.PDF_TOO_COMPLEX)
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
    if "/AA" in keys:  # actions run on events (page open, focus...): never wanted in a KTP scan
        triggers = obj["/AA"]
        actions = list(triggers.values()) if isinstance(triggers, DictionaryObject) else []
        raise UploadRejected(_action_code(actions[0].get_object() if actions else None))
    if "/OpenAction" in keys:  # a page to show on open is fine; an action other than GoTo not
        opened = obj["/OpenAction"]
        if isinstance(opened, DictionaryObject) and opened.get("/S") != "/GoTo":
            raise UploadRejected(_action_code(opened))
    if "/URI" in keys:  # a link's target address
        raise UploadRejected(RejectCode.PDF_LINK)
    if isinstance(obj, StreamObject) and keys & {"/F", "/FFilter", "/FDecodeParms"}:
        raise UploadRejected(RejectCode.PDF_LINK)  # stream data read from an external file


def _action_code(action: object) -> RejectCode:
    """The most specific reason for an action dictionary (JavaScript, Launch...), else a link."""
    kind = action.get("/S") if isinstance(action, DictionaryObject) else None
    return _ACTION_CODES.get(str(kind), RejectCode.PDF_LINK)
