"""Prefect's crash detection as `sopflow deploy` sets it up, on a real Prefect server: a run its
worker abandoned is scheduled again, including right after an operator's resume."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.states import Paused, Pending, Running, Suspended

from adapters.prefect.deploy import _create_lost_run_automation
from tests.support.prefect_server import prefect_on_postgres

WINDOW = timedelta(seconds=10)  # the automation's 90 s, as short as Prefect allows


@pytest.fixture
def prefect_api(tmp_path: Path) -> Iterator[str]:
    with prefect_on_postgres("sopflow_lost_runs", tmp_path / "prefect") as url:
        yield url


async def _abandoned(*, briefly_paused: bool) -> str:
    """A run of a sopflow deployment whose worker died at once after it claimed the run
    (Pending) right after an operator's resume, or after the run paused briefly in process to
    wait for an answer; the state it is in a while later."""
    async with get_client() as client:
        await _create_lost_run_automation(within=WINDOW)
        flow_id = await client.create_flow_from_name("lost-run-probe")
        deployment_id = await client.create_deployment(
            flow_id=flow_id, name="probe", entrypoint="probe.py:probe", tags=["sopflow"]
        )
        run = await client.create_flow_run_from_deployment(deployment_id)
        await client.set_flow_run_state(run.id, Pending())
        await client.set_flow_run_state(run.id, Running())
        if briefly_paused:  # the worker dies here
            await client.set_flow_run_state(
                run.id, Paused(timeout_seconds=3600, reschedule=False, pause_key="k1-live")
            )
        else:
            await client.set_flow_run_state(run.id, Suspended(timeout_seconds=3600, pause_key="k1"))
            await client.resume_flow_run(run.id)
            await client.set_flow_run_state(run.id, Pending())  # claimed; the worker dies here
        left_in = (await client.read_flow_run(run.id)).state
        assert left_in is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = (await client.read_flow_run(run.id)).state
            assert state is not None
            if state.type != left_in.type:
                return str(state.name)
            await asyncio.sleep(1)
        return f"still {left_in.name}"


def test_a_run_abandoned_right_after_a_resume_is_scheduled_again(prefect_api: str) -> None:
    """The resume came within the window the run's last Running opened (an operator who answers
    quickly). With Pending only a start of the window, not also an expected event, it joined
    that window, which its suspension had already satisfied: the run stayed Pending for good."""
    assert asyncio.run(_abandoned(briefly_paused=False)) == "Rescheduled"


def test_a_run_abandoned_in_its_brief_pause_is_scheduled_again(prefect_api: str) -> None:
    """A brief in-process pause holds its worker: Paused (a suspension is Suspended) starts a
    window as Running does. As a settled event, the run stayed Paused until its pause timed
    out."""
    assert asyncio.run(_abandoned(briefly_paused=True)) == "Rescheduled"
