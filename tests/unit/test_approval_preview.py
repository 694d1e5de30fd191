"""The approval form shows the messages as they will be sent, with names hidden."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest

from adapters.notify.channels import default_channel_config
from process_definitions import model as m
from process_definitions.loader import load_definition
from tasks.approval_preview import HIDDEN, masked_view, preview_markdown, render_preview
from tasks.case_view import CaseView
from tasks.notify_step import render_step_messages
from tasks.services import CaseServices
from tests.support.messages import programme_line

SOP = load_definition(
    Path(__file__).resolve().parents[2]
    / "process_definitions"
    / "layanan_informasi_integrasi"
    / "process.yaml"
)
APPROVAL = SOP.definition.step("setujui_jawaban")
SEND = SOP.definition.step("kirim_informasi")
APPLICANT, PRISONER = "Dewi Lestari Pratinjau", "Andi bin Ali Pratinjau"


def _view() -> CaseView:
    return CaseView(
        case_id="case-1",
        reference="LII-2026-000042",
        status="waiting",
        current_step="setujui_jawaban",
        finished=False,
        outcome=None,
        form_data={"nama_pemohon": APPLICANT, "informasi_dibutuhkan": "pembebasan_bersyarat"},
        variables={
            "keputusan": "K1",
            "draft": {
                "prisoner_name": PRISONER,
                "upt_name": "Lapas Kelas IIA Serang",
                "as_of": "2026-12-03",
                "asked": "Pembebasan Bersyarat",
                "current_stage": "Pembebasan Bersyarat: Litmas oleh Bapas",
                "programmes": [
                    programme_line("Pembebasan Bersyarat", "perkiraan paling awal 1 Maret 2027"),
                    programme_line("Cuti Bersyarat", "belum dapat diperkirakan", "Syarat X"),
                ],
                "notes": [],
            },
        },
        loaded=SOP,
    )


@pytest.fixture
def services(tmp_path: Path) -> CaseServices:
    fixed = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    return CaseServices(
        engine=cast(Any, None),
        sdp=cast(Any, None),
        notifier=cast(Any, None),
        channels=default_channel_config(),
        roster=cast(Any, None),
        links=cast(Any, None),
        clock=lambda: fixed,
        templates_cache=tmp_path / "templates",
        public_form_url="http://127.0.0.1:8000",
    )


def test_the_preview_is_the_sent_message_with_only_the_names_hidden(
    services: CaseServices,
) -> None:
    assert isinstance(APPROVAL, m.UserTaskStep) and isinstance(SEND, m.NotifyStep)
    preview = render_preview(_view(), APPROVAL, services)
    assert preview is not None and set(preview.masked) == {"email", "whatsapp"}
    # what the notify step would send, but for the one-time survey link it makes when it sends
    sent = render_step_messages(_view(), SEND, services, preview=True)
    assert preview.full == sent
    for channel, message in preview.masked.items():
        full = sent[channel]
        assert APPLICANT not in message.text and PRISONER not in message.text
        assert HIDDEN in message.text
        # Put the names back and it is exactly what is sent: nothing else differs.
        assert full.text.count(APPLICANT) + full.text.count(PRISONER) >= 1
        restored = full.text.replace(APPLICANT, HIDDEN).replace(PRISONER, HIDDEN)
        assert message.text == restored
        assert "Lapas Kelas IIA Serang" in message.text  # listed under `show`: kept


def test_the_markdown_quotes_each_channel_verbatim(services: CaseServices) -> None:
    assert isinstance(APPROVAL, m.UserTaskStep)
    preview = render_preview(_view(), APPROVAL, services)
    assert preview is not None
    text = "\n".join(preview_markdown(preview))
    assert "**Email**" in text and "**WhatsApp**" in text and "Subjek: " in text
    assert text.count("~~~") >= 4  # one fenced block per channel
    assert APPLICANT not in text and PRISONER not in text


def test_masking_leaves_the_case_view_untouched() -> None:
    assert isinstance(SEND, m.NotifyStep)
    view = _view()
    masked = masked_view(view, SEND, ["upt_name"])
    assert masked.form_data["nama_pemohon"] == HIDDEN
    assert masked.variables["draft"]["prisoner_name"] == HIDDEN
    assert masked.variables["draft"]["programmes"] is None  # not listed: a list is dropped
    assert view.variables["draft"]["prisoner_name"] == PRISONER
