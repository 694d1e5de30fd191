"""The brief in-process pause before a suspension, on a real Prefect server (PostgreSQL): an
answer that comes in time continues the run; without one the run closes the pause itself, and
exactly one of the two (the operator's answer, the run's "no answer") is ever stored."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any, Literal, cast
from uuid import UUID

import httpx
import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import State
from prefect.context import FlowRunContext
from prefect.input import RunInput
from prefect.input.run_input import keyset_from_paused_state
from prefect.settings import PREFECT_API_URL
from prefect.states import Paused, Running

from adapters.prefect import brief_pause
from adapters.prefect.brief_pause import NO_ANSWER, answer_in_process, brief_key
from tests.support.prefect_server import prefect_on_postgres

pytestmark = pytest.mark.integration


class Answer(RunInput):
    keputusan: Literal["setuju", "tolak"]


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with prefect_on_postgres("sopflow_brief_pause", tmp_path_factory.mktemp("prefect")) as url:
        yield url


@flow(name="brief-pause-probe", persist_result=False)
async def probe(key: str, grace: float, poll: float) -> dict[str, Any]:
    context = FlowRunContext.get()
    assert context is not None and context.flow_run is not None
    form = Answer.with_initial_data(description="Keputusan uji")
    given = await answer_in_process(form, key=key, grace=grace, poll=poll)
    async with get_client() as client:
        state = (await client.read_flow_run(context.flow_run.id)).state
    return {"given": given, "state": state.type.value if state else None}


@flow(name="brief-pause-idle", persist_result=False)
async def idle() -> None:
    """Never run: its runs are driven through the API."""


async def _run_probe(grace: float, poll: float, act: Any = None) -> tuple[dict[str, Any], str]:
    """Run the probe flow; `act(api, run_id)` runs once the run waits with its form saved."""
    runs: list[str] = []

    async def watch() -> None:
        async with httpx.AsyncClient(base_url=str(PREFECT_API_URL.value()), timeout=10) as api:
            while True:
                found = (
                    await api.post(
                        "/flow_runs/filter",
                        json={"flow_runs": {"name": {"any_": [name]}}, "limit": 1},
                    )
                ).json()
                if found and found[0]["state"]["type"] == "PAUSED":
                    keyset = found[0]["state"]["state_details"]["run_input_keyset"]
                    schema = await api.get(f"/flow_runs/{found[0]['id']}/input/{keyset['schema']}")
                    if schema.status_code == 200:
                        runs.append(found[0]["id"])
                        if act is not None:
                            await act(api, found[0]["id"])
                        return
                await asyncio.sleep(0.05)

    name = f"probe-{time.monotonic_ns()}"
    watcher = asyncio.create_task(watch())
    result = await probe.with_options(flow_run_name=name)(key="periksa-1-0", grace=grace, poll=poll)
    await asyncio.wait_for(watcher, 10)
    return result, runs[0]


async def _inputs(api_url: str, run_id: str) -> dict[str, Any]:
    async with get_client() as client:
        found = await client.filter_flow_run_input(
            UUID(run_id), key_prefix="", limit=50, exclude_keys=set()
        )
    return {item.key: json.loads(item.value) for item in found}


async def _resume(api: httpx.AsyncClient, run_id: str, answer: dict[str, Any]) -> httpx.Response:
    return await api.post(f"/flow_runs/{run_id}/resume", json={"run_input": answer})


def test_an_answer_in_time_continues_the_same_execution(api_url: str) -> None:
    async def answer(api: httpx.AsyncClient, run_id: str) -> None:
        response = await _resume(api, run_id, {"keputusan": "setuju"})
        assert response.json()["status"] == "ACCEPT"

    result, run_id = asyncio.run(_run_probe(grace=20, poll=0.05, act=answer))
    assert result == {"given": {"keputusan": "setuju"}, "state": "RUNNING"}
    stored = asyncio.run(_inputs(api_url, run_id))
    assert stored[f"paused-{brief_key('periksa-1-0')}-response"] == {"keputusan": "setuju"}


def test_without_an_answer_the_run_closes_its_pause_and_a_late_answer_is_refused(
    api_url: str,
) -> None:
    began = time.monotonic()
    result, run_id = asyncio.run(_run_probe(grace=0.5, poll=0.05))
    assert result == {"given": None, "state": "RUNNING"}  # the caller suspends it next
    assert time.monotonic() - began < 15
    stored = asyncio.run(_inputs(api_url, run_id))
    assert stored[f"paused-{brief_key('periksa-1-0')}-response"] == NO_ANSWER

    async def late() -> httpx.Response:
        async with httpx.AsyncClient(base_url=api_url, timeout=10) as api:
            return await _resume(api, run_id, {"keputusan": "tolak"})

    assert asyncio.run(late()).json()["status"] == "ABORT"  # not paused any more
    assert (
        asyncio.run(_inputs(api_url, run_id))[f"paused-{brief_key('periksa-1-0')}-response"]
        == NO_ANSWER
    )


def test_an_answer_stored_as_the_pause_closes_wins(
    api_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The operator's resume lands after the run's last look and before it closes the pause:
    the run's "no answer" meets the stored answer and the run takes the answer."""
    looks: list[int] = []
    real = brief_pause._response

    async def blind_until_closing(client: Any, run_id: Any, keyset: Any) -> Any:
        looks.append(1)
        return None if len(looks) == 1 else await real(client, run_id, keyset)

    monkeypatch.setattr(brief_pause, "_response", blind_until_closing)

    async def answer(api: httpx.AsyncClient, run_id: str) -> None:
        response = await _resume(api, run_id, {"keputusan": "tolak"})
        assert response.json()["status"] == "ACCEPT"

    # poll > grace: one look, blind, after the answer was stored; then the closing write
    result, _ = asyncio.run(_run_probe(grace=1.0, poll=2.0, act=answer))
    assert result == {"given": {"keputusan": "tolak"}, "state": "RUNNING"}
    assert len(looks) == 2


def test_a_resume_after_the_run_closed_its_pause_changes_nothing(api_url: str) -> None:
    """What the closing relies on: Prefect stores the answer in the transaction that resumes
    the run, under a unique key. With the run's "no answer" stored first, a resume fails and
    the run stays paused, its response untouched."""

    async def scenario() -> tuple[httpx.Response, str, Any]:
        async with get_client() as client:
            created = await client.create_flow_run(idle, name="closing")
            await client.set_flow_run_state(created.id, Running())
            state: State[Any] = Paused(
                timeout_seconds=600, reschedule=False, pause_key=brief_key("k-0")
            )
            keyset = keyset_from_paused_state(state)
            state.state_details.run_input_keyset = cast(dict[str, str], keyset)
            await client.set_flow_run_state(created.id, state)
            await Answer.asave(keyset, flow_run_id=created.id)
            await client.create_flow_run_input(
                created.id, keyset["response"], json.dumps(NO_ANSWER)
            )
            async with httpx.AsyncClient(base_url=api_url, timeout=10) as api:
                response = await _resume(api, str(created.id), {"keputusan": "setuju"})
            after = (await client.read_flow_run(created.id)).state
            value = json.loads(await client.read_flow_run_input(created.id, keyset["response"]))
            return response, after.type.value if after else "", value

    response, state, value = asyncio.run(scenario())
    assert response.status_code >= 400 or response.json()["status"] != "ACCEPT"
    assert state == "PAUSED"
    assert value == NO_ANSWER
