"""The QR poster: an A4 PDF whose drawn QR code is exactly segno's, and PNG/SVG of the QR."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import segno
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from adapters.cli.app import app
from adapters.intake.poster import QR_BORDER, build_poster_pdf, qr_png, qr_svg

URL = "https://layanan.example.go.id/integrasi"
RECT = re.compile(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re f")


def expected_matrix(url: str) -> list[list[int]]:
    """The QR code as segno encodes it, independently of the poster module's settings."""
    return [list(row) for row in segno.make(url, error="q", micro=False).matrix]


def poster(url: str = URL, **overrides: object) -> bytes:
    fields: dict[str, object] = {
        "url": url,
        "title": "Layanan Informasi Integrasi",
        "subtitle": "Asimilasi – Pembebasan Bersyarat",
        "instructions": ["Pindai kode QR.", "Isi formulir (sekitar 10 menit)."],
        "office": "Kantor Wilayah Banten",
        "footer": "Layanan ini tidak dipungut biaya.",
    }
    fields.update(overrides)
    return build_poster_pdf(**fields)  # type: ignore[arg-type]


def qr_from_pdf(pdf: bytes, modules: int) -> list[list[int]]:
    """Rebuild the module grid from the filled rectangles the poster drew."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    contents = page.get_contents()
    assert contents is not None
    rects = [tuple(float(v) for v in m.groups()) for m in RECT.finditer(contents.get_data())]
    heights = sorted({round(abs(h), 2) for *_, h in rects})
    module = heights[0]  # QR runs are one module high; other filled boxes are taller
    runs = [(x, y, w) for x, y, w, h in rects if abs(abs(h) - module) < 0.02]
    left, top = min(x for x, _, _ in runs), max(y for _, y, _ in runs)
    grid = [[0] * modules for _ in range(modules)]
    for x, y, w in runs:
        row, col = round((top - y) / module), round((x - left) / module)
        for c in range(col, col + round(w / module)):
            grid[row][c] = 1
    return grid


def test_poster_is_one_a4_page() -> None:
    reader = PdfReader(io.BytesIO(poster()))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_poster_shows_url_title_instructions_and_footer() -> None:
    text = PdfReader(io.BytesIO(poster())).pages[0].extract_text()
    for expected in (
        URL,
        "Layanan Informasi Integrasi",
        "KANTOR WILAYAH BANTEN",
        "Asimilasi - Pembebasan Bersyarat",  # en dash made plain for the core font
        "1.",
        "Isi formulir (sekitar 10 menit).",
        "Layanan ini tidak dipungut biaya.",
    ):
        assert expected in text


@pytest.mark.parametrize("url", [URL, "https://x.example/f?id=42&src=poster#top"])
def test_qr_drawn_in_pdf_is_the_url_qr(url: str) -> None:
    expected = expected_matrix(url)
    assert qr_from_pdf(poster(url), len(expected)) == expected


def test_qr_in_pdf_differs_for_another_url() -> None:
    other = expected_matrix(URL + "/lain")
    assert qr_from_pdf(poster(), len(expected_matrix(URL))) != other


def test_qr_png_modules_match_segno() -> None:
    expected = expected_matrix(URL)
    scale = 10
    with Image.open(io.BytesIO(qr_png(URL, scale=scale))) as image:
        gray = image.convert("L")
        side = (len(expected) + 2 * QR_BORDER) * scale
        assert gray.size == (side, side)
        read = [
            [
                int(gray.getpixel(((QR_BORDER + c) * scale + 5, (QR_BORDER + r) * scale + 5)) < 128)  # type: ignore[operator]
                for c in range(len(expected))
            ]
            for r in range(len(expected))
        ]
    assert read == expected


def test_qr_svg_is_an_svg_titled_with_the_url() -> None:
    root = ET.fromstring(qr_svg(URL))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text == URL
    assert root.find("{http://www.w3.org/2000/svg}path") is not None


def test_text_outside_latin1_is_replaced_not_fatal() -> None:
    pdf = poster(subtitle="Asimilasi → Bebas “bersyarat”", instructions=["Langkah…"])
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert '"bersyarat"' in text and "Langkah..." in text


@pytest.mark.parametrize(
    "bad", ["ftp://x.example/f", "layanan.example.go.id", "javascript:alert(1)"]
)
def test_poster_needs_an_http_url(bad: str) -> None:
    with pytest.raises(ValueError, match="http"):
        poster(bad)


def test_cli_writes_pdf_png_and_svg(tmp_path: Path) -> None:
    target = tmp_path / "poster.pdf"
    result = CliRunner().invoke(app, ["poster", "--url", URL, "-o", str(target)])

    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "poster.png").read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in (tmp_path / "poster.svg").read_bytes()
    text = PdfReader(target).pages[0].extract_text()
    assert "Layanan ini tidak dipungut biaya." in text and "2 MB" in text


def test_cli_refuses_a_bad_url_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["poster", "--url", "not a url", "-o", str(tmp_path / "p.pdf")]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["error: not an http(s) URL: 'not a url'"]
    assert not (tmp_path / "p.pdf").exists()
