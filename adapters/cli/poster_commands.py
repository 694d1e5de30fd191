"""`sopflow poster`: the A4 QR poster for the service counter, with the QR as PNG and SVG."""

from __future__ import annotations

from pathlib import Path

import typer

from adapters.intake.poster import build_poster_pdf, check_url, qr_png, qr_svg

# Defaults for the first SOP (Layanan Informasi Integrasi) until they come from the definition.
DEFAULT_TITLE = "Layanan Informasi Integrasi"
DEFAULT_SUBTITLE = "Asimilasi - Pembebasan Bersyarat - Cuti Menjelang Bebas - Cuti Bersyarat"
DEFAULT_OFFICE = "Kantor Wilayah Banten"
DEFAULT_AUDIENCE = (
    "Untuk keluarga atau pengacara narapidana/anak pidana yang sedang dalam proses integrasi."
)
DEFAULT_INSTRUCTIONS = [
    "Pindai kode QR dengan ponsel Android yang memiliki pemindai QR, atau buka tautan di atas "
    "dari ponsel atau komputer yang terhubung internet.",
    "Isi formulir biodata (sekitar 10 menit).",
    "Unggah foto KTP dalam format JPG atau PDF, maksimal 2 MB.",
    "Petugas memeriksa data di Sistem Database Pemasyarakatan (SDP).",
    "Jawaban dikirim melalui email dan nomor WhatsApp aktif Anda.",
]
DEFAULT_FOOTER = "Layanan ini tidak dipungut biaya."


def poster(
    url: str = typer.Option(..., "--url", help="Address of the public form (http or https)."),
    output: Path = typer.Option(
        Path("poster.pdf"), "-o", "--output", help="PDF to write; <stem>.png and .svg beside it."
    ),
    title: str = typer.Option(DEFAULT_TITLE, help="Service name, the poster's headline."),
    subtitle: str = typer.Option(DEFAULT_SUBTITLE, help="Line under the title."),
    office: str = typer.Option(DEFAULT_OFFICE, help="Office name at the top."),
) -> None:
    """Write the A4 QR poster (PDF) and the QR code as PNG and SVG."""
    try:
        check_url(url)
        pdf = build_poster_pdf(
            url=url,
            title=title,
            subtitle=subtitle,
            instructions=DEFAULT_INSTRUCTIONS,
            office=office,
            audience=DEFAULT_AUDIENCE,
            footer=DEFAULT_FOOTER,
        )
        written = {
            output: pdf,
            output.with_suffix(".png"): qr_png(url),
            output.with_suffix(".svg"): qr_svg(url),
        }
        for path, data in written.items():
            path.write_bytes(data)
    except (ValueError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    for path in written:
        typer.echo(f"wrote {path}")
