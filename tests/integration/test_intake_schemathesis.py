"""The intake app's OpenAPI schema fuzzed with schemathesis: no input gives a server error.

Half of the generated form posts carry a valid CSRF token and cookie, so the fuzzed values reach
validation, the upload checks and the database instead of stopping at the token check.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from adapters.case_links import CaseLinkSigner
from adapters.db.engine import make_engine
from adapters.db.migrate import upgrade
from adapters.intake.app import create_app
from adapters.intake.context import IntakeLimits
from adapters.intake.security import CSRF_COOKIE, CSRF_FIELD
from adapters.storage.fake_store import InMemoryObjectStore
from process_definitions.loader import load_definition
from tests.support.definition_folders import PENGADUAN
from tests.support.fake_starter import FakeCaseStarter

pytestmark = pytest.mark.integration

SOP = (
    Path(__file__).resolve().parents[2]
    / "process_definitions"
    / "layanan_informasi_integrasi"
    / "process.yaml"
)
SECRET = "schemathesis-secret-0123456789"
FORM = "/layanan-informasi-integrasi"
# Generated cases per generation mode (two modes): 500 each is the 1,000 of issue 15's target,
# about a minute here; raise it for a longer hunt: SOPFLOW_FUZZ_EXAMPLES=5000.
EXAMPLES = int(os.environ.get("SOPFLOW_FUZZ_EXAMPLES", "500"))


@pytest.fixture
def intake_app(tmp_path: Path) -> Iterator[FastAPI]:
    url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    upgrade(url)
    engine = make_engine(url)
    limits = IntakeLimits(submit_per_window=10_000, status_per_window=10_000)
    yield create_app(
        definitions=[load_definition(SOP), load_definition(PENGADUAN)],  # both services
        engine=engine,
        store=InMemoryObjectStore(),
        starter=FakeCaseStarter(),
        signer=CaseLinkSigner(SECRET, "http://testserver"),
        secret_key=SECRET,
        limits=limits,
    )
    engine.dispose()


@pytest.fixture
def csrf(intake_app: FastAPI) -> tuple[str, str]:
    """A valid (token, cookie) pair, taken from the form page like a browser would."""
    client = TestClient(intake_app)
    page = client.get(f"{FORM}/")
    match = re.search(r'name="csrf-token" value="([^"]+)"', page.text)
    assert match
    return match.group(1), page.cookies[CSRF_COOKIE]


# schemathesis' pytest plugin (`from_fixture`) does not run under pytest 9, so the schema's
# Hypothesis strategy drives the test directly (schemathesis documents this use).
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_input_gives_a_server_error(
    intake_app: FastAPI, csrf: tuple[str, str], mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", intake_app)
    token, cookie = csrf
    counter = itertools.count()

    @given(case=schema.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Any) -> None:
        cookies = {}
        if next(counter) % 2 == 0:
            cookies = {CSRF_COOKIE: cookie}
            if isinstance(case.body, dict):
                case.body[CSRF_FIELD] = token
        case.call_and_validate(checks=[not_a_server_error], cookies=cookies)

    fuzz()
    assert next(counter) >= EXAMPLES * 0.8  # the fuzzer really ran (it may stop a bit early)


def test_the_schema_documents_the_generated_form(intake_app: FastAPI) -> None:
    spec = TestClient(intake_app).get("/openapi.json").json()
    body = spec["paths"][f"{FORM}/kirim"]["post"]["requestBody"]["content"]["multipart/form-data"]
    properties = body["schema"]["properties"]
    assert properties["foto_ktp"] == {"type": "string", "format": "binary"}
    assert properties["hubungan_pemohon"]["enum"] == ["keluarga", "pengacara"]
    assert "waktu_pengisian" not in properties  # set on submit, never sent
    assert {"/", "/status", "/berkas/{token}", f"{FORM}/", f"{FORM}/status"} <= set(spec["paths"])
    assert {f"{FORM}/poster", f"{FORM}/poster/qr.png"} <= set(spec["paths"])
