"""`HttpSdpDirectory` against a local stub SDP API (127.0.0.1, free port, stopped afterwards)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from pydantic import SecretStr

from adapters.sdp.directory import SdpDirectory, SdpQuery
from adapters.sdp.errors import SdpRequestError, SdpUnavailableError
from adapters.sdp.http_directory import HttpSdpDirectory, SdpHttpSettings
from tests.unit.test_sdp_matching import DIRECTORY_RECORDS

TOKEN = "Bearer test-token"


@dataclass
class StubState:
    """What the stub answers: `fail` is a list of status codes (or "slow") to answer first."""

    fail: list[int | str] = field(default_factory=list)
    requests: list[tuple[str, dict[str, list[str]], str | None]] = field(default_factory=list)
    malformed: bool = False


def _handler(state: StubState) -> type[BaseHTTPRequestHandler]:
    records = {r.no_registrasi: r.model_dump(mode="json") for r in DIRECTORY_RECORDS}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:  # keep test output quiet
            return

        def _send(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            state.requests.append((url.path, query, self.headers.get("Authorization")))
            if self.headers.get("Authorization") != TOKEN:
                self._send(401, {"error": "unauthorised"})
                return
            if state.fail:
                failure = state.fail.pop(0)
                if failure == "slow":
                    time.sleep(0.5)
                    self._send(200, [])
                    return
                assert isinstance(failure, int)
                self._send(failure, {"error": "stub failure"})
                return
            if url.path == "/api/v1/search":
                if state.malformed:
                    self._send(200, [{"nama": "no registration number"}])
                    return
                name = query.get("nama", [""])[0].lower().split()[-1]
                hits = [r for r in records.values() if name[:4] in json.dumps(r).lower()]
                self._send(200, {"results": hits})
                return
            if url.path.startswith("/api/v1/records/"):
                number = unquote(url.path.removeprefix("/api/v1/records/"))
                if number in records:
                    self._send(200, records[number])
                else:
                    self._send(404, {"error": "not found"})
                return
            self._send(404, {"error": "no such path"})

    return Handler


@pytest.fixture
def stub() -> Iterator[tuple[str, StubState]]:
    state = StubState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v1", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def make(base_url: str, *, token: str | None = TOKEN, retries: int = 2) -> HttpSdpDirectory:
    settings = SdpHttpSettings(
        base_url=base_url,
        auth_header="Authorization",
        auth_value=SecretStr(token) if token else None,
        timeout_seconds=0.2,
        retries=retries,
        backoff_seconds=0.0,
    )
    return HttpSdpDirectory(settings, sleep=lambda _: None)


def test_search_and_get_through_the_api(stub: tuple[str, StubState]) -> None:
    base_url, state = stub
    with make(base_url) as directory:
        assert isinstance(directory, SdpDirectory)
        found = directory.search(SdpQuery(name="Achmad Fauzy", upt="Pandeglang"))
        assert found[0].no_registrasi == "B.I 6/2024"
        assert "UPT cocok sebagian" in found[0].reasons
        record = directory.get("bi-7/24")
        assert record is not None and record.nama == "Tjahjono Soedirman"
        assert directory.get("B.I 999/2024") is None
    search = next(r for r in state.requests if r[0] == "/api/v1/search")
    assert search[1]["nama"] == ["Achmad Fauzy"] and search[1]["upt"] == ["Pandeglang"]
    assert all(auth == TOKEN for _, _, auth in state.requests)


def test_transient_errors_are_retried(stub: tuple[str, StubState]) -> None:
    base_url, state = stub
    state.fail = [503, 502, "slow"]
    with make(base_url, retries=3) as directory:
        assert directory.get("B.I 1/2024") is not None
    assert len(state.requests) == 4


def test_retries_give_up_as_unavailable(stub: tuple[str, StubState]) -> None:
    base_url, state = stub
    state.fail = [503, 503, 503]
    with make(base_url, retries=2) as directory, pytest.raises(SdpUnavailableError, match="503"):
        directory.get("B.I 1/2024")
    assert len(state.requests) == 3


@pytest.mark.parametrize("status", [400, 403, 500])
def test_other_errors_are_not_retried(stub: tuple[str, StubState], status: int) -> None:
    base_url, state = stub
    state.fail = [status]
    with make(base_url) as directory, pytest.raises(SdpRequestError, match=str(status)):
        directory.search(SdpQuery(name="Budi"))
    assert len(state.requests) == 1


def test_missing_credentials_are_a_request_error(stub: tuple[str, StubState]) -> None:
    base_url, state = stub
    with make(base_url, token=None) as directory, pytest.raises(SdpRequestError, match="401"):
        directory.get("B.I 1/2024")
    assert len(state.requests) == 1


def test_malformed_answers_are_refused(stub: tuple[str, StubState]) -> None:
    base_url, state = stub
    state.malformed = True
    with make(base_url) as directory, pytest.raises(SdpRequestError, match="malformed"):
        directory.search(SdpQuery(name="Budi"))


def test_unreachable_endpoint_is_unavailable() -> None:
    with make("http://127.0.0.1:9", retries=1) as directory, pytest.raises(SdpUnavailableError):
        directory.get("B.I 1/2024")
