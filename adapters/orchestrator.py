"""The one place outside flows/ and tasks/ that talks to the Prefect API as a client.

The intake starts a case's flow run here; the CLI deploys here. Parameters are the case id
only; the run is named after the case reference (no personal data reaches Prefect).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import yaml

CASE_FLOW_NAME = "run-case"
CASE_DEPLOYMENT_NAME = "run-case"


class OrchestratorUnavailableError(RuntimeError):
    """Prefect could not be reached; the case stays `submitted` for the reconciler."""


class CaseStarter(Protocol):
    async def start_case(self, *, case_id: str, reference: str, tags: list[str]) -> str:
        """Create the flow run of the case deployment; return its id."""
        ...


class PrefectCaseStarter:
    def __init__(self, deployment: str = f"{CASE_FLOW_NAME}/{CASE_DEPLOYMENT_NAME}") -> None:
        self.deployment = deployment

    async def start_case(self, *, case_id: str, reference: str, tags: list[str]) -> str:
        from prefect.deployments.flow_runs import arun_deployment

        try:
            flow_run = await arun_deployment(
                name=self.deployment,
                parameters={"case_id": case_id},
                timeout=0,
                flow_run_name=reference,
                tags=tags,
                idempotency_key=f"case-{case_id}",  # intake and reconciler never double-start
                as_subflow=False,
            )
        except Exception as error:  # httpx errors, ObjectNotFound, PrefectHTTPStatusError…
            raise OrchestratorUnavailableError(
                f"could not start deployment {self.deployment}: {type(error).__name__}"
            ) from None
        return str(flow_run.id)


# --- deploying: prefect.yaml deployments and the budget automations ------------------------

AUTOMATION_PREFIX = "sopflow:"
STEP_WAITING = "sopflow.step.waiting"
STEP_DECIDED = "sopflow.step.decided"
ALERT_DEPLOYMENT = "alert-supervisor"


def step_resource_id(definition_id: str, step_id: str) -> str:
    """The event resource of a definition's step: case events name it, automations match it."""
    return f"sopflow.step.{definition_id}.{step_id}"


@dataclass(frozen=True)
class BudgetWatch:
    """One operator step with a budget: an automation alerts when it waits longer."""

    definition_id: str
    version: int
    step_id: str
    step_name: str
    budget: timedelta

    @property
    def automation_name(self) -> str:
        minutes = self.budget.total_seconds() / 60
        return (
            f"{AUTOMATION_PREFIX} {self.definition_id} v{self.version} "
            f"{self.step_id} waits > {minutes:g} min"
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
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    try:
        await client.read_work_pool(name)
        return False
    except ObjectNotFound:
        await client.create_work_pool(
            WorkPoolCreate(
                name=name,
                type="process",
                base_job_template=ProcessWorker.get_default_base_job_template(),
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
    if alert_id is None:
        return []
    names = []
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
                    "prefect.resource.id": step_resource_id(watch.definition_id, watch.step_id)
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
