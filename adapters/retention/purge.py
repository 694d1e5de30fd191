"""The retention job: delete personal data of closed cases past their retention period.

Each case is purged in its own transaction: files deleted from the object store first, then the
form data and step outputs scrubbed, the case's outbox messages emptied, `purged_at` set and a
`retention.purged` audit entry appended. A failure part way leaves that case unpurged; the next
run deletes its files again (deleting a missing object is not an error) and finishes it. Step
records, decisions (opaque keys and NIPs) and audit entries are kept: they hold no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from adapters.db import case_repository as repo
from adapters.db.audit import append_audit
from adapters.db.case_tables import Case, CaseStatus
from adapters.db.engine import session_scope
from adapters.notify.outbox_table import OutboxMessage
from adapters.reports.samples import definition_of
from adapters.retention.errors import PurgeError
from adapters.retention.scrub import object_keys, scrubbed_form, scrubbed_variables
from adapters.storage.errors import StorageError
from adapters.storage.protocol import ObjectStore
from process_definitions import model as m
from process_definitions.units import format_duration

CLOSED = (CaseStatus.COMPLETED.value, CaseStatus.FAILED.value)
PURGED_ACTION = "retention.purged"


@dataclass(frozen=True)
class PurgeCandidate:
    case_id: str
    reference: str
    closed_at: datetime
    retention: timedelta
    object_keys: tuple[str, ...]


@dataclass
class PurgeResult:
    candidates: list[PurgeCandidate]
    dry_run: bool
    purged: list[str] = field(default_factory=list)  # references
    objects_deleted: int = 0
    values_removed: int = 0


def closed_at(case: Case) -> datetime:
    return repo.utc(case.finished_at or case.updated_at)


def find_candidates(
    session: Session, *, now: datetime, older_than: timedelta | None
) -> list[PurgeCandidate]:
    """Closed, unpurged cases closed longer ago than `older_than` (default: the retention of
    the definition each case ran under)."""
    statement = select(Case).where(col(Case.status).in_(CLOSED), col(Case.purged_at).is_(None))
    if older_than is not None:
        statement = statement.where(col(Case.updated_at) < now - older_than)
    cache: dict[str, m.ProcessDefinition] = {}
    found = []
    for case in session.exec(statement.order_by(col(Case.submitted_at))):
        definition = definition_of(case, cache)
        retention = older_than if older_than is not None else definition.retention
        if closed_at(case) < repo.utc(now) - retention:
            found.append(
                PurgeCandidate(
                    case.id,
                    case.reference,
                    closed_at(case),
                    retention,
                    tuple(object_keys(definition, case.form_data)),
                )
            )
    return found


def _scrub_outbox(session: Session, case_id: str) -> int:
    messages = session.exec(select(OutboxMessage).where(OutboxMessage.case_id == case_id)).all()
    for message in messages:
        message.recipient = ""
        message.subject = None
        message.body_text = ""
        message.body_html = None
        session.add(message)
    return len(messages)


def purge_case(
    engine: Engine,
    candidate: PurgeCandidate,
    *,
    store: ObjectStore | None,
    now: datetime,
    actor: str,
) -> tuple[int, int] | None:
    """Purge one case; returns (objects deleted, values removed), or None if already purged."""
    with session_scope(engine) as session:
        case = repo.get_case(session, case_id=candidate.case_id, for_update=True)
        if case.purged_at is not None:
            return None
        definition = definition_of(case, {})
        keys = object_keys(definition, case.form_data)
        if keys and store is None:
            raise PurgeError(f"case {case.reference} has files but no object store is set")
        for key in keys:
            assert store is not None
            try:
                store.delete(key)
            except StorageError as error:
                raise PurgeError(
                    f"case {case.reference}: could not delete a file ({type(error).__name__})"
                ) from None
        form, removed = scrubbed_form(definition, case.form_data)
        case.form_data = form
        case.variables = scrubbed_variables(definition, case.variables)
        case.purged_at = repo.utc(now)
        session.add(case)
        messages = _scrub_outbox(session, case.id)
        append_audit(
            session,
            at=repo.utc(now),
            actor=actor,
            action=PURGED_ACTION,
            case_id=case.id,
            details={
                "values_removed": removed,
                "objects_deleted": len(keys),
                "outbox_messages_emptied": messages,
                "retention": format_duration(candidate.retention),
            },
        )
        return len(keys), removed


def purge(
    engine: Engine,
    *,
    store: ObjectStore | None,
    now: datetime,
    actor: str,
    older_than: timedelta | None = None,
    dry_run: bool = False,
) -> PurgeResult:
    """Find and (unless `dry_run`) purge. `store` may be None only when no candidate has files
    or on a dry run."""
    with session_scope(engine) as session:
        candidates = find_candidates(session, now=now, older_than=older_than)
    result = PurgeResult(candidates=candidates, dry_run=dry_run)
    if dry_run:
        return result
    for candidate in candidates:
        done = purge_case(engine, candidate, store=store, now=now, actor=actor)
        if done is not None:
            result.purged.append(candidate.reference)
            result.objects_deleted += done[0]
            result.values_removed += done[1]
    return result
