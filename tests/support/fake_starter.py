"""A CaseStarter fake: records what it was asked to start, or fails like Prefect being down."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from adapters.prefect.starter import OrchestratorUnavailableError


@dataclass(frozen=True)
class StartCall:
    case_id: str
    reference: str
    tags: list[str]


@dataclass
class FakeCaseStarter:
    """Implements adapters.prefect.starter.CaseStarter; `available = False` raises as Prefect
    down does."""

    available: bool = True
    calls: list[StartCall] = field(default_factory=list)
    flow_run_ids: list[str] = field(default_factory=list)

    async def start_case(
        self, *, case_id: str, reference: str, tags: list[str], after_run: str | None = None
    ) -> str:
        self.calls.append(StartCall(case_id=case_id, reference=reference, tags=list(tags)))
        if not self.available:
            raise OrchestratorUnavailableError("fake Prefect is down")
        flow_run_id = str(uuid.uuid4())
        self.flow_run_ids.append(flow_run_id)
        return flow_run_id
