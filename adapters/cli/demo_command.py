"""`sopflow demo [--json]`: play cases through both branches against the running service.

As real users would: the applicant submits the public form over HTTP with a sample KTP; the
operator answers the Prefect form through `POST /api/flow_runs/{id}/resume`, as the UI does.
Then it reports, per case, the reference, the path taken, each step's duration against its
budget and where each message went.
"""

from __future__ import annotations

import io
import json
import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import typer
from sqlalchemy import update
from sqlmodel import col, select

from adapters.db import case_repository as repo
from adapters.db.case_tables import Case
from adapters.db.engine import make_engine, session_scope
from adapters.notify.outbox_table import OutboxMessage
from adapters.settings import get_settings
from process_definitions import model as m
from process_definitions.loader import LoadedDefinition, load_definition

REFERENCE = re.compile(r"\b[A-Z]{2,5}-\d{4}-\d{6}\b")
CSRF = re.compile(r'name="csrf-token" value="([^"]+)"')
MANUAL_CHOICE = "manual"  # a match the operator types in: the demo picks candidates only
NOT_FOUND_CHOICE = "tidak_ditemukan"


@dataclass
class StepReport:
    step: str
    sop_step: int
    duration_seconds: float | None
    budget_seconds: float | None
    within_budget: bool | None


@dataclass
class CaseReport:
    scenario: str
    reference: str
    outcome: str | None = None
    completed: bool = False
    path: list[str] = field(default_factory=list)
    steps: list[StepReport] = field(default_factory=list)
    messages: list[dict[str, str]] = field(default_factory=list)


class DemoError(RuntimeError):
    pass


TRANSIENT_STATUS = {429, 502, 503, 504}


def call(api: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """An API call that retries what a busy Prefect server answers while it catches up
    (its SQLite database answers 503 under load; Prefect's own client retries these too)."""
    for attempt in range(10):
        response = api.request(method, url, **kwargs)
        if response.status_code not in TRANSIENT_STATUS:
            return response
        time.sleep(min(0.2 * 2**attempt, 5))
    return response


def sample_jpeg() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), (230, 236, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 620, 380), outline=(40, 60, 120), width=4)
    draw.text((40, 40), "KTP CONTOH - DATA DEMO", fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def sample_answers(definition: m.ProcessDefinition, prisoner: str, tag: str) -> dict[str, str]:
    """A plausible value for every form field, the prisoner's name where SDP searches it."""
    search_fields = {s.params.get("name") for s in definition.steps if isinstance(s, m.ServiceStep)}
    values: dict[str, str] = {}
    for item in definition.form_fields():
        if not item.required:
            continue  # e.g. the optional second signals: a made-up UPT would mislead the search
        if item.id in search_fields:
            values[item.id] = prisoner
        elif isinstance(item, m.PhoneField):
            values[item.id] = "0812 3456 7890"
        elif isinstance(item, m.EmailField):
            values[item.id] = f"pemohon.demo.{tag}@example.com"
        elif isinstance(item, m.ChoiceField):
            values[item.id] = item.options[min(1, len(item.options) - 1)].value
        elif isinstance(item, m.DeclarationField):
            values[item.id] = "ya"
        elif isinstance(item, m.TextField | m.TextareaField):
            values[item.id] = f"Demo {item.label}"[: item.max_length]
    return values


def submit(
    client: httpx.Client, form_url: str, loaded: LoadedDefinition, prisoner: str, tag: str
) -> str:
    page = client.get(form_url)
    token = CSRF.search(page.text)
    if page.status_code != 200 or token is None:
        raise DemoError(f"form page {form_url} answered {page.status_code}")
    data = {"csrf-token": token.group(1), **sample_answers(loaded.definition, prisoner, tag)}
    files = {
        f.id: ("ktp-demo.jpg", sample_jpeg(), "image/jpeg")
        for f in loaded.definition.form_fields()
        if isinstance(f, m.FileField)
    }
    response = client.post(
        form_url.rstrip("/") + "/kirim", data=data, files=files, follow_redirects=True
    )
    found = REFERENCE.search(response.text)
    if response.status_code != 200 or found is None:
        raise DemoError(f"submit answered {response.status_code} without a case reference")
    return found.group(0)


def mark_demo(reference: str) -> None:
    """Mark the case as a demo (by reference, after submission: the public form has no way to
    set this), so reports, the register and exports leave it out."""
    engine = make_engine(get_settings().database_url)
    try:
        with session_scope(engine) as session:
            session.execute(
                update(Case).where(col(Case.reference) == reference).values(is_demo=True)
            )
    finally:
        engine.dispose()


def flow_run_of(api: httpx.Client, reference: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = call(
            api,
            "POST",
            "/flow_runs/filter",
            json={"flow_runs": {"name": {"any_": [reference]}}, "limit": 1},
        ).json()
        if runs:
            return dict(runs[0])
        time.sleep(0.5)
    raise DemoError(f"no flow run for {reference}")


def wait_state(api: httpx.Client, run_id: str, types: set[str], timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = call(api, "GET", f"/flow_runs/{run_id}").json()["state"]
        if state and state["type"] in types:
            return str(state["type"])
        time.sleep(0.5)
    raise DemoError(f"flow run {run_id} did not reach {sorted(types)}")


def answer_for(schema: dict[str, Any], scenario: str) -> dict[str, str]:
    """The operator's answer: the scenario's choice for the SDP decision, the first option and
    the first NIP elsewhere; free text stays empty."""
    answer: dict[str, str] = {}
    for name in schema.get("required", []):
        prop = schema["properties"][name]
        options = prop.get("enum") or ([prop["const"]] if "const" in prop else [])
        if not options:
            continue
        if NOT_FOUND_CHOICE in options:
            keys = [o for o in options if o not in (NOT_FOUND_CHOICE, MANUAL_CHOICE)]
            answer[name] = keys[0] if scenario == "ditemukan" and keys else NOT_FOUND_CHOICE
        else:
            answer[name] = options[0]
    return answer


def input_schema(api: httpx.Client, run_id: str, key: str, timeout: float = 30) -> dict[str, Any]:
    """The form's schema; a run turns Paused a moment before its schema is saved."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = call(api, "GET", f"/flow_runs/{run_id}/input/{key}")
        if response.status_code == 200:
            return dict(response.json())
        time.sleep(0.2)
    raise DemoError(f"flow run {run_id} shows no input form")


def _moved_on(api: httpx.Client, run_id: str, details: dict[str, Any]) -> bool:
    """The run no longer waits under the pause key it was answered at."""
    now = call(api, "GET", f"/flow_runs/{run_id}").json()["state"]
    return bool(
        now["type"] != "PAUSED" or now["state_details"].get("pause_key") != details.get("pause_key")
    )


def operate(api: httpx.Client, run_id: str, scenario: str) -> None:
    """Answer every operator step until the run completes."""
    for _ in range(10):
        state = wait_state(api, run_id, {"PAUSED", "COMPLETED", "FAILED", "CRASHED"})
        if state != "PAUSED":
            if state != "COMPLETED":
                raise DemoError(f"flow run {run_id} ended {state}")
            return
        details = call(api, "GET", f"/flow_runs/{run_id}").json()["state"]["state_details"]
        if not details.get("run_input_keyset"):
            continue  # the run is leaving its brief pause for a suspension: look again
        schema = input_schema(api, run_id, details["run_input_keyset"]["schema"])
        response = call(
            api,
            "POST",
            f"/flow_runs/{run_id}/resume",
            json={"run_input": answer_for(schema, scenario)},
        )
        result = response.json() if response.status_code < 500 else {}
        if result.get("status") != "ACCEPT":
            if _moved_on(api, run_id, details):
                continue  # answered as its brief pause closed: answer the suspension
            raise DemoError(f"resume refused: {result or response.status_code}")
        # wait until the run has left this pause before looking again
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = call(api, "GET", f"/flow_runs/{run_id}").json()["state"]
            if now["type"] != "PAUSED" or now["state_details"].get("pause_key") != details.get(
                "pause_key"
            ):
                break
            time.sleep(0.3)
    raise DemoError(f"flow run {run_id} kept asking")


def report(reference: str, scenario: str) -> CaseReport:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    result = CaseReport(scenario=scenario, reference=reference)
    with session_scope(engine) as session:
        case = repo.get_case_by_reference(session, reference=reference)
        if case is None:
            raise DemoError(f"case {reference} not in the case database")
        result.outcome, result.completed = case.outcome, case.status == "completed"
        for record in repo.step_records(session, case_id=case.id):
            result.path.append(record.step_id)
            within = None
            if record.budget_seconds is not None and record.duration_seconds is not None:
                within = not record.budget_exceeded
            result.steps.append(
                StepReport(
                    record.step_id,
                    record.sop_step,
                    record.duration_seconds,
                    record.budget_seconds,
                    within,
                )
            )
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.case_id == case.id))
        outbox_dir = (settings.data_dir / "outbox").resolve()
        for row in rows:
            files = sorted(outbox_dir.rglob(f"{row.idempotency_key}*"))
            where = str(files[0]) if files else "channel configured in SOPFLOW_CHANNELS_FILE"
            result.messages.append({"channel": row.channel, "status": row.status, "to": where})
    engine.dispose()
    return result


def demo(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Play one case per branch against the running `sopflow serve`."""
    settings = get_settings()
    urls_file = settings.data_dir / "urls.json"
    if not urls_file.exists():
        typer.echo(f"sopflow demo: no {urls_file}; start `sopflow serve` first", err=True)
        raise typer.Exit(1)
    urls = json.loads(urls_file.read_text())
    loaded = load_definition(
        settings.definitions_dir / "layanan_informasi_integrasi" / "process.yaml"
    )
    scenarios = {
        "ditemukan": "Muhammad Rizki bin Sulaiman",
        "tidak_ditemukan": "Nama Fiktif Tanpa Data",
    }
    reports: list[CaseReport] = []
    try:
        with (
            httpx.Client(timeout=30) as web,
            httpx.Client(base_url=urls["prefect_api"], timeout=30) as api,
        ):
            for scenario, prisoner in scenarios.items():
                reference = submit(web, urls["form"], loaded, prisoner, scenario)
                mark_demo(reference)
                run = flow_run_of(api, reference)
                operate(api, str(run["id"]), scenario)
                reports.append(report(reference, scenario))
    except (DemoError, httpx.HTTPError) as error:
        typer.echo(f"sopflow demo: {error}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "cases": [asdict(r) for r in reports],
                    "all_completed": all(r.completed for r in reports),
                },
                indent=2,
            )
        )
        return
    for r in reports:
        typer.echo(f"{r.reference} [{r.scenario}] -> {r.outcome}")
        for s in r.steps:
            budget = f"/{s.budget_seconds:.0f}s" if s.budget_seconds else ""
            flag = "" if s.within_budget in (None, True) else "  MELEWATI BATAS"
            typer.echo(f"  {s.sop_step}. {s.step}: {s.duration_seconds or 0:.1f}s{budget}{flag}")
        for message in r.messages:
            typer.echo(f"  {message['channel']} ({message['status']}): {message['to']}")
