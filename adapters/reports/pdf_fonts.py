"""A Unicode TrueType font for PDFs that print people's names (the register).

fpdf2's core fonts speak Latin-1 only: "Ṣāliḥ" or "Nguyễn" would print as `?`. DejaVu Sans
(Debian `fonts-dejavu-core`, installed by scripts/install-system-deps.sh) covers Latin with
every accent and more. Without it the PDF falls back to the core font and Latin-1 text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from adapters.pdf_latin1 import latin1

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
)
_STYLES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}


@dataclass(frozen=True)
class PdfFont:
    family: str
    unicode: bool

    def text(self, value: object) -> str:
        """What to hand fpdf2: as is with the Unicode font, folded to Latin-1 without it."""
        return str(value) if self.unicode else latin1(value)


def find_font_dir(dirs: tuple[Path, ...] = FONT_DIRS) -> Path | None:
    for folder in dirs:
        if all((folder / name).is_file() for name in _STYLES.values()):
            return folder
    return None


def use_unicode_font(pdf: FPDF, dirs: tuple[Path, ...] = FONT_DIRS) -> PdfFont:
    """Register DejaVu Sans (regular, bold, italic) on `pdf` if installed."""
    folder = find_font_dir(dirs)
    if folder is None:
        return PdfFont("Helvetica", unicode=False)
    for style, name in _STYLES.items():
        pdf.add_font("DejaVu", style=style, fname=str(folder / name))
    return PdfFont("DejaVu", unicode=True)
