"""Deploying: the deployments of prefect.yaml, the budget automations and the automation that
reschedules runs whose worker died (Prefect's flow-run heartbeats).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import yaml

from adapters.prefect.events import STEP_DECIDED, STEP_WAITING, step_resource_id

# --- deploying: prefect.yaml deployments and the budget automations ------------------------

AUTOMATION_PREFIX = "sopflow:"
ALERT_DEPLOYMENT = "alert-supervisor"
WORK_POOL = "sopflow"
LOST_RUN_AUTOMATION = f"{AUTOMATION_PREFIX} reschedule runs whose worker died"
LOST_AFTER = timedelta(seconds=90)  # three missed flow-run heartbeats (30 s each)


@dataclass(frozen=True)
class BudgetWatch:
    """One operator step with a budget: an automation alerts when it waits longer."""

    definition_id: str
    definition_hash: str  # each pinned version keeps its own budget
    version: int
    step_id: str
    step_name: str
    budget: timedelta

    @property
    def automation_name(self) -> str:
        minutes = self.budget.total_seconds() / 60
        return (
            f"{AUTOMATION_PREFIX} {self.definition_id} v{self.version} "
            f"({self.definition_hash[:12]}) {self.step_id} waits > {minutes:g} min"
        )


@dataclass
class DeployReport:
    deployments: dict[str, str] = field(default_factory=dict)  # name -> id
    automations: list[str] = field(default_factory=list)
    work_pools: list[str] = field(default_factory=list)


def read_prefect_yaml(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    deployments = data.get("deployments")
    if not isinstance(deployments, list) or not deployments:
        raise ValueError(f"{path}: no `deployments` list")
    return deployments


async def _ensure_work_pool(client: Any, name: str) -> bool:
    """The pool our in-process workers poll (a pool of another type is replaced)."""
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    from adapters.prefect.worker import WORKER_TYPE, CaseWorker

    try:
        existing = await client.read_work_pool(name)
        if existing.type == WORKER_TYPE:
            return False
        await client.delete_work_pool(name)  # e.g. a `process` pool from an older deploy
    except ObjectNotFound:
        pass
    await client.create_work_pool(
        WorkPoolCreate(
            name=name,
            type=WORKER_TYPE,
            base_job_template=CaseWorker.get_default_base_job_template(),
        )
    )
    return True


async def deploy(prefect_yaml: Path, watches: list[BudgetWatch]) -> DeployReport:
    """Create or update the deployments of prefect.yaml, then the budget automations."""
    from prefect import get_client
    from prefect.deployments.runner import RunnerDeployment

    report = DeployReport()
    root = prefect_yaml.resolve().parent
    async with get_client() as client:
        for spec in read_prefect_yaml(prefect_yaml):
            pool = (spec.get("work_pool") or {}).get("name")
            if pool and pool not in report.work_pools:
                await _ensure_work_pool(client, pool)
                report.work_pools.append(pool)
            file, _, function = str(spec["entrypoint"]).partition(":")
            intervals = [s["interval"] for s in spec.get("schedules") or [] if "interval" in s]
            crons = [s["cron"] for s in spec.get("schedules") or [] if "cron" in s]
            deployment = RunnerDeployment.from_entrypoint(
                f"{root / file}:{function}",
                name=spec["name"],
                description=spec.get("description"),
                tags=spec.get("tags"),
                interval=intervals or None,
                cron=crons or None,
                work_pool_name=pool,
            )
            deployment.entrypoint = spec["entrypoint"]  # relative: workers run from the repo root
            deployment_id = await deployment.aapply(work_pool_name=pool)
            report.deployments[spec["name"]] = str(deployment_id)
        alert_id = report.deployments.get(ALERT_DEPLOYMENT)
        report.automations = await _sync_automations(client, watches, alert_id)
    return report


async def _sync_automations(
    client: Any, watches: list[BudgetWatch], alert_id: str | None
) -> list[str]:
    from prefect.automations import Automation
    from prefect.events.actions import RunDeployment
    from prefect.events.schemas.automations import EventTrigger, Posture

    for existing in await client.read_automations():
        if existing.name.startswith(AUTOMATION_PREFIX):
            await client.delete_automation(existing.id)
    names = [await _create_lost_run_automation()]
    if alert_id is None:
        return names
    for watch in watches:
        automation = Automation(
            name=watch.automation_name,
            description=f"Step `{watch.step_id}` ({watch.step_name}) waits past its SOP budget.",
            trigger=EventTrigger(
                posture=Posture.Proactive,
                after={STEP_WAITING},
                expect={STEP_DECIDED},
                for_each={"prefect.resource.id"},
                match={"prefect.resource.id": "sopflow.case.*"},
                match_related={
                    "prefect.resource.id": step_resource_id(
                        watch.definition_id, watch.definition_hash, watch.step_id
                    )
                },
                threshold=1,
                within=watch.budget,
            ),
            actions=[
                RunDeployment(
                    source="selected",
                    deployment_id=UUID(alert_id),
                    parameters={"case": "{{ event.resource.id }}", "step_id": watch.step_id},
                )
            ],
        )
        await automation.acreate()
        names.append(watch.automation_name)
    return names


async def _create_lost_run_automation(within: timedelta = LOST_AFTER) -> str:
    """Prefect's own crash detection: a run that is Pending, Running or briefly Paused and
    stops sending heartbeats (its worker died) is scheduled again; any worker picks it up and
    the case continues where it stands."""
    from prefect.automations import Automation
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import EventTrigger, Posture

    # Every event that starts a window is also expected, as Prefect's heartbeat detection has
    # it: a window whose expectation was met (the run suspended) stays open until it ends, and
    # a start that is not also expected joins it instead of opening its own. A runner that died
    # right after claiming a resumed run (Pending) was then never rescheduled. A brief
    # in-process pause (Paused; a suspension is Suspended) holds its worker: alive too.
    alive = {
        "prefect.flow-run.Pending",
        "prefect.flow-run.Running",
        "prefect.flow-run.Paused",
        "prefect.flow-run.heartbeat",
    }
    settled = {
        f"prefect.flow-run.{name}"
        for name in ("Completed", "Failed", "Crashed", "Cancelled", "Cancelling")
    } | {
        "prefect.flow-run.Suspended",
        "prefect.flow-run.Scheduled",
        "prefect.flow-run.AwaitingRetry",
    }
    await Automation(
        name=LOST_RUN_AUTOMATION,
        description="Runs of sopflow deployments whose worker stopped sending heartbeats.",
        trigger=EventTrigger(
            posture=Posture.Proactive,
            after=alive,
            expect=alive | settled,
            for_each={"prefect.resource.id"},
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related={"prefect.resource.id": "prefect.tag.sopflow"},
            threshold=1,
            within=within,
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.SCHEDULED,
                name="Rescheduled",
                message="its worker stopped sending heartbeats; rescheduled",
                force=True,
            )
        ],
    ).acreate()
    return LOST_RUN_AUTOMATION
