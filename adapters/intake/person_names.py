"""What a person's name can be, for names that official messages quote (issue 15 #3, #9).

A name here is Latin letters (accents allowed: Ṣāliḥ, Désirée), spaces and the punctuation of
names (`. , ' -`), with at least two letters. Refused, each with its own message in Bahasa
Indonesia: digits, `@` and other symbols, web addresses, currency and payment words (a name
field is not a place for "biaya verifikasi Rp250.000 ... transfer ke ..."), letters of other
scripts (Cyrillic `а` looks like Latin `a`: a homoglyph), and too many words.
Input is NFKC-normalised first (fullwidth `Ａ` -> `A`, ligatures split) and stripped of
invisible format characters by the caller (`form_validation`).
"""

from __future__ import annotations

import re
import unicodedata

MAX_WORDS = 12  # "Muhammad Rizky ... bin Haji Abdul Rahman alias Kiki" fits
_PUNCTUATION = set(" .,'-")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_DOMAIN = re.compile(
    r"[a-z]\.(?:com|net|org|id|me|co|io|ly|info|biz|xyz|site|online|link|app|top|club|shop"
    r"|store|web|gov|ac|sch|my|to|gl|gg|bit)\b",
    re.IGNORECASE,
)
# Words that turn a name into an instruction or a bill; none is a name.
_NOT_NAME_WORDS = frozenset(
    [
        "rp",
        "idr",
        "rupiah",
        "usd",
        "transfer",
        "ditransfer",
        "rekening",
        "biaya",
        "bayar",
        "pembayaran",
        "wajib",
        "penting",
        "segera",
        "hubungi",
        "klik",
        "verifikasi",
        "gratis",
        "hadiah",
        "bonus",
        "whatsapp",
        "http",
        "https",
        "www",
    ]
)

NAME_DIGITS = "Nama tidak boleh berisi angka."
NAME_SYMBOLS = "Nama hanya boleh berisi huruf, spasi, dan tanda . , ' -"
NAME_SCRIPT = "Tulis nama dengan huruf Latin (A-Z, boleh beraksen), tanpa huruf dari aksara lain."
NAME_LINK = "Nama tidak boleh berisi alamat situs web, nominal uang, atau perintah."
NAME_LETTERS = "Nama harus berisi huruf."
NAME_WORDS = "Nama terlalu panjang: maksimal {max} kata."


class NameRefused(ValueError):
    """`message` says, in Bahasa Indonesia, why this is not a name."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def clean_person_name(text: str) -> str:
    """The name, normalised (NFKC, one space between words, typographic apostrophes folded),
    or NameRefused."""
    name = " ".join(unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).split())
    if any(ch.isdigit() for ch in name):
        raise NameRefused(NAME_DIGITS)
    if _DOMAIN.search(name):
        raise NameRefused(NAME_LINK)
    letters = 0
    for ch in name:
        if ch in _PUNCTUATION:
            continue
        category = unicodedata.category(ch)
        if category.startswith("L"):
            if not unicodedata.name(ch, "").startswith("LATIN "):
                raise NameRefused(NAME_SCRIPT)
            letters += 1
        elif category != "Mn":  # combining accents that NFKC could not compose
            raise NameRefused(NAME_SYMBOLS)
    if letters < 2:
        raise NameRefused(NAME_LETTERS)
    words = re.findall(r"[^\W\d_]+", name.casefold())
    if _NOT_NAME_WORDS.intersection(words):
        raise NameRefused(NAME_LINK)
    if len(name.split()) > MAX_WORDS:
        raise NameRefused(NAME_WORDS.format(max=MAX_WORDS))
    return name
