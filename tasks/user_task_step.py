"""Handler of `user_task` steps: wait for an operator, check the answer, record it.

Waiting suspends the run when it runs from a deployment (it holds no process and re-runs from
the top on resume), after a brief in-process pause in which an answer that comes at once
continues the same execution (`decision_grace_seconds`); it pauses otherwise (the process waits
in place). On a re-run the same pause key returns the answer already given, so the handler
continues where it stood. The answer is recorded by a task named after the step, with the
decision, in one transaction; then the run inputs of the step's visit are deleted from Prefect
(notes and links live in the case database only). A refused answer (e.g. a manual registration
number SDP does not know) makes the run wait again, with the reason on the form. The work lists
are refreshed when a case starts waiting for a person (after its brief pause) or stops waiting.
"""

from __future__ import annotations

import asyncio
from typing import Any

from prefect import task
from prefect.context import FlowRunContext
from prefect.flow_runs import apause_flow_run, asuspend_flow_run

from adapters.case_links import link_ttl_for
from adapters.prefect.brief_pause import answer_in_process
from adapters.prefect.events import emit_step_decided, emit_step_waiting
from adapters.roster import Operator
from adapters.sdp.directory import SdpDirectory, SdpRecord
from adapters.sdp.errors import RegistrationNumberError
from adapters.sdp.registration import normalise_registration_no
from process_definitions import model as m
from tasks.approval_preview import preview_markdown, render_preview, store_preview
from tasks.case_store import DecisionEntry, advance, begin_wait
from tasks.case_view import CaseView
from tasks.operator_input import (
    FormText,
    build_operator_input,
    choice_values,
    describe,
    operator_nip,
    parse_nip,
)
from tasks.run_inputs import PAUSED, SUSPENDED, forget_answers, given_answer
from tasks.services import CaseServices, get_services
from tasks.step_task import STEP_TASK_OPTIONS, StepCall, after_advance, as_step_task
from tasks.work_list import WORK_LISTS

MAX_DECISION_ATTEMPTS = 5


class DecisionRejectedError(ValueError):
    """The answer does not fit the step (stale key, NIP not in the lane's roster, unknown
    registration number…). The message is in Bahasa Indonesia: the form shows it again."""


def _lane_name(view_or_definition: m.ProcessDefinition, lane: str) -> str:
    found = view_or_definition.lanes.get(lane)
    return found.name if found else lane


def check_decision(
    step: m.UserTaskStep,
    values: dict[str, Any],
    *,
    variables: dict[str, Any],
    operators: list[Operator],
    sdp: SdpDirectory,
    lane_name: str = "",
) -> dict[str, SdpRecord]:
    """Refuse an answer that does not fit; the manual matches found, by choice id."""
    manual: dict[str, SdpRecord] = {}
    for task_input in step.inputs:
        value = values.get(task_input.id)
        if isinstance(task_input, m.ChoiceInput):
            allowed = [v for v, _ in choice_values(task_input, variables)]
            if value not in allowed:
                raise DecisionRejectedError(f'"{task_input.label}": pilihan tidak sah')
        elif isinstance(task_input, m.OperatorInput):
            nips = {operator.nip for operator in operators}
            if parse_nip(value) not in nips:
                raise DecisionRejectedError(
                    f'"{task_input.label}": NIP tidak terdaftar di jalur {lane_name or step.lane}'
                )
        elif task_input.required and not str(value or "").strip():
            raise DecisionRejectedError(f'"{task_input.label}": wajib diisi')
    for task_input in step.inputs:
        if isinstance(task_input, m.TextInput) and task_input.manual_match:
            match = task_input.manual_match
            if values.get(match.choice) == match.option:
                manual[match.choice] = _manual_record(task_input, values.get(task_input.id), sdp)
    return manual


def _manual_record(task_input: m.TextInput, raw: object, sdp: SdpDirectory) -> SdpRecord:
    text = str(raw or "").strip()
    if not text:
        raise DecisionRejectedError(f'"{task_input.label}" wajib diisi untuk cocok manual')
    try:
        number = normalise_registration_no(text)
    except RegistrationNumberError:
        raise DecisionRejectedError(
            f'"{task_input.label}": bentuk nomor registrasi tidak dikenali (contoh: B.I 123/2021)'
        ) from None
    record = sdp.get(number)
    if record is None:
        raise DecisionRejectedError(
            f'"{task_input.label}": nomor registrasi itu tidak ada di direktori SDP'
        )
    return record


def manual_candidate(option: str, record: SdpRecord) -> dict[str, Any]:
    """The candidate entry of a manual match, under the option's own key (e.g. `manual`)."""
    return {
        "key": option,
        "no_registrasi": record.no_registrasi,
        "nama": record.nama,
        "upt": record.upt,
        "score": 0,
        "reasons": ["dicocokkan manual oleh petugas"],
        "manual": True,
    }


def running_from_deployment() -> bool:
    context = FlowRunContext.get()
    return bool(context and context.flow_run and context.flow_run.deployment_id)


def waits_briefly(services: CaseServices) -> bool:
    """Whether a wait begins with a brief in-process pause (a run from a deployment)."""
    return services.decision_grace_seconds > 0 and running_from_deployment()


def _pause_key_prefix(step: m.UserTaskStep, visit: int) -> str:
    return f"{step.id.replace('_', '-')}-{visit}-"  # lowercase, dashes


def _pause_state() -> str:
    """How this run waits, as Prefect names its run inputs."""
    return SUSPENDED if running_from_deployment() else PAUSED


async def wait_for_operator(
    view: CaseView,
    step: m.UserTaskStep,
    services: CaseServices,
    *,
    key: str,
    rejected: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """The operator's answer under the run input `key` (one key per attempt), and whether it
    came in the brief pause of this execution (then nothing of it was suspended)."""
    definition = view.loaded.definition
    model = build_operator_input(
        step, variables=view.variables, operators=services.roster.root.get(step.lane, [])
    )
    if not view.newly_waiting:  # a re-run: the operator may have answered already
        given = await given_answer(_pause_state(), key)
        if given is not None:
            return dict(model.model_validate(given).model_dump()), False
    preview = await asyncio.to_thread(render_preview, view, step, services)
    if preview is not None:
        await asyncio.to_thread(
            store_preview,
            services.engine,
            case_id=view.case_id,
            step_id=step.id,
            preview=preview,
        )
    ttl = link_ttl_for(step.budget, fallback=services.link_ttl)
    text = FormText(
        reference=view.reference,
        case_file_url=services.links.url(
            view.case_id, step_id=step.id, now=services.clock(), ttl=ttl
        ),
        link_ttl=ttl,
        lane_name=_lane_name(definition, step.lane),
        rejected=rejected,
        extra=tuple(preview_markdown(preview)) if preview else (),
    )
    form = model.with_initial_data(description=describe(step, text, variables=view.variables))
    timeout = int(services.operator_wait_timeout.total_seconds())
    if running_from_deployment():
        if waits_briefly(services):
            given = await answer_in_process(
                form,
                key=key,
                grace=services.decision_grace_seconds,
                poll=services.decision_poll_seconds,
            )
            if given is not None:
                return dict(model.model_validate(given).model_dump()), True
            # Waiting for a person now: the case goes on its lane's work list (a case decided
            # at once never shows there).
            await WORK_LISTS.changed(services)
        answer = await asuspend_flow_run(wait_for_input=form, key=key, timeout=timeout)
    else:
        answer = await apause_flow_run(
            wait_for_input=form,
            key=key,
            timeout=timeout,
            poll_interval=int(max(1, services.pause_poll_seconds)),
        )
    return dict(answer.model_dump()), False


def _record(
    services: CaseServices, view: CaseView, step: m.UserTaskStep, values: dict[str, Any]
) -> CaseView | None:
    manual = check_decision(
        step,
        values,
        variables=view.variables,
        operators=services.roster.root.get(step.lane, []),
        sdp=services.sdp,
        lane_name=_lane_name(view.loaded.definition, step.lane),
    )
    nip = operator_nip(step, values)
    choices = {i.id: values[i.id] for i in step.inputs if isinstance(i, m.ChoiceInput)}
    notes = {i.id: values.get(i.id, "") for i in step.inputs if isinstance(i, m.TextInput)}
    matched: dict[str, Any] = {}
    for task_input in step.inputs:
        if isinstance(task_input, m.ChoiceInput) and task_input.id in manual:
            source = task_input.options_from or ""
            option = str(values[task_input.id])
            kept = [c for c in view.variables.get(source) or [] if c.get("key") != option]
            matched[source] = [*kept, manual_candidate(option, manual[task_input.id])]
    assert view.started_at is not None
    advanced = advance(
        services.engine,
        case_id=view.case_id,
        step_id=step.id,
        started_at=view.started_at,
        now=services.clock(),
        outcome=",".join(str(v) for v in choices.values()),
        actor=nip,
        outputs={**choices, **notes, **matched},
        decision=DecisionEntry(values=choices, operator_nip=nip),
    )
    if advanced is not None:
        emit_step_decided(
            case_id=view.case_id,
            reference=view.reference,
            step_id=step.id,
            definition_id=view.loaded.definition.id,
            definition_hash=view.loaded.content_hash,
        )
    return after_advance(view, advanced)


class _DecisionCall(StepCall):
    __slots__ = ("values",)

    def __init__(self, view: CaseView, step: m.StepDefinition, values: dict[str, Any]) -> None:
        super().__init__(view, step)
        self.values = values


@task(name="decision", **STEP_TASK_OPTIONS)
async def decision_task(call: _DecisionCall) -> CaseView | None:
    """Checks and records the operator's answer; the result is the new case view."""
    assert isinstance(call.step, m.UserTaskStep)
    return await asyncio.to_thread(_record, get_services(), call.view, call.step, call.values)


async def handle_user_task(view: CaseView, step: m.StepDefinition) -> CaseView | None:
    assert isinstance(step, m.UserTaskStep)
    services = get_services()
    rejected: str | None = None
    brief_only = True  # every answer so far came in a brief pause: only those inputs exist
    for attempt in range(MAX_DECISION_ATTEMPTS):
        waiting = await asyncio.to_thread(
            begin_wait,
            services.engine,
            case_id=view.case_id,
            step_id=step.id,
            now=services.clock(),
        )
        if waiting is None:
            return None  # another run moved the case on
        if waiting.newly_waiting:
            emit_step_waiting(
                case_id=view.case_id,
                reference=view.reference,
                step_id=step.id,
                definition_id=view.loaded.definition.id,
                definition_hash=view.loaded.content_hash,
            )
            if not waits_briefly(services):
                await WORK_LISTS.changed(services)
        prefix = _pause_key_prefix(step, waiting.visit)
        answer, briefly = await wait_for_operator(
            waiting, step, services, key=f"{prefix}{attempt}", rejected=rejected
        )
        brief_only = brief_only and briefly
        try:
            result: CaseView | None = await as_step_task(decision_task, step)(
                _DecisionCall(waiting, step, answer)
            )
        except DecisionRejectedError as error:
            if attempt + 1 >= MAX_DECISION_ATTEMPTS:
                await forget_answers(
                    _pause_state(), prefix, attempts=attempt + 1, brief_only=brief_only
                )
                raise
            rejected = str(error)
            continue
        # Recorded in the case database: the answers (notes included) leave Prefect. Rejected
        # attempts are kept until now: a suspended run replays them when it re-runs.
        await forget_answers(_pause_state(), prefix, attempts=attempt + 1, brief_only=brief_only)
        await WORK_LISTS.changed(services)
        return result
    raise DecisionRejectedError(f"{step.id}: {MAX_DECISION_ATTEMPTS} jawaban ditolak")
