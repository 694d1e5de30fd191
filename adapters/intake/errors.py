"""Errors of the intake adapter.

An UploadRejected carries a stable code (for logs, tests and metrics) and a message in Bahasa
Indonesia for the applicant. Neither ever contains the file's contents or its name.
"""

from __future__ import annotations

from enum import StrEnum


class IntakeError(Exception):
    """Base class of every error raised by adapters.intake."""


class RejectCode(StrEnum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    KIND_NOT_ACCEPTED = "kind_not_accepted"
    IMAGE_FORMAT = "image_format"
    ARCHIVE = "archive"
    MARKUP = "markup"
    NOT_JPG_OR_PDF = "not_jpg_or_pdf"
    JPEG_INVALID = "jpeg_invalid"
    JPEG_TRUNCATED = "jpeg_truncated"
    IMAGE_TOO_LARGE = "image_too_large"
    IMAGE_BAD_SHAPE = "image_bad_shape"
    PROGRESSIVE_TOO_LARGE = "progressive_too_large"
    IMAGE_TOO_SMALL = "image_too_small"
    PDF_INVALID = "pdf_invalid"
    PDF_ENCRYPTED = "pdf_encrypted"
    PDF_NO_PAGES = "pdf_no_pages"
    PDF_TOO_MANY_PAGES = "pdf_too_many_pages"
    PDF_JAVASCRIPT = "pdf_javascript"
    PDF_LAUNCH = "pdf_launch"
    PDF_EMBEDDED_FILE = "pdf_embedded_file"
    PDF_ACTIVE_CONTENT = "pdf_active_content"
    PDF_HIDDEN_DATA = "pdf_hidden_data"
    PDF_LINK = "pdf_link"
    PDF_TOO_COMPLEX = "pdf_too_complex"


_SEND = "Kirim foto KTP dalam format JPG atau PDF."

# One message per reason; `{...}` fields are filled from the limits in force.
MESSAGES: dict[RejectCode, str] = {
    RejectCode.EMPTY: "Berkas kosong. Pilih foto KTP Anda (JPG atau PDF).",
    RejectCode.TOO_LARGE: "Berkas terlalu besar: maksimal {limit}.",
    RejectCode.KIND_NOT_ACCEPTED: "Berkas {kind} tidak diterima di isian ini. Kirim {accepted}.",
    RejectCode.IMAGE_FORMAT: "Gambar {fmt} tidak diterima. " + _SEND,
    RejectCode.ARCHIVE: "Berkas arsip atau dokumen Office ({fmt}) tidak diterima. " + _SEND,
    RejectCode.MARKUP: "Berkas halaman web, SVG, atau teks tidak diterima. " + _SEND,
    RejectCode.NOT_JPG_OR_PDF: "Berkas bukan JPG atau PDF yang sah.",
    RejectCode.JPEG_INVALID: "Berkas tampak seperti JPG, tetapi isinya bukan foto yang sah.",
    RejectCode.JPEG_TRUNCATED: "Foto JPG tidak lengkap (terpotong). Silakan unggah ulang.",
    RejectCode.IMAGE_TOO_LARGE: (
        "Ukuran gambar terlalu besar (lebih dari {max_mp} megapiksel). "
        "Perkecil foto lalu unggah ulang."
    ),
    RejectCode.IMAGE_BAD_SHAPE: (
        "Bentuk foto tidak wajar (terlalu panjang atau terlalu sempit). "
        "Foto KTP secara utuh lalu unggah ulang."
    ),
    RejectCode.PROGRESSIVE_TOO_LARGE: (
        "Foto JPG progresif ini terlalu besar untuk diperiksa. "
        "Perkecil foto atau simpan ulang sebagai JPG biasa, lalu unggah ulang."
    ),
    RejectCode.IMAGE_TOO_SMALL: (
        "Foto terlalu kecil untuk dibaca: minimal {min_side} piksel pada sisi terpendek."
    ),
    RejectCode.PDF_INVALID: "Berkas PDF rusak atau tidak dapat dibaca.",
    RejectCode.PDF_ENCRYPTED: "PDF terkunci kata sandi tidak diterima.",
    RejectCode.PDF_NO_PAGES: "PDF tidak berisi halaman.",
    RejectCode.PDF_TOO_MANY_PAGES: "PDF terlalu banyak halaman: maksimal {max_pages} halaman.",
    RejectCode.PDF_JAVASCRIPT: "PDF berisi JavaScript tidak diterima.",
    RejectCode.PDF_LAUNCH: "PDF berisi perintah untuk menjalankan program tidak diterima.",
    RejectCode.PDF_EMBEDDED_FILE: "PDF berisi lampiran berkas tidak diterima.",
    RejectCode.PDF_ACTIVE_CONTENT: "PDF berisi formulir aktif atau multimedia tidak diterima.",
    RejectCode.PDF_HIDDEN_DATA: "PDF berisi data tersembunyi di luar dokumen dan tidak diterima.",
    RejectCode.PDF_LINK: (
        "PDF berisi tautan atau perintah otomatis (ke situs web atau berkas lain) dan tidak "
        "diterima. Kirim hasil pindaian atau foto KTP saja."
    ),
    RejectCode.PDF_TOO_COMPLEX: (
        "PDF terlalu rumit untuk diperiksa (isi terkompresi terlalu besar). "
        "Kirim hasil pindaian KTP yang sederhana atau foto JPG."
    ),
}

_FORMAT_CODES = {
    RejectCode.KIND_NOT_ACCEPTED,
    RejectCode.IMAGE_FORMAT,
    RejectCode.ARCHIVE,
    RejectCode.MARKUP,
    RejectCode.NOT_JPG_OR_PDF,
}


class UploadRejected(IntakeError):
    """An uploaded file was refused. `message` is what the applicant reads."""

    def __init__(self, code: RejectCode, **params: object) -> None:
        self.code = code
        self.message = MESSAGES[code].format(**params)
        super().__init__(self.message)

    @property
    def message_id(self) -> str:
        """A stable identifier of the message, e.g. `upload.too_large`."""
        return f"upload.{self.code.value}"

    @property
    def http_status(self) -> int:
        """413 too large, 415 wrong kind of file, 422 a file of the right kind that fails."""
        if self.code is RejectCode.TOO_LARGE:
            return 413
        return 415 if self.code in _FORMAT_CODES else 422
