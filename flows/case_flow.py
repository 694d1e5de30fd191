"""`run_case(case_id)`: the generic interpreter of any process definition, as a Prefect flow.

A loop of "next step, then its handler": the case row is the source of truth, each handler
records its step and returns the new case view. The flow can be re-run from the top at any
time (suspend/resume, crashes, retries): a step only runs while it is the case's current step.

A case never dies silently: an error that retrying cannot fix (a definition, configuration or
code reason) parks the case as `stalled` with the reason (no personal data), flags it in
Prefect and ends the run Failed; `sopflow case retry REF` continues it once the cause is fixed.
Transient errors (database, network) that outlast the tasks' retries fail the run; the worker's
maintenance starts a new run for the case, which continues where it stood.
"""

from __future__ import annotations

import asyncio

from prefect import flow, get_run_logger
from prefect.client.schemas.objects import State
from prefect.context import FlowRunContext
from prefect.states import Completed, Failed

from adapters.db.case_tables import CaseStatus
from adapters.prefect.events import emit_case_stalled
from flows.interpreter import InterpreterError
from tasks.case_store import load_for_run, mark_stalled, settle_current
from tasks.case_summary import publish_case_summary, publish_stall_notice
from tasks.case_view import CaseView
from tasks.retry import is_transient
from tasks.services import get_services
from tasks.stall_reason import stall_reason
from tasks.step_handlers import SETTLED_BY_STORE, STEP_HANDLERS

MAX_TRANSITIONS = 200  # a guard against a definition that loops forever


def _current_flow_run_id() -> str | None:
    context = FlowRunContext.get()
    return str(context.flow_run.id) if context and context.flow_run else None


async def _load(case_id: str) -> CaseView:
    services = get_services()
    return await asyncio.to_thread(
        load_for_run,
        services.engine,
        case_id=case_id,
        flow_run_id=_current_flow_run_id(),
        now=services.clock(),
    )


async def _drive(view: CaseView) -> CaseView:
    services = get_services()
    for _ in range(MAX_TRANSITIONS):
        if view.finished:
            return view
        if view.current_step is None:
            raise InterpreterError("case has no current step and is not finished")
        try:
            step = view.loaded.definition.step(view.current_step)
        except KeyError:
            raise InterpreterError(
                f"current step `{view.current_step}` is not in the definition"
            ) from None
        handler = STEP_HANDLERS.get(step.kind)
        if handler is not None:
            moved = await handler(view, step)
            view = moved if moved is not None else await _load(view.case_id)
        elif step.kind in SETTLED_BY_STORE:
            view = await asyncio.to_thread(
                settle_current, services.engine, case_id=view.case_id, now=services.clock()
            )
        else:
            raise InterpreterError(f"step `{step.id}` ({step.kind}) is done by the public")
    raise InterpreterError(f"case {view.reference}: more than {MAX_TRANSITIONS} transitions")


# Runs are named after the case reference when they are created (adapters/prefect/starter.py),
# never after a person; no `flow_run_name` here, which would rename the run at every execution.
@flow(
    name="run-case",
    persist_result=False,
    log_prints=False,
)
async def run_case(case_id: str) -> State:
    """Run one case to its end, or until it waits for an operator. Takes the case id only."""
    logger = get_run_logger()
    view = await _load(case_id)
    if view.status == CaseStatus.STALLED.value:
        return Failed(message=f"{view.reference} macet: jalankan `sopflow case retry`")
    was_finished = view.finished
    try:
        view = await _drive(view)
    except Exception as error:
        if is_transient(error):
            raise
        return await _stall(view, error)
    if view.finished and not was_finished:
        await publish_case_summary(case_id)
        logger.info("case %s finished: %s", view.reference, view.outcome)
    return Completed(message=f"{view.reference}: {view.outcome or view.status}")


async def _stall(view: CaseView, error: Exception) -> State:
    services = get_services()
    reason = stall_reason(error)
    stalled = await asyncio.to_thread(
        mark_stalled, services.engine, case_id=view.case_id, reason=reason, now=services.clock()
    )
    emit_case_stalled(
        case_id=view.case_id, reference=view.reference, step_id=stalled.current_step, reason=reason
    )
    await publish_stall_notice(stalled, reason)
    return Failed(message=f"{view.reference} macet di langkah {stalled.current_step}: {reason}")
