"""The operators' work list: oldest deadline first, waited against the budget, a link per case."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest

from tasks import work_list
from tasks.work_list import REFRESH_DELAY, WaitingCase, WorkLists, artifact_key, lane_markdown

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # 15.00 WIB


def _case(reference: str, *, waited: timedelta, budget: timedelta | None) -> WaitingCase:
    return WaitingCase(
        reference=reference,
        lane="operator_divpas",
        lane_name="Operator Divpas",
        step_name="Petugas memverifikasi data pada SDP",
        waiting_since=NOW - waited,
        budget=budget,
        flow_run_id=f"run-{reference}",
    )


def test_rows_come_oldest_deadline_first_with_waited_and_budget_in_words() -> None:
    cases = [
        _case("LII-2026-000003", waited=timedelta(minutes=1), budget=timedelta(minutes=3)),
        _case("LII-2026-000001", waited=timedelta(seconds=30), budget=None),
        _case("LII-2026-000002", waited=timedelta(minutes=4), budget=timedelta(seconds=150)),
    ]
    text = lane_markdown("Operator Divpas", cases, now=NOW, ui_url="http://127.0.0.1:4200/")
    rows = [line for line in text.splitlines() if line.startswith("| LII-")]
    assert [row.split(" | ")[0] for row in rows] == [
        "| LII-2026-000002",  # deadline passed 1 min 30 s ago
        "| LII-2026-000003",  # 2 minutes left
        "| LII-2026-000001",  # no budget: last
    ]
    assert "4 menit / 2 menit 30 detik" in rows[0] and "**LEWAT BATAS** (14.58 WIB)" in rows[0]
    assert "1 menit / 3 menit" in rows[1] and "15.02 WIB" in rows[1] and "LEWAT" not in rows[1]
    # the V1 run page (no /v2): its Resume button opens the form, V2's sits under "⋮"
    assert "[Buka keputusan](http://127.0.0.1:4200/runs/flow-run/run-LII-2026-000002)" in rows[0]
    assert text.startswith("# Daftar kerja: Operator Divpas") and "**3** kasus" in text
    assert "tombol **Resume**" in text and "⋮" not in text  # from the run page to the form


def test_an_empty_lane_says_so() -> None:
    text = lane_markdown("Operator Integrasi", [], now=NOW, ui_url=None)
    assert "Tidak ada kasus yang menunggu" in text and "**0** kasus" in text


def test_artifact_keys_are_what_prefect_allows() -> None:
    assert artifact_key("operator_divpas") == "daftar-kerja-operator-divpas"


class CountingLists(WorkLists):
    """Counts refreshes instead of querying and publishing."""

    def __init__(self) -> None:
        super().__init__()
        self.refreshes = 0

    async def refresh(
        self, services: Any, *, force: bool = False, renew_links: bool = False
    ) -> list[str]:
        self.refreshes += 1
        return []


def test_changes_in_a_burst_are_published_once_while_the_runner_keeps_the_lists() -> None:
    async def scenario() -> tuple[int, int]:
        lists, stop = CountingLists(), asyncio.Event()
        publisher = asyncio.create_task(lists.keep_current(cast(Any, None), stop))
        await asyncio.sleep(0)  # the publisher is listening
        for _ in range(20):  # twenty cases start or stop waiting at once
            await lists.changed(cast(Any, None))
        await asyncio.sleep(REFRESH_DELAY * 1.5)
        burst = lists.refreshes
        await lists.changed(cast(Any, None))  # a later change is published too
        await asyncio.sleep(REFRESH_DELAY * 1.5)
        stop.set()
        publisher.cancel()
        return burst, lists.refreshes

    burst, total = asyncio.run(scenario())
    assert (burst, total) == (1, 2)


def test_without_the_runner_a_change_is_published_at_once() -> None:
    async def scenario() -> int:
        lists = CountingLists()
        await lists.changed(cast(Any, None))
        await lists.changed(cast(Any, None))
        return lists.refreshes

    assert asyncio.run(scenario()) == 2


def test_a_case_in_its_brief_pause_is_listed_only_once_it_waits_for_a_person(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    waiting = [_case("LII-2026-000001", waited=timedelta(0), budget=None)]
    published: list[str] = []

    async def publish(lane: str, markdown: str) -> None:
        published.append(markdown)

    monkeypatch.setattr(work_list, "waiting_cases", lambda services: waiting)
    monkeypatch.setattr(work_list, "publish", publish)
    clock = [NOW + timedelta(seconds=1)]  # in its brief pause: it may be decided at once
    services = SimpleNamespace(
        roster=SimpleNamespace(root={"operator_divpas": []}),
        clock=lambda: clock[0],
        decision_grace_seconds=3.0,
    )
    lists = WorkLists()
    asyncio.run(lists.refresh(cast(Any, services)))
    assert published and "LII-2026-000001" not in published[-1]
    clock[0] = NOW + timedelta(seconds=4)  # suspended: it waits for a person
    asyncio.run(lists.refresh(cast(Any, services)))
    assert "LII-2026-000001" in published[-1]
