"""Text for fpdf2's core fonts (Latin-1): typographic punctuation folded, the rest replaced."""

from __future__ import annotations

_PLAIN = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "•": "-",
        "≤": "<=",
        "≥": ">=",
        "\u00a0": " ",
    }
)


def latin1(text: object) -> str:
    return str(text).translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")
