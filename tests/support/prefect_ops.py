"""Talking to a Prefect server the way the UI and an operator do (plain HTTP)."""

from __future__ import annotations

import time
from typing import Any

import httpx


def flow_run(api_url: str, flow_run_id: str) -> dict[str, Any]:
    response = httpx.get(f"{api_url}/flow_runs/{flow_run_id}", timeout=10)
    response.raise_for_status()
    return dict(response.json())


def wait_for_state(
    api_url: str, flow_run_id: str, state_types: set[str], *, timeout: float = 60
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        last = flow_run(api_url, flow_run_id)
        if last.get("state") and last["state"]["type"] in state_types:
            return last
        time.sleep(0.2)
    raise AssertionError(f"flow run {flow_run_id} not in {state_types}: {last.get('state')}")


def resume(api_url: str, flow_run_id: str, run_input: dict[str, Any]) -> dict[str, Any]:
    """POST /flow_runs/{id}/resume with run_input, exactly as the UI's form does."""
    response = httpx.post(
        f"{api_url}/flow_runs/{flow_run_id}/resume", json={"run_input": run_input}, timeout=10
    )
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def input_schema(api_url: str, flow_run_id: str) -> dict[str, Any]:
    """The JSON schema the UI renders as the operator's form."""
    run = flow_run(api_url, flow_run_id)
    keyset = run["state"]["state_details"]["run_input_keyset"]
    response = httpx.get(f"{api_url}/flow_runs/{flow_run_id}/input/{keyset['schema']}", timeout=10)
    response.raise_for_status()
    return dict(response.json())


def description_markdown(api_url: str, flow_run_id: str) -> str:
    run = flow_run(api_url, flow_run_id)
    keyset = run["state"]["state_details"]["run_input_keyset"]
    response = httpx.get(
        f"{api_url}/flow_runs/{flow_run_id}/input/{keyset['description']}", timeout=10
    )
    response.raise_for_status()
    return str(response.json())
