"""`CaseWorker`: a Prefect worker that runs flow runs as asyncio tasks in its own process.

Prefect's process worker starts a Python process for every flow run and again for every resume
(about 2-3 CPU-seconds each here). Cases are short async flows that wait for people, so this
worker keeps everything Prefect's `BaseWorker` gives (it heartbeats its work pool, so the UI shows
it ready; it polls the pool's queues; it claims each run by proposing Pending, which the server
grants to one worker only; it honours cancellation) and replaces only the infrastructure: a
claimed run executes here with `run_flow`. A suspended case holds nothing: a resume schedules the
run again and any worker on the pool picks it up.

A worker that dies mid-run stops the run's heartbeats (PREFECT_FLOWS_HEARTBEAT_FREQUENCY); the
automation `sopflow deploy` creates reschedules such runs, and they continue where the case stands.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import anyio
from prefect import Flow
from prefect.client.schemas.objects import FlowRun
from prefect.exceptions import Pause
from prefect.flow_engine import run_flow
from prefect.flows import load_flow_from_entrypoint
from prefect.workers.base import BaseJobConfiguration, BaseVariables, BaseWorker, BaseWorkerResult

from adapters.prefect import log_levels

WORKER_TYPE = "sopflow-inprocess"
REPO_ROOT = Path(__file__).resolve().parents[2]

logger = logging.getLogger("sopflow.worker")


class CaseWorkerResult(BaseWorkerResult):
    """The flow ran here; its outcome is the run's own state."""


class CaseWorker(BaseWorker[BaseJobConfiguration, BaseVariables, CaseWorkerResult]):
    type = WORKER_TYPE
    job_configuration = BaseJobConfiguration
    job_configuration_variables = BaseVariables
    _description = "Runs sopflow flow runs as asyncio tasks inside the worker process."

    def __init__(
        self,
        work_pool_name: str,
        *,
        flows: dict[str, Flow[..., Any]] | None = None,
        root: Path = REPO_ROOT,
        on_run_done: Callable[[UUID], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """`flows` maps deployment entrypoints to flow objects already imported (tests);
        any other entrypoint is loaded from `root` once."""
        super().__init__(work_pool_name, **kwargs)
        log_levels.install()  # a suspension is how a case waits: not an error
        self._flows_by_entrypoint: dict[str, Flow[..., Any]] = dict(flows or {})
        self._flows_by_deployment: dict[UUID, Flow[..., Any]] = {}
        self._root = root
        self._running: dict[UUID, asyncio.Task[Any]] = {}
        self._on_run_done = on_run_done
        self.completed = 0

    async def _flow_for(self, flow_run: FlowRun) -> Flow[..., Any]:
        if flow_run.deployment_id is None:
            raise ValueError(f"flow run {flow_run.id} has no deployment")
        known = self._flows_by_deployment.get(flow_run.deployment_id)
        if known is not None:
            return known
        deployment = await self.client.read_deployment(flow_run.deployment_id)
        entrypoint = str(deployment.entrypoint)
        flow = self._flows_by_entrypoint.get(entrypoint)
        if flow is None:
            file, _, function = entrypoint.partition(":")
            path = Path(file) if Path(file).is_absolute() else self._root / file
            loaded: Flow[..., Any] = await asyncio.to_thread(
                load_flow_from_entrypoint, f"{path}:{function}"
            )
            self._flows_by_entrypoint[entrypoint] = flow = loaded
        self._flows_by_deployment[flow_run.deployment_id] = flow
        return flow

    async def _submit_scheduled_flow_runs(self, flow_run_response: list[Any]) -> list[FlowRun]:
        """As BaseWorker does, without two API log lines per run (every resume is a run)."""
        submitted: list[FlowRun] = []
        for flow_run in (entry.flow_run for entry in flow_run_response):
            if flow_run.id in self._submitting_flow_run_ids:
                continue
            try:
                if self._limiter:
                    self._limiter.acquire_on_behalf_of_nowait(flow_run.id)
            except anyio.WouldBlock:
                break
            except RuntimeError:  # already holding a slot for this run
                continue
            self._submitting_flow_run_ids.add(flow_run.id)
            if self._cancelling_observer is not None:
                self._cancelling_observer.add_in_flight_flow_run_id(flow_run.id)
            assert self._runs_task_group is not None
            self._runs_task_group.start_soon(self._submit_run, flow_run)
            submitted.append(flow_run)
        return submitted

    async def _propose_pending_state(self, flow_run: FlowRun) -> bool:
        """Claim a run, as BaseWorker does; a run that waits again is not ours to claim. Seen
        with two runners: one polls a resumed run, the other claims it and runs it to its next
        suspension, then the server answers the first one's claim with the Paused state, which
        Prefect raises as `Pause` (a BaseException BaseWorker does not catch: it ended the
        worker and cancelled its other runs)."""
        try:
            return await super()._propose_pending_state(flow_run)
        except Pause:
            logger.info("flow run %s waits again: not claimed", flow_run.id)
            return False

    async def _submit_run(self, flow_run: FlowRun) -> None:
        """Claim (Pending: one worker wins), then run here. No job to template or launch."""
        try:
            if await self._propose_pending_state(flow_run):
                await self.run(flow_run, self.job_configuration())
        finally:
            self._release_limit_slot(flow_run.id)
            self._submitting_flow_run_ids.discard(flow_run.id)
            if self._cancelling_observer is not None:
                self._cancelling_observer.remove_in_flight_flow_run_id(flow_run.id)

    async def run(
        self,
        flow_run: FlowRun,
        configuration: BaseJobConfiguration,
        task_status: anyio.abc.TaskStatus[int] | None = None,
    ) -> CaseWorkerResult:
        if task_status is not None:
            task_status.started(0)
        try:
            flow = await self._flow_for(flow_run)
            task: asyncio.Task[Any] = asyncio.ensure_future(
                cast(Awaitable[Any], run_flow(flow, flow_run=flow_run, return_type="state"))
            )
            self._running[flow_run.id] = task
            await task
        except Pause:
            pass  # a suspended run (it waits for an operator): nothing to report
        except asyncio.CancelledError:
            logger.info("flow run %s cancelled", flow_run.id)
        except Exception:
            logger.exception("flow run %s ended with an engine error", flow_run.id)
        finally:
            self._running.pop(flow_run.id, None)
            self.completed += 1
            if self._on_run_done is not None:
                self._on_run_done(flow_run.id)
        return CaseWorkerResult(identifier=str(flow_run.id), status_code=0)

    async def _cancel_run(self, flow_run_id: UUID) -> None:
        """A run cancelled in the UI: stop its task here and mark it cancelled."""
        task = self._running.get(flow_run_id)
        if task is None:
            return
        task.cancel()
        flow_run = await self.client.read_flow_run(flow_run_id)
        await self._mark_flow_run_as_cancelled(flow_run)

    @property
    def active_runs(self) -> int:
        return len(self._running)
