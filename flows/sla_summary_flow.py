"""Scheduled daily (prefect.yaml `sla-summary`): yesterday's SLA summary as Prefect artifacts."""

from __future__ import annotations

from prefect import flow

from tasks.sla_summary import publish_daily_sla


@flow(name="sla-summary", persist_result=False)
async def publish_sla_summary(day: str | None = None) -> dict[str, int]:
    """`day` is an office day (YYYY-MM-DD); default yesterday in the office's time zone."""
    return await publish_daily_sla(day)
