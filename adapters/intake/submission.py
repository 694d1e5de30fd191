"""Submit: check the uploads, store them, write the case in one transaction, start its run.

Order matters: objects first, then the case row; if the row cannot be written the objects are
deleted again (no orphan), and if the store is down nothing is written at all. Starting the run
comes last and may fail: the case then stays `submitted` and the reconciler starts it.
Logs name case references only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import anyio
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from adapters.db.case_repository import create_case, get_case, set_status
from adapters.db.case_tables import CaseStatus
from adapters.db.engine import session_scope
from adapters.db.form_token_table import case_made_with, record_token_use
from adapters.db.published_definitions import published_versions, same_form
from adapters.intake.context import IntakeContext
from adapters.intake.errors import IntakeError, UploadRejected
from adapters.intake.form_fields import checkable_kinds
from adapters.intake.upload_checks import CheckedUpload, check_ktp_upload, read_capped
from adapters.storage.errors import StorageError
from adapters.storage.protocol import StoredObject
from process_definitions import model as m
from process_definitions.loader import LoadedDefinition

log = logging.getLogger("sopflow.intake")

MISSING_FILE = "Pilih berkas untuk diunggah."


class StoreUnavailableError(IntakeError):
    """The object store refused or could not be reached; nothing was kept."""


class CaseWriteError(IntakeError):
    """The case row could not be written; stored objects were removed."""


class FormAlreadySentError(IntakeError):
    """This form (its one-time token) already made a case; nothing new was kept."""

    def __init__(self, reference: str) -> None:
        super().__init__("form token already used")
        self.reference = reference


@dataclass(frozen=True)
class SubmittedCase:
    case_id: str
    reference: str


@dataclass
class UploadOutcome:
    checked: dict[str, CheckedUpload]
    errors: dict[str, str]
    status: int | None  # the HTTP status an upload error asks for (413, 415, 422)


async def check_uploads(
    fields: list[m.FileField], parts: Mapping[str, object], *, limiter: anyio.CapacityLimiter
) -> UploadOutcome:
    """Read each file field (capped at its max size) and run the KTP checks off the loop, at
    most `limiter`'s number at a time (a decode's memory and CPU are bounded, not free)."""
    outcome = UploadOutcome(checked={}, errors={}, status=None)
    for f in fields:
        part = parts.get(f.id)
        try:
            data = await read_capped(part, f.max_size) if isinstance(part, UploadFile) else b""
            if not data:
                if f.required:
                    outcome.errors[f.id] = MISSING_FILE
                continue
            check = partial(check_ktp_upload, data, accept=checkable_kinds(f), max_bytes=f.max_size)
            outcome.checked[f.id] = await anyio.to_thread.run_sync(check, limiter=limiter)
        except UploadRejected as rejected:
            outcome.errors[f.id] = rejected.message
            outcome.status = max(outcome.status or 0, rejected.http_status)
    return outcome


def _store_all(ctx: IntakeContext, checked: dict[str, CheckedUpload]) -> dict[str, StoredObject]:
    stored: dict[str, StoredObject] = {}
    try:
        for field_id, upload in checked.items():
            stored[field_id] = ctx.store.put(upload.data, content_type=upload.content_type)
    except StorageError as error:
        _delete_quietly(ctx, stored)
        raise StoreUnavailableError(type(error).__name__) from None
    return stored


def _delete_quietly(ctx: IntakeContext, stored: dict[str, StoredObject]) -> None:
    for obj in stored.values():
        try:
            ctx.store.delete(obj.key)
        except StorageError:
            log.error("could not delete object %s after a failed submit", obj.key)


def pinned_definition(ctx: IntakeContext) -> LoadedDefinition:
    """What a new case is pinned to: the newest version `sopflow deploy` published (budgets,
    messages, routing change without a restart) whose form is the one the public just filled;
    a version that changes the form is served once the intake restarts."""
    for version in published_versions(ctx.engine, ctx.definition_id):
        if version.content_hash == ctx.loaded.content_hash or same_form(version, ctx.loaded):
            return version
    return ctx.loaded


def _write_case(
    ctx: IntakeContext,
    form_data: dict[str, Any],
    submitted_at: datetime,
    opened_at: datetime,
    token: str,
) -> SubmittedCase:
    pinned = pinned_definition(ctx)
    try:
        with session_scope(ctx.engine) as session:
            case = create_case(
                session,
                loaded=pinned,
                form_data=form_data,
                submitted_at=submitted_at,
                opened_at=opened_at,
            )
            record_token_use(session, token=token, reference=case.reference, at=submitted_at)
            return SubmittedCase(case_id=case.id, reference=case.reference)
    except IntegrityError:
        earlier = case_already_made(ctx, token)
        if earlier is None:
            raise
        raise FormAlreadySentError(earlier) from None


def case_already_made(ctx: IntakeContext, token: str) -> str | None:
    """The reference of the case this form token already made, or None."""
    with session_scope(ctx.engine) as session:
        return case_made_with(session, token)


async def store_and_write(
    ctx: IntakeContext,
    *,
    cleaned: dict[str, Any],
    checked: dict[str, CheckedUpload],
    submitted_at: datetime,
    opened_at: datetime,
    token: str,
) -> SubmittedCase:
    """Store the files, then write the case with its one-time form token used up;
    StoreUnavailableError / CaseWriteError / FormAlreadySentError otherwise."""
    stored = await run_in_threadpool(_store_all, ctx, checked)
    form_data = dict(cleaned)
    for field_id, obj in stored.items():
        form_data[field_id] = {
            "object_key": obj.key,
            "content_type": obj.content_type,
            "size": obj.size,
            "kind": checked[field_id].kind,
        }
    try:
        return await run_in_threadpool(_write_case, ctx, form_data, submitted_at, opened_at, token)
    except FormAlreadySentError:
        await run_in_threadpool(_delete_quietly, ctx, stored)
        raise
    except Exception as error:  # any database failure: undo the objects, keep nothing
        await run_in_threadpool(_delete_quietly, ctx, stored)
        raise CaseWriteError(type(error).__name__) from None


async def start_case_run(ctx: IntakeContext, case: SubmittedCase) -> None:
    """Start the case's flow run and keep its id; on failure the case stays `submitted`."""
    definition = ctx.loaded.definition
    tags = [f"definition:{definition.id}", f"version:{definition.version}"]
    try:
        flow_run_id = await asyncio.wait_for(
            ctx.starter.start_case(case_id=case.case_id, reference=case.reference, tags=tags),
            timeout=ctx.limits.starter_timeout_seconds,
        )
    except Exception as error:  # OrchestratorUnavailableError, timeouts, anything else
        log.warning(
            "case %s stays submitted: run not started (%s)", case.reference, type(error).__name__
        )
        return
    try:
        await run_in_threadpool(_record_flow_run, ctx, case.case_id, flow_run_id)
    except Exception as error:
        log.warning("case %s: flow run id not recorded (%s)", case.reference, type(error).__name__)
        return
    log.info("case %s: flow run started", case.reference)


def _record_flow_run(ctx: IntakeContext, case_id: str, flow_run_id: str) -> None:
    with session_scope(ctx.engine) as session:
        case = get_case(session, case_id=case_id, for_update=True)
        if case.status == CaseStatus.SUBMITTED.value:  # the flow may already have moved it on
            set_status(
                session,
                case=case,
                status=CaseStatus.SUBMITTED,
                now=ctx.clock(),
                flow_run_id=flow_run_id,
            )
        elif not case.flow_run_id:
            case.flow_run_id = flow_run_id
            session.add(case)
