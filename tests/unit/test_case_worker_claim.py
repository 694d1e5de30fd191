"""The runner's claim of a scheduled run, when the run is already waiting again."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import prefect.workers.base as prefect_worker_base
import pytest
from prefect.client.schemas.objects import FlowRun
from prefect.exceptions import Pause

from adapters.prefect.worker import CaseWorker


async def test_a_claim_the_server_answers_with_a_pause_is_declined_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two runners: one polls a resumed run, the other claims it and runs it to its next
    suspension; the first one's Pending proposal is answered with the Paused state, which
    Prefect raises as `Pause`. Raised out of the claim, it ended the worker and cancelled the
    other runs it held (seen in the throughput benchmark)."""

    async def answered_paused(*_args: Any, **_kwargs: Any) -> Any:
        raise Pause(
            "This run cannot transition to the StateType.PENDING state from the "
            "StateType.PAUSED state."
        )

    monkeypatch.setattr(prefect_worker_base, "propose_state", answered_paused)
    worker = CaseWorker("sopflow", name="claim-test")
    worker._client = object()  # type: ignore[assignment]  # not entered: no server needed
    flow_run = FlowRun(flow_id=uuid4(), name="resumed-run")
    assert await worker._propose_pending_state(flow_run) is False
