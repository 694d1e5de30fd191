"""Prefect events emitted by case tasks (budget breaches, delivery failures). No personal data."""

from __future__ import annotations

import logging
from typing import Any

from prefect.events import emit_event

from adapters.db.case_tables import StepRecord
from adapters.orchestrator import step_resource_id

BUDGET_EXCEEDED = "sopflow.step.budget-exceeded"
DELIVERY_FAILED = "sopflow.notify.delivery-failed"

logger = logging.getLogger("sopflow.events")


def case_resource(case_id: str, reference: str) -> dict[str, str]:
    return {"prefect.resource.id": f"sopflow.case.{case_id}", "prefect.resource.name": reference}


def emit_budget_exceeded(
    *, case_id: str, reference: str, definition_id: str, record: StepRecord
) -> None:
    payload: dict[str, Any] = {
        "step": record.step_id,
        "visit": record.visit,
        "sop_step": record.sop_step,
        "lane": record.lane,
        "budget_seconds": record.budget_seconds,
        "duration_seconds": record.duration_seconds,
    }
    logger.warning(
        "case %s: step %s took %.0fs, budget %.0fs",
        reference,
        record.step_id,
        record.duration_seconds or 0,
        record.budget_seconds or 0,
    )
    emit_event(
        event=BUDGET_EXCEEDED,
        resource=case_resource(case_id, reference),
        related=step_related(record.step_id, definition_id),
        payload=payload,
    )


def emit_delivery_failed(
    *, case_id: str, reference: str, step_id: str, channels: list[str]
) -> None:
    logger.warning("case %s: step %s could not deliver on %s", reference, step_id, channels)
    emit_event(
        event=DELIVERY_FAILED,
        resource=case_resource(case_id, reference),
        payload={"step": step_id, "channels": channels},
    )


STEP_WAITING = "sopflow.step.waiting"
STEP_DECIDED = "sopflow.step.decided"


def step_related(step_id: str, definition_id: str) -> list[dict[str, str]]:
    return [
        {
            "prefect.resource.id": step_resource_id(definition_id, step_id),
            "prefect.resource.role": "step",
        },
        {
            "prefect.resource.id": f"sopflow.definition.{definition_id}",
            "prefect.resource.role": "definition",
        },
    ]


def emit_step_waiting(*, case_id: str, reference: str, step_id: str, definition_id: str) -> None:
    """An operator step started waiting: the `after` event of the budget automations."""
    emit_event(
        event=STEP_WAITING,
        resource=case_resource(case_id, reference),
        related=step_related(step_id, definition_id),
        payload={"step": step_id},
    )


def emit_step_decided(*, case_id: str, reference: str, step_id: str, definition_id: str) -> None:
    """The operator decided: the `expect` event that keeps the automation quiet."""
    emit_event(
        event=STEP_DECIDED,
        resource=case_resource(case_id, reference),
        related=step_related(step_id, definition_id),
        payload={"step": step_id},
    )
