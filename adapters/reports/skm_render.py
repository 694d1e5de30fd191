"""The SKM report as HTML (Jinja2, autoescaped), JSON, CSV (formula-safe) or A4 PDF (fpdf2).

Suggestions are the public's free text: HTML escapes them, CSV defuses spreadsheet formulas,
the PDF writes them as plain Latin-1 text.
"""

from __future__ import annotations

import csv
import io
from typing import Literal

from jinja2 import Environment, PackageLoader, select_autoescape

from adapters.reports.errors import ReportError
from adapters.reports.pdf_text import new_pdf, plain
from adapters.reports.skm import SkmReport

SkmFormat = Literal["html", "pdf", "json", "csv"]
SKM_FORMATS: tuple[SkmFormat, ...] = ("html", "pdf", "json", "csv")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")

_env = Environment(
    loader=PackageLoader("adapters.reports", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def number(value: float | None, digits: int = 2) -> str:
    """Indonesian decimal comma: 3.456 -> "3,456"; None -> "-"."""
    return "-" if value is None else f"{value:.{digits}f}".replace(".", ",")


_env.filters["number"] = number


def safe_cell(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (OWASP CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_skm_html(report: SkmReport) -> str:
    return _env.get_template("skm.html.j2").render(report=report)


def render_skm_json(report: SkmReport) -> str:
    return report.model_dump_json(indent=2)


def render_skm_csv(report: SkmReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["bagian", "kunci", "nama", "nilai"])
    for row in report.unsur:
        writer.writerow(["nrr", row.key, row.name, "" if row.nrr is None else row.nrr])
    writer.writerow(["ikm", "", "IKM", "" if report.ikm is None else report.ikm])
    writer.writerow(["mutu", "", report.kinerja or "", report.mutu or ""])
    writer.writerow(["responden", "", "Responden", report.respondents])
    writer.writerow(["sampel", "", "Sampel minimal", report.required_sample])
    for item in report.suggestions:
        writer.writerow(["saran", item.answered_on.isoformat(), "", safe_cell(item.text)])
    return out.getvalue()


def render_skm_pdf(report: SkmReport) -> bytes:
    pdf = new_pdf(
        title=f"SKM {_period(report)}", created=report.generated_at, orientation="portrait"
    )
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=13)
    pdf.multi_cell(
        0, 6, plain(f"Survei Kepuasan Masyarakat: {_period(report)}"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 4.5, plain(_summary(report)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    with pdf.table(col_widths=(12, 96, 22, 22, 28), text_align="LEFT", line_height=4.5) as table:
        head = table.row()
        for title in ("No", "Unsur pelayanan", "Jawaban", "NRR", "NRR x 0,111"):
            head.cell(title)
        for i, row in enumerate(report.unsur, start=1):
            cells = table.row()
            for value in (
                f"U{i}",
                row.name,
                str(row.answers),
                number(row.nrr, 3),
                number(row.weighted, 4),
            ):
                cells.cell(plain(value))
    pdf.ln(3)
    pdf.set_font("Helvetica", style="B", size=10)
    pdf.multi_cell(0, 5, plain(_headline(report)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.ln(2)
    pdf.set_font("Helvetica", style="B", size=10)
    pdf.multi_cell(0, 5, "Saran dan masukan", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    if not report.suggestions:
        pdf.multi_cell(0, 4.5, "Tidak ada saran.", new_x="LMARGIN", new_y="NEXT")
    for item in report.suggestions:
        text = f"{item.answered_on.isoformat()}: {item.text}"
        pdf.multi_cell(0, 4.5, plain(text), new_x="LMARGIN", new_y="NEXT", markdown=False)
    return bytes(pdf.output())


def _period(report: SkmReport) -> str:
    if report.period_first == report.period_last:
        return report.period_first.isoformat()
    return f"{report.period_first.isoformat()} s.d. {report.period_last.isoformat()}"


def _summary(report: SkmReport) -> str:
    scope = f"layanan {report.definition_id}" if report.definition_id else "semua layanan"
    return (
        f"Pedoman: PermenPAN-RB Nomor 14 Tahun 2017. Cakupan: {scope}. "
        f"Responden {report.respondents} dari {report.cases} permohonan pada periode ini; "
        f"sampel minimal menurut tabel Krejcie-Morgan: {report.required_sample}."
    )


def _headline(report: SkmReport) -> str:
    if report.ikm is None:
        return "Belum ada jawaban survei pada periode ini."
    return (
        f"IKM {number(report.ikm)} - mutu pelayanan {report.mutu}, "
        f"kinerja unit pelayanan {report.kinerja}"
    )


def render_skm(report: SkmReport, fmt: str) -> bytes:
    if fmt == "html":
        return render_skm_html(report).encode("utf-8")
    if fmt == "json":
        return render_skm_json(report).encode("utf-8")
    if fmt == "csv":
        return render_skm_csv(report).encode("utf-8")
    if fmt == "pdf":
        return render_skm_pdf(report)
    raise ReportError(f"unknown report format {fmt!r}; choose one of {', '.join(SKM_FORMATS)}")


_env.globals.update(summary=_summary, headline=_headline, period=_period)
