"""The nine elements (unsur) of PermenPAN-RB 14/2017 with the regulation's questionnaire wording.

Each element is answered on a four-point scale, 1 (worst) to 4 (best). A process definition may
override an element's question or answers (`survey.wording`), never the scale or the elements.
"""

from __future__ import annotations

from dataclasses import dataclass

from process_definitions.model import SurveyDefinition


@dataclass(frozen=True)
class Element:
    key: str  # u1..u9
    name: str
    question: str
    options: tuple[str, str, str, str]  # the answers scored 1, 2, 3, 4


ELEMENTS: tuple[Element, ...] = (
    Element(
        "u1",
        "Persyaratan",
        "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis "
        "pelayanannya?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    Element(
        "u2",
        "Sistem, Mekanisme, dan Prosedur",
        "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
        ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
    ),
    Element(
        "u3",
        "Waktu Penyelesaian",
        "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
        ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
    ),
    Element(
        "u4",
        "Biaya/Tarif",
        "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
        ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
    ),
    Element(
        "u5",
        "Produk Spesifikasi Jenis Pelayanan",
        "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum "
        "dalam standar pelayanan dengan hasil yang diberikan?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    Element(
        "u6",
        "Kompetensi Pelaksana",
        "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
        ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
    ),
    Element(
        "u7",
        "Perilaku Pelaksana",
        "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan "
        "dan keramahan?",
        (
            "Tidak sopan dan ramah",
            "Kurang sopan dan ramah",
            "Sopan dan ramah",
            "Sangat sopan dan ramah",
        ),
    ),
    Element(
        "u8",
        "Sarana dan Prasarana",
        "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
        ("Buruk", "Cukup", "Baik", "Sangat baik"),
    ),
    Element(
        "u9",
        "Penanganan Pengaduan, Saran dan Masukan",
        "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
        (
            "Tidak ada",
            "Ada tetapi tidak berfungsi",
            "Berfungsi kurang maksimal",
            "Dikelola dengan baik",
        ),
    ),
)
KEYS: tuple[str, ...] = tuple(element.key for element in ELEMENTS)


def worded(survey: SurveyDefinition | None) -> tuple[Element, ...]:
    """The nine elements with the definition's wording overrides applied."""
    overrides = survey.wording if survey is not None else {}
    result = []
    for element in ELEMENTS:
        own = overrides.get(element.key)
        if own is None:
            result.append(element)
            continue
        options = tuple(own.options) if own.options else element.options
        result.append(
            Element(element.key, element.name, own.question or element.question, options)  # type: ignore[arg-type]
        )
    return tuple(result)
