"""Run by the budget automations (`sopflow deploy`): an operator step waits past its budget."""

from __future__ import annotations

from prefect import flow

from tasks.supervisor_alert import send_supervisor_alert


@flow(name="alert-supervisor", persist_result=False)
async def alert_supervisor(case: str, step_id: str) -> str:
    """`case` is the case id or its event resource id (`sopflow.case.<id>`)."""
    return await send_supervisor_alert(case, step_id)
