"""The SOP's message templates render in Bahasa Indonesia with what the applicant needs."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from adapters.notify.errors import MessageTooLongError, TemplateError
from adapters.notify.templates import (
    MessageContext,
    ProgrammeLine,
    missing_template_files,
    render_message,
    tanggal,
)

TEMPLATES = (
    Path(__file__).resolve().parents[2]
    / "process_definitions"
    / "layanan_informasi_integrasi"
    / "templates"
)
NIK = "3604015508900001"


def context(**overrides: object) -> MessageContext:
    values: dict[str, object] = {
        "reference": "LII-2026-000123",
        "applicant_name": "Siti Aminah",
        "office_name": "Kantor Wilayah Banten",
        "sop_number": "W12.87.HH.05.04.2021",
        "information_date": date(2026, 3, 2),
        "prisoner_name": "Ahmad bin Yusuf",
        "upt_name": "Lapas Kelas IIA Serang",
        "programmes": (
            ProgrammeLine(name="Asimilasi", estimated_date=date(2026, 5, 1), conditions="6 bulan"),
            ProgrammeLine(name="Pembebasan Bersyarat", estimated_date=None),
        ),
        "current_stage": "SIDANG_TPP_UPT",
        "ask_again_url": "https://layanan.example.go.id/integrasi",
        "complaint_contact": "pengaduan@kanwil.example.go.id",
    }
    values.update(overrides)
    return MessageContext.model_validate(values)


@pytest.mark.parametrize("template_id", ["tidak_ditemukan", "informasi_integrasi"])
@pytest.mark.parametrize("channel", ["email", "whatsapp"])
def test_every_message_carries_reference_guarantee_and_complaint(
    template_id: str, channel: str
) -> None:
    message = render_message(TEMPLATES, template_id, channel, context(), max_length=4096)
    for part in filter(None, [message.text, message.html]):
        assert "LII-2026-000123" in part
        assert "tidak dipungut biaya" in part
        assert "pengaduan@kanwil.example.go.id" in part
        assert "https://layanan.example.go.id/integrasi" in part
        assert "Siti Aminah" in part
        assert NIK not in part
        assert "KTP" not in part
    if channel == "email":
        assert message.subject is not None
        assert "LII-2026-000123" in message.subject
        assert "\n" not in message.subject
        assert message.html is not None and message.html.startswith("<!DOCTYPE html>")
    else:
        assert message.subject is None
        assert message.html is None
        assert len(message.text) <= 4096


def test_not_found_notice_says_not_in_sdp() -> None:
    text = render_message(TEMPLATES, "tidak_ditemukan", "whatsapp", context()).text
    assert "tidak ditemukan" in text
    assert "Sistem Database Pemasyarakatan (SDP)" in text


@pytest.mark.parametrize("channel", ["email", "whatsapp"])
def test_answer_lists_programmes_as_estimates(channel: str) -> None:
    text = render_message(TEMPLATES, "informasi_integrasi", channel, context()).text
    assert "Asimilasi: perkiraan 1 Mei 2026" in text
    assert "Pembebasan Bersyarat: belum dapat diperkirakan" in text
    assert "Sidang Tim Pengamat Pemasyarakatan (TPP) di UPT" in text
    assert "perkiraan" in text.lower()


def test_answer_without_programmes_or_stage() -> None:
    text = render_message(
        TEMPLATES, "informasi_integrasi", "email", context(programmes=(), current_stage=None)
    ).text
    assert "Belum ada program integrasi yang dapat diperkirakan" in text
    assert "belum ada usulan program integrasi yang sedang diproses" in text


def test_html_is_autoescaped_text_is_not() -> None:
    message = render_message(
        TEMPLATES, "tidak_ditemukan", "email", context(applicant_name="<script>x</script> & Co")
    )
    assert message.html is not None
    assert "<script>" not in message.html
    assert "&lt;script&gt;x&lt;/script&gt; &amp; Co" in message.html
    assert "<script>x</script> & Co" in message.text


def test_text_has_no_template_debris() -> None:
    message = render_message(TEMPLATES, "informasi_integrasi", "email", context())
    assert "{{" not in message.text and "{%" not in message.text
    assert not re.search(r"\n{3,}", message.text)
    assert all(line == line.rstrip() for line in message.text.splitlines())


def test_whatsapp_limit_fails_clearly() -> None:
    many = tuple(ProgrammeLine(name="Program " + "x" * 200) for _ in range(30))
    with pytest.raises(MessageTooLongError, match=r"allows 4096"):
        render_message(
            TEMPLATES, "informasi_integrasi", "whatsapp", context(programmes=many), max_length=4096
        )


def test_missing_files_and_unknown_template(tmp_path: Path) -> None:
    assert missing_template_files(TEMPLATES, "tidak_ditemukan", ["email", "whatsapp"]) == []
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "email.txt.j2").write_text("x")
    assert missing_template_files(tmp_path, "t", ["email", "whatsapp"]) == [
        "t/email.subject.j2",
        "t/email.html.j2",
        "t/whatsapp.txt.j2",
    ]
    with pytest.raises(TemplateError, match="does not exist"):
        render_message(tmp_path, "t", "whatsapp", context())


def test_undefined_variable_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "whatsapp.txt.j2").write_text("Halo {{ nik }}")
    with pytest.raises(TemplateError, match="nik"):
        render_message(tmp_path, "t", "whatsapp", context())


def test_context_refuses_unknown_fields_and_dates_read_in_indonesian() -> None:
    with pytest.raises(ValueError, match="nik"):
        context(nik=NIK)
    assert tanggal(date(2026, 8, 17)) == "17 Agustus 2026"
    assert tanggal(None) == "belum dapat diperkirakan"
