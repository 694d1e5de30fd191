"""The operators' work list: per lane, the cases waiting for a decision, oldest deadline first,
as a markdown artifact kept current in Prefect (key `daftar-kerja-<lane>`).

Why an artifact: it is the one Prefect object that shows text and links we write, lives at a
stable address (`/artifacts/key/<key>` shows the latest version) and needs no Cloud feature.
A saved filter of the runs page cannot sort by our deadlines or show budgets; a work queue
lists what a worker will start, not what waits for a person.

The list is the artifact's description as well as its data: the V2 UI renders a description
as markdown at the top of the key's page (`/v2/artifacts/key/daftar-kerja-<lane>`), so that one
bookmark shows the current list with no click (the data alone shows only after opening the
latest version).

Each row links to the run's page in the V1 UI (`/runs/flow-run/<id>`, no `/v2`), not V2's: V1's
page shows a **Resume** button for a paused run, one click to the decision form ("Resume Flow
Run", sent with **Submit**). In V2, Resume sits only under the run's "⋮" menu and no address opens
the dialog: one click more. Prefect serves V1 beside the default V2 and never redirects a V1 deep
link (only the bare root follows the `prefect_ui_version` cookie). Both render the same form from
the same schema and markdown. The list holds references, step names and times only: no names, no
case-file link.

Refreshed by the runner's maintenance loop (only when the list changed: a case came or went,
or a deadline passed) and shortly after a case starts or stops waiting: in the runner, changes
within `REFRESH_DELAY` are published together (twenty cases changing at once cost one query and
one artifact per lane, not twenty); elsewhere (a flow run outside the runner) at once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import ArtifactCreate
from prefect.settings import PREFECT_UI_URL
from sqlmodel import col, select

from adapters.bahasa import lama, long_date
from adapters.db import case_repository as repo
from adapters.db.case_tables import CaseStatus, StepRecord
from adapters.db.engine import session_scope
from process_definitions import model as m
from tasks.form_links import renew_form_link
from tasks.services import CaseServices

logger = logging.getLogger("sopflow.work_list")
OFFICE_TZ = ZoneInfo("Asia/Jakarta")
OFFICE_TZ_LABEL = "WIB"
HOW_TO_DECIDE = (
    "Klik **Buka keputusan** (Ctrl+klik untuk tab baru), lalu tombol **Resume** di kanan atas "
    "halaman run: formulir keputusan terbuka."
)
MAX_ROWS = 100
REFRESH_DELAY = 1.0  # seconds: how long a change may wait to be published with others


@dataclass(frozen=True)
class WaitingCase:
    reference: str
    lane: str
    lane_name: str
    step_name: str
    waiting_since: datetime
    budget: timedelta | None
    flow_run_id: str | None
    case_id: str = ""
    step: m.UserTaskStep | None = None
    visit: int = 1

    @property
    def deadline(self) -> datetime | None:
        return self.waiting_since + self.budget if self.budget else None

    def overdue(self, now: datetime) -> bool:
        return self.deadline is not None and now > self.deadline


def waiting_cases(services: CaseServices) -> list[WaitingCase]:
    """Cases waiting at an operator step, with when the wait began (the open step record)."""
    found: list[WaitingCase] = []
    with session_scope(services.engine) as session:
        cases = repo.cases_in_status(session, status=CaseStatus.WAITING, limit=2000)
        open_records = session.exec(
            select(StepRecord).where(
                col(StepRecord.case_id).in_([c.id for c in cases]),
                col(StepRecord.finished_at).is_(None),
            )
        )
        started = {(r.case_id, r.step_id): (repo.utc(r.started_at), r.visit) for r in open_records}
        for case in cases:
            definition = repo.loaded_definition_of(case).definition
            since, visit = started.get((case.id, case.current_step or ""), (None, 1))
            try:
                step = definition.step(case.current_step or "")
            except KeyError:
                continue
            if not isinstance(step, m.UserTaskStep) or since is None:
                continue
            lane = definition.lanes.get(step.lane)
            found.append(
                WaitingCase(
                    reference=case.reference,
                    lane=step.lane,
                    lane_name=lane.name if lane else step.lane,
                    step_name=step.name,
                    waiting_since=since,
                    budget=step.budget,
                    flow_run_id=case.flow_run_id,
                    case_id=case.id,
                    step=step,
                    visit=visit,
                )
            )
    return found


def _clock(moment: datetime) -> str:
    local = moment.astimezone(OFFICE_TZ)
    return f"{local:%H.%M} {OFFICE_TZ_LABEL}"


def _deadline_key(case: WaitingCase) -> tuple[datetime, str]:
    return (case.deadline or case.waiting_since + timedelta(days=365), case.reference)


def lane_markdown(
    lane_name: str, cases: list[WaitingCase], *, now: datetime, ui_url: str | None
) -> str:
    local = now.astimezone(OFFICE_TZ)
    lines = [
        f"# Daftar kerja: {lane_name}",
        "",
        f"Diperbarui {long_date(local.date())} {_clock(now)}. "
        f"**{len(cases)}** kasus menunggu; batas waktu terdekat di atas.",
        "",
    ]
    if not cases:
        return "\n".join([*lines, "_Tidak ada kasus yang menunggu keputusan._"])
    lines += [
        HOW_TO_DECIDE,
        "",
        "| Kasus | Langkah | Menunggu sejak | Lama menunggu / anggaran | Batas waktu | Keputusan |",
        "|---|---|---|---|---|---|",
    ]
    ordered = sorted(cases, key=_deadline_key)
    for case in ordered[:MAX_ROWS]:
        waited = lama(now - case.waiting_since)
        budget = lama(case.budget) if case.budget else "tanpa batas"
        deadline = "-" if case.deadline is None else _clock(case.deadline)
        if case.overdue(now):
            deadline = f"**LEWAT BATAS** ({deadline})"
        link = "-"
        if case.flow_run_id and ui_url:
            link = f"[Buka keputusan]({run_page(ui_url, case.flow_run_id)})"
        lines.append(
            f"| {case.reference} | {case.step_name} | {_clock(case.waiting_since)} | "
            f"{waited} / {budget} | {deadline} | {link} |"
        )
    if len(ordered) > MAX_ROWS:
        lines += ["", f"_Dan {len(ordered) - MAX_ROWS} kasus lain dengan batas waktu lebih akhir._"]
    return "\n".join(lines)


def run_page(ui_url: str, flow_run_id: str) -> str:
    """The run's page in the V1 UI (no `/v2`): its Resume button opens the form in one click."""
    return f"{ui_url.rstrip('/')}/runs/flow-run/{flow_run_id}"


def artifact_key(lane: str) -> str:
    return "daftar-kerja-" + lane.replace("_", "-").lower()


@dataclass
class WorkLists:
    """Publishes a lane's list only when it changed (a case came or went, a deadline passed)."""

    last: dict[str, tuple[tuple[str, str, bool], ...]]
    names: dict[str, str]  # lane id -> display name, as the definitions of cases seen say

    def __init__(self) -> None:
        self.last = {}
        self.names = {}
        self._changed: asyncio.Event | None = None  # set while `keep_current` runs

    async def changed(self, services: CaseServices) -> None:
        """A case started or stopped waiting: publish soon (with others, in the runner)."""
        if self._changed is not None:
            self._changed.set()
        else:
            await refresh_quietly(self, services)

    async def keep_current(self, services: CaseServices, stop: asyncio.Event) -> None:
        """The runner's publisher: one refresh for the changes of each `REFRESH_DELAY`."""
        self._changed = changed = asyncio.Event()
        try:
            while not stop.is_set():
                await changed.wait()
                await asyncio.sleep(REFRESH_DELAY)
                changed.clear()
                await refresh_quietly(self, services)
        finally:
            self._changed = None

    async def refresh(
        self, services: CaseServices, *, force: bool = False, renew_links: bool = False
    ) -> list[str]:
        """Publish the lanes whose list changed; with `renew_links` (the maintenance pass), also
        give waiting forms a fresh case-file link when theirs is past half its life."""
        cases = await asyncio.to_thread(waiting_cases, services)
        if renew_links:
            await _renew_links(services, cases)
        now = services.clock()
        # A case in its brief pause may be decided at once: it is listed once it waits for a
        # person (the run asks for a refresh when it suspends).
        grace = timedelta(seconds=services.decision_grace_seconds)
        cases = [c for c in cases if now - c.waiting_since >= grace]
        self.names.update({c.lane: c.lane_name for c in cases})
        lanes = {*services.roster.root, *self.names}  # every lane, even with nothing waiting
        names = {lane: self.names.get(lane, lane.replace("_", " ").title()) for lane in lanes}
        published = []
        for lane, lane_name in sorted(names.items()):
            mine = [c for c in cases if c.lane == lane]
            signature = tuple(sorted((c.reference, c.step_name, c.overdue(now)) for c in mine))
            if not force and self.last.get(lane) == signature:
                continue
            await publish(lane, lane_markdown(lane_name, mine, now=now, ui_url=ui_url()))
            self.last[lane] = signature
            published.append(lane)
        return published


async def _renew_links(services: CaseServices, cases: list[WaitingCase]) -> None:
    for case in cases:
        if case.flow_run_id is None or case.step is None:
            continue
        try:
            await renew_form_link(
                services,
                flow_run_id=case.flow_run_id,
                case_id=case.case_id,
                step=case.step,
                visit=case.visit,
            )
        except Exception as error:  # one run's inputs must not stop the others
            logger.warning("%s: link not renewed (%s)", case.reference, type(error).__name__)


def ui_url() -> str | None:
    value = PREFECT_UI_URL.value()
    return str(value) if value else None


async def publish(lane: str, markdown: str) -> None:
    """A new version of the lane's artifact, tied to no run (it is the office's, not a case's);
    the description repeats the list: the key's page shows it."""
    async with get_client() as client:
        await client.create_artifact(
            ArtifactCreate(
                key=artifact_key(lane), type="markdown", data=markdown, description=markdown
            )
        )


async def refresh_quietly(lists: WorkLists, services: CaseServices) -> None:
    """A refresh after a case changed: a failure never stops a case (maintenance retries)."""
    try:
        await lists.refresh(services)
    except Exception as error:
        logger.warning("work list not refreshed (%s)", type(error).__name__)


WORK_LISTS = WorkLists()  # one per process: the runner's loop and its in-process case runs
