"""Pinned snapshots: a format version and a migration table; old snapshots keep their hash."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from process_definitions import model as m
from process_definitions import snapshots
from process_definitions.loader import DefinitionErrors, load_definition

REPO = Path(__file__).resolve().parents[2]
FROZEN = sorted((REPO / "tests" / "fixtures" / "snapshots").glob("*_v0.json"))


def frozen(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    snapshots.clear_cache()
    yield
    snapshots.clear_cache()


def test_there_are_frozen_snapshots_of_format_0() -> None:
    assert len(FROZEN) == 2
    assert all("format" not in frozen(path) for path in FROZEN)


@pytest.mark.parametrize("path", FROZEN, ids=[p.stem for p in FROZEN])
def test_format_0_snapshots_load_with_their_original_hash(path: Path) -> None:
    stored = frozen(path)
    loaded = snapshots.from_snapshot(stored)
    assert loaded.content_hash == stored["hash"]
    assert loaded.definition.id == stored["definition"]["id"]
    assert loaded.templates == stored["templates"]
    assert loaded.conditions  # gateways compiled


def test_a_field_added_with_a_default_keeps_old_snapshots_loading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Extended(m.ProcessDefinition):
        service_hours: str = "Senin-Jumat 08.00-16.00"

    monkeypatch.setattr(m, "ProcessDefinition", Extended)
    for path in FROZEN:
        stored = frozen(path)
        loaded = snapshots.from_snapshot(stored)
        assert isinstance(loaded.definition, Extended)
        assert loaded.definition.service_hours == "Senin-Jumat 08.00-16.00"
        assert loaded.content_hash == stored["hash"]


def test_new_snapshots_carry_the_format_and_round_trip() -> None:
    loaded = load_definition(REPO / "process_definitions/layanan_informasi_integrasi/process.yaml")
    snapshot = json.loads(json.dumps(snapshots.to_snapshot(loaded)))
    assert snapshot["format"] == snapshots.SNAPSHOT_FORMAT
    again = snapshots.from_snapshot(snapshot)
    assert again.content_hash == loaded.content_hash
    assert again.definition == loaded.definition


def test_every_format_below_the_current_one_has_a_migration() -> None:
    assert set(snapshots.MIGRATIONS) == set(range(snapshots.SNAPSHOT_FORMAT))


def test_a_tampered_or_future_snapshot_is_refused() -> None:
    stored = frozen(FROZEN[0])
    tampered = {**stored, "templates": {**stored["templates"], "x/whatsapp.txt.j2": "x"}}
    with pytest.raises(DefinitionErrors, match="does not match its hash"):
        snapshots.from_snapshot(tampered)
    future = {**stored, "format": snapshots.SNAPSHOT_FORMAT + 1}
    with pytest.raises(DefinitionErrors, match="newer than this software"):
        snapshots.from_snapshot(future)


def test_a_case_pinned_before_the_move_still_renders_its_own_templates(tmp_path: Path) -> None:
    """A format-0 integrasi case reaching its notify step after the upgrade: today's action
    (under the name it pinned) drafts, today's context builder fills its pinned templates."""
    from adapters.notify.templates import render_message
    from adapters.sdp.directory import SdpRecord
    from adapters.sdp.fake import FakeSdpDirectory
    from adapters.service_actions import build_registry
    from process_definitions.actions import ActionContext
    from process_definitions.message_variables import declared_values, standard_values

    stored = frozen(REPO / "tests/fixtures/snapshots/layanan_informasi_integrasi_v0.json")
    pinned = snapshots.from_snapshot(stored)
    drafting = pinned.definition.step("susun_jawaban")
    assert isinstance(drafting, m.ServiceStep) and drafting.action == "sdp.draft_integrasi_answer"
    record = SdpRecord.model_validate(
        {
            "no_registrasi": "B.I 1/2024",
            "nama": "Contoh Fiktif",
            "tanggal_mulai_ditahan": "2024-01-01",
            "lama_pidana": "3 tahun",
            "remisi": "1 bulan",
        }
    )
    result = build_registry(REPO / "process_definitions").run(
        drafting.action,
        ActionContext(
            params={"match": "K1", "question": "asimilasi"},
            variables={"candidates": [{"key": "K1", "no_registrasi": "B.I 1/2024"}]},
            sdp=FakeSdpDirectory([record]),
            today=date(2026, 12, 2),
        ),
    )
    notify = pinned.definition.step("kirim_informasi")
    assert isinstance(notify, m.NotifyStep)
    context = {
        **standard_values(
            pinned.definition,
            reference="LII-2026-000001",
            today=date(2026, 12, 3),
            complaint_contact="loket pengaduan",
            office_contact=None,
            ask_again_url=None,
        ),
        **declared_values(notify.context, {"nama_pemohon": "Siti", **result.outputs}),
    }
    for name, text in pinned.templates.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    for channel in notify.channels:
        message = render_message(tmp_path, notify.template, channel, context)
        assert "LII-2026-000001" in message.text and "Asimilasi" in message.text
