"""Starting a case's flow run: the intake, the reconciler and `case retry` call this.

Parameters are the case id only; the run is named after the case reference (no personal
data reaches Prefect).
"""

from __future__ import annotations

from typing import Protocol

CASE_FLOW_NAME = "run-case"
CASE_DEPLOYMENT_NAME = "run-case"
CASE_DEPLOYMENT = f"{CASE_FLOW_NAME}/{CASE_DEPLOYMENT_NAME}"


class OrchestratorUnavailableError(RuntimeError):
    """Prefect could not be reached; the case stays `submitted` for the reconciler."""


class CaseStarter(Protocol):
    async def start_case(
        self, *, case_id: str, reference: str, tags: list[str], after_run: str | None = None
    ) -> str:
        """Create the flow run of the case deployment; return its id. `after_run` names the
        case's earlier run that ended without finishing it (a restart or `case retry`)."""
        ...


class PrefectCaseStarter:
    def __init__(self, deployment: str = CASE_DEPLOYMENT) -> None:
        self.deployment = deployment

    async def start_case(
        self, *, case_id: str, reference: str, tags: list[str], after_run: str | None = None
    ) -> str:
        from prefect.deployments.flow_runs import arun_deployment

        # Idempotent: the intake and the reconciler never double-start; two workers restarting
        # the same ended run create one new run.
        key = f"case-{case_id}" if after_run is None else f"case-{case_id}-after-{after_run}"
        try:
            flow_run = await arun_deployment(
                name=self.deployment,
                parameters={"case_id": case_id},
                timeout=0,
                flow_run_name=reference,
                tags=tags,
                idempotency_key=key,
                as_subflow=False,
            )
        except Exception as error:  # httpx errors, ObjectNotFound, PrefectHTTPStatusError…
            raise OrchestratorUnavailableError(
                f"could not start deployment {self.deployment}: {type(error).__name__}"
            ) from None
        return str(flow_run.id)
