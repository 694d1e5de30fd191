"""The one place outside flows/ and tasks/ that talks to the Prefect API as a client.

The intake starts a case's flow run here; the CLI deploys here. Parameters are the case id
only; the run is named after the case reference (no personal data reaches Prefect).
"""

from __future__ import annotations

from typing import Protocol

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
