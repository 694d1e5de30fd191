"""The SOP's message templates render in Bahasa Indonesia with what the applicant needs."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from adapters.notify.errors import MessageTooLongError, TemplateError
from adapters.notify.templates import FILTERS, missing_template_files, render_message, tanggal
from process_definitions.message_variables import MESSAGE_FILTERS
from tests.support.messages import INTEGRASI_TEMPLATES as TEMPLATES
from tests.support.messages import message_context as context
from tests.support.messages import programme_line

NIK = "3604015508900001"


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
def test_answer_lists_each_programme_line(channel: str) -> None:
    text = render_message(TEMPLATES, "informasi_integrasi", channel, context()).text
    assert "- Asimilasi: perkiraan paling awal 1 Mei 2026" in text
    assert "- Pembebasan Bersyarat: belum dapat diperkirakan: remisi tidak tercatat" in text
    assert "Asimilasi: Sidang Tim Pengamat Pemasyarakatan (TPP) di Lapas/Rutan" in text
    assert "per 2 Maret 2026" in text


def test_answer_without_stage_and_with_an_operator_note() -> None:
    text = render_message(
        TEMPLATES,
        "informasi_integrasi",
        "email",
        context(current_stage=None, operator_note="Berkas jaminan sudah kami terima."),
    ).text
    assert "Usulan program integrasi: belum ada usulan yang tercatat" in text
    assert "Catatan petugas: Berkas jaminan sudah kami terima." in text


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
    many = [programme_line("Program " + "x" * 200, "perkiraan") for _ in range(30)]
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


def test_dates_read_in_indonesian() -> None:
    assert tanggal(date(2026, 8, 17)) == "17 Agustus 2026"
    assert tanggal("2026-08-17") == "17 Agustus 2026"
    assert tanggal(None) == "belum dapat diperkirakan"


def test_the_renderer_has_the_filters_the_loader_allows() -> None:
    assert set(FILTERS) == set(MESSAGE_FILTERS)


@pytest.mark.parametrize("template_id", ["tidak_ditemukan", "informasi_integrasi"])
@pytest.mark.parametrize("channel", ["email", "whatsapp"])
def test_a_last_message_offers_the_survey_only_with_a_link(template_id: str, channel: str) -> None:
    link = "https://layanan.example.go.id/survei/abc123"
    offered = render_message(
        TEMPLATES, template_id, channel, context(survey_url=link), max_length=4096
    )
    assert link in offered.text and "survei kepuasan" in offered.text
    plain = render_message(TEMPLATES, template_id, channel, context(), max_length=4096)
    assert "survei" not in plain.text.lower()
