"""A long-lived runner that executes the sopflow deployments' flow runs in its own process.

Prefect's `serve()` and workers start a new Python process for every flow run and again for every
resume (~2-3 CPU-seconds each on this machine). Cases are short async flows that wait for people,
so this runner polls the API for scheduled runs of our deployments, claims each one (Pending, as
workers do) and runs it as an asyncio task in this process. A suspended case holds nothing: when
an operator resumes it in the UI, the run is scheduled again and picked up here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from prefect import Flow, get_client
from prefect.client.schemas.objects import FlowRun
from prefect.exceptions import Abort
from prefect.flow_engine import run_flow
from prefect.states import Pending
from prefect.utilities.engine import propose_state

logger = logging.getLogger("sopflow.runner")


class CaseRunner:
    def __init__(
        self,
        flows: Mapping[UUID, Flow[..., Any]],
        *,
        limit: int = 64,
        poll_interval: float = 0.5,
    ) -> None:
        """`flows` maps deployment ids to the flow object each deployment runs."""
        self.flows = dict(flows)
        self.limit = limit
        self.poll_interval = poll_interval
        self._active: dict[UUID, asyncio.Task[None]] = {}
        self._stopping = asyncio.Event()
        self.completed = 0

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        async with get_client() as client:
            while not self._stopping.is_set():
                try:
                    await self._poll(client)
                except Exception:  # the API being briefly down must not end the runner
                    logger.exception("poll failed; retrying")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=self.poll_interval)
        if self._active:
            await asyncio.gather(*self._active.values(), return_exceptions=True)

    async def run_once(self) -> int:
        """Poll once and wait for what was started (tests, benchmarks)."""
        async with get_client() as client:
            started = await self._poll(client)
        if self._active:
            await asyncio.gather(*self._active.values(), return_exceptions=True)
        return started

    async def _poll(self, client: Any) -> int:
        free = self.limit - len(self._active)
        if free <= 0:
            return 0
        runs: list[FlowRun] = await client.get_scheduled_flow_runs_for_deployments(
            deployment_ids=list(self.flows),
            scheduled_before=datetime.now(UTC) + timedelta(seconds=1),
            limit=free,
        )
        started = 0
        for flow_run in runs:
            if flow_run.id in self._active or flow_run.deployment_id not in self.flows:
                continue
            if not await self._claim(client, flow_run):
                continue
            task = asyncio.create_task(self._execute(flow_run))
            self._active[flow_run.id] = task
            task.add_done_callback(self._forget(flow_run.id))
            started += 1
        return started

    def _forget(self, run_id: UUID) -> Any:
        def done(_task: asyncio.Task[None]) -> None:
            self._active.pop(run_id, None)

        return done

    async def _claim(self, client: Any, flow_run: FlowRun) -> bool:
        try:
            state = await propose_state(client, Pending(), flow_run_id=flow_run.id)
        except Abort:
            return False  # another runner or worker took it
        return bool(state.is_pending())

    async def _execute(self, flow_run: FlowRun) -> None:
        assert flow_run.deployment_id is not None
        flow = self.flows[flow_run.deployment_id]
        try:
            await run_flow(flow, flow_run=flow_run, return_type="state")  # type: ignore[misc]
        except Exception:
            logger.exception("flow run %s ended with an engine error", flow_run.id)
        finally:
            self.completed += 1


async def resolve_deployments(names: Mapping[str, Flow[..., Any]]) -> dict[UUID, Flow[..., Any]]:
    """`{"run-case/run-case": run_case, ...}` -> deployment id -> flow."""
    async with get_client() as client:
        resolved = {}
        for name, flow in names.items():
            deployment = await client.read_deployment_by_name(name)
            resolved[deployment.id] = flow
        return resolved


async def recover_interrupted(deployment_ids: list[UUID]) -> int:
    """Reschedule runs of our deployments left Running/Pending by a runner that died.

    Safe because a case flow re-run continues where the case stands. Assumes one runner per set
    of deployments (several runners need Prefect's heartbeat-based crash detection instead).
    """
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Scheduled

    async with get_client() as client:
        runs = await client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(
                    type=FlowRunFilterStateType(any_=[StateType.RUNNING, StateType.PENDING])
                )
            ),
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=deployment_ids)),
        )
        for flow_run in runs:
            await client.set_flow_run_state(
                flow_run.id, Scheduled(message="rescheduled after a runner stopped"), force=True
            )
        return len(runs)
