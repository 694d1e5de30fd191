"""Waiting for an operator: suspend when running from a deployment (the run holds no process
and re-runs from the top on resume), pause otherwise (the process waits in place)."""

from __future__ import annotations

from typing import Any

from prefect.context import FlowRunContext
from prefect.flow_runs import apause_flow_run, asuspend_flow_run

from process_definitions import model as m
from process_definitions.units import format_duration
from tasks.case_view import CaseView
from tasks.operator_input import build_operator_input, describe
from tasks.services import CaseServices


def running_from_deployment() -> bool:
    context = FlowRunContext.get()
    return bool(context and context.flow_run and context.flow_run.deployment_id)


async def wait_for_operator(
    view: CaseView, step: m.UserTaskStep, services: CaseServices, *, attempt: int
) -> dict[str, Any]:
    model = build_operator_input(
        step, variables=view.variables, roster_nips=services.roster.nips(step.lane)
    )
    description = describe(
        step,
        reference=view.reference,
        case_file_url=services.links.url(view.case_id, now=services.clock(), ttl=services.link_ttl),
        variables=view.variables,
        budget_text=format_duration(step.budget) if step.budget else "-",
    )
    form = model.with_initial_data(description=description)
    key = f"{step.id.replace('_', '-')}-{view.visit}-{attempt}"  # lowercase, dashes
    timeout = int(services.operator_wait_timeout.total_seconds())
    if running_from_deployment():
        answer = await asuspend_flow_run(wait_for_input=form, key=key, timeout=timeout)
    else:
        answer = await apause_flow_run(
            wait_for_input=form,
            key=key,
            timeout=timeout,
            poll_interval=int(max(1, services.pause_poll_seconds)),
        )
    return dict(answer.model_dump())
