"""The case store on both databases: one transaction per step, gateways and ends settled in
the same transaction, stale writes refused, stalled cases parked and released."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from adapters.db import case_repository as repo
from adapters.db.audit import verify_chain
from adapters.db.engine import session_scope
from process_definitions.loader import load_definition
from tasks.case_store import (
    DecisionEntry,
    advance,
    begin_wait,
    clear_stalled,
    load_for_run,
    mark_stalled,
)

REPO = Path(__file__).resolve().parents[2]
VISIT = load_definition(REPO / "tests" / "fixtures" / "definitions" / "izin_kunjungan.yaml")
T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
NIP = "199505052019031005"


def new_case(engine: Engine) -> str:
    with session_scope(engine) as session:
        case = repo.create_case(
            session,
            loaded=VISIT,
            submitted_at=T0,
            form_data={"nama": "Uji", "email": "uji@example.com", "tanggal_kunjungan": "Senin"},
        )
        return case.id


def test_a_decision_settles_the_gateway_and_the_end_in_one_call(migrated_engine: Engine) -> None:
    case_id = new_case(migrated_engine)
    view = load_for_run(migrated_engine, case_id=case_id, flow_run_id="run-1", now=T0)
    assert (view.status, view.current_step) == ("running", "periksa")
    waiting = begin_wait(migrated_engine, case_id=case_id, step_id="periksa", now=T0)
    assert waiting is not None and waiting.newly_waiting and waiting.status == "waiting"
    again = begin_wait(migrated_engine, case_id=case_id, step_id="periksa", now=T0 + timedelta(1))
    assert again is not None and not again.newly_waiting  # a re-run keeps the first record

    done = advance(
        migrated_engine,
        case_id=case_id,
        step_id="periksa",
        started_at=T0,
        now=T0 + timedelta(minutes=3),
        outcome="tolak",
        actor=NIP,
        outputs={"hasil": "tolak"},
        decision=DecisionEntry(values={"hasil": "tolak"}, operator_nip=NIP),
    )
    assert done is not None
    assert done.view.finished and done.view.outcome == "ditolak"
    assert [r.step_id for r in done.records] == ["periksa", "cabang", "selesai_ditolak"]
    assert done.records[0].budget_exceeded  # 3 minutes against 2
    assert not any(r.budget_exceeded for r in done.records[1:])

    stale = advance(
        migrated_engine,
        case_id=case_id,
        step_id="periksa",
        started_at=T0,
        now=T0,
        outcome="setuju",
        actor=NIP,
    )
    assert stale is None  # the case moved on: nothing is written twice
    with session_scope(migrated_engine) as session:
        steps = [r.step_id for r in repo.step_records(session, case_id=case_id)]
        assert steps == ["ajukan", "periksa", "cabang", "selesai_ditolak"]
        assert verify_chain(session)[1] is None


def test_a_stalled_case_is_not_claimed_until_retried(migrated_engine: Engine) -> None:
    case_id = new_case(migrated_engine)
    load_for_run(migrated_engine, case_id=case_id, flow_run_id="run-1", now=T0)
    stalled = mark_stalled(
        migrated_engine, case_id=case_id, reason="NoChoicesError: no operator", now=T0
    )
    assert stalled.status == "stalled"
    view = load_for_run(migrated_engine, case_id=case_id, flow_run_id="run-2", now=T0)
    assert view.status == "stalled"  # a re-run does not pick it up by itself
    released = clear_stalled(migrated_engine, case_id=case_id, actor="admin", now=T0)
    assert released.status == "submitted" and released.current_step == "periksa"
    view = load_for_run(migrated_engine, case_id=case_id, flow_run_id="run-3", now=T0)
    assert view.status == "running"
    with session_scope(migrated_engine) as session:
        case = repo.get_case(session, case_id=case_id)
        assert not any(flag.startswith("macet") for flag in case.flags)
        assert verify_chain(session)[1] is None
