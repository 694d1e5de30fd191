"""Prefect events a case emits (waiting, decided, budget breaches, delivery failures, stalled).

Resources are case ids and references, payloads step ids and durations: no personal data.
"""

from __future__ import annotations

import logging
from typing import Any

from prefect.events import emit_event

from adapters.db.case_tables import StepRecord

BUDGET_EXCEEDED = "sopflow.step.budget-exceeded"
DELIVERY_FAILED = "sopflow.notify.delivery-failed"
STEP_WAITING = "sopflow.step.waiting"
STEP_DECIDED = "sopflow.step.decided"
CASE_STALLED = "sopflow.case.stalled"

logger = logging.getLogger("sopflow.events")


def step_resource_id(definition_id: str, definition_hash: str, step_id: str) -> str:
    """The event resource of a pinned definition's step: case events name it, the budget
    automation of that version matches it (a case alerts with the budget it records)."""
    return f"sopflow.step.{definition_id}.{definition_hash[:12]}.{step_id}"


def case_resource(case_id: str, reference: str) -> dict[str, str]:
    return {"prefect.resource.id": f"sopflow.case.{case_id}", "prefect.resource.name": reference}


def emit_budget_exceeded(
    *, case_id: str, reference: str, definition_id: str, definition_hash: str, record: StepRecord
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
        related=step_related(record.step_id, definition_id, definition_hash),
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


def step_related(step_id: str, definition_id: str, definition_hash: str) -> list[dict[str, str]]:
    return [
        {
            "prefect.resource.id": step_resource_id(definition_id, definition_hash, step_id),
            "prefect.resource.role": "step",
        },
        {
            "prefect.resource.id": f"sopflow.definition.{definition_id}",
            "prefect.resource.role": "definition",
        },
    ]


def emit_step_waiting(
    *, case_id: str, reference: str, step_id: str, definition_id: str, definition_hash: str
) -> None:
    """An operator step started waiting: the `after` event of the budget automations."""
    emit_event(
        event=STEP_WAITING,
        resource=case_resource(case_id, reference),
        related=step_related(step_id, definition_id, definition_hash),
        payload={"step": step_id},
    )


def emit_step_decided(
    *, case_id: str, reference: str, step_id: str, definition_id: str, definition_hash: str
) -> None:
    """The operator decided: the `expect` event that keeps the automation quiet."""
    emit_event(
        event=STEP_DECIDED,
        resource=case_resource(case_id, reference),
        related=step_related(step_id, definition_id, definition_hash),
        payload={"step": step_id},
    )


def emit_case_stalled(*, case_id: str, reference: str, step_id: str | None, reason: str) -> None:
    """A case stopped for a definition, configuration or code reason (`sopflow case retry`)."""
    logger.warning("case %s stalled at step %s: %s", reference, step_id, reason)
    emit_event(
        event=CASE_STALLED,
        resource=case_resource(case_id, reference),
        payload={"step": step_id, "reason": reason},
    )
