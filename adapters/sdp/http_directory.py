"""`HttpSdpDirectory`: the SDP directory over a REST endpoint, for offices that get an SDP API.

The endpoint contract (paths configurable):
  GET {base_url}{search_path}?nama=..&upt=..&tanggal_lahir=YYYY-MM-DD&limit=N
      -> 200 with a JSON list of records (or `{"results": [...]}`), fields as in `SdpRecord`
  GET {base_url}{record_path}  (`{no_registrasi}` is replaced, URL-quoted)
      -> 200 with one record, 404 when there is none
Records are re-ranked locally with the same matching as the SQL directory, so scores and
reasons mean the same whatever the source. Transient failures (timeouts, connection errors,
429, 502, 503, 504) are retried with exponential backoff; anything else raises at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.sdp.directory import SdpCandidate, SdpQuery, SdpRecord
from adapters.sdp.errors import (
    RegistrationNumberError,
    SdpRequestError,
    SdpUnavailableError,
)
from adapters.sdp.matching import PreparedQuery, entry_of, exact_registration_candidate, rank
from adapters.sdp.registration import normalise_registration_no

TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
MAX_RETRY_AFTER = 30.0


class SdpHttpSettings(BaseSettings):
    """`SOPFLOW_SDP_HTTP_*`: where the SDP API is and how to reach it."""

    model_config = SettingsConfigDict(
        env_prefix="SOPFLOW_SDP_HTTP_", env_file=".env", extra="ignore"
    )

    base_url: str = Field(default="", description="Empty: use the SQL replica instead.")
    auth_header: str = "Authorization"
    auth_value: SecretStr | None = None
    timeout_seconds: float = Field(default=5.0, gt=0)
    retries: int = Field(default=2, ge=0, le=10)
    backoff_seconds: float = Field(default=0.5, ge=0)
    search_path: str = "/search"
    record_path: str = "/records/{no_registrasi}"


class HttpSdpDirectory:
    def __init__(
        self,
        settings: SdpHttpSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not settings.base_url:
            raise SdpRequestError("SDP API base URL is not configured")
        headers = {"Accept": "application/json"}
        if settings.auth_value is not None:
            headers[settings.auth_header] = settings.auth_value.get_secret_value()
        self._settings = settings
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=settings.base_url.rstrip("/"),
            headers=headers,
            timeout=settings.timeout_seconds,
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpSdpDirectory:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get(self, registration_no: str) -> SdpRecord | None:
        try:
            number = normalise_registration_no(registration_no)
        except RegistrationNumberError:
            return None
        path = self._settings.record_path.replace("{no_registrasi}", quote(number, safe=""))
        response = self._request(path, params=None, allow_404=True)
        if response is None:
            return None
        return _record(_json(response))

    def search(self, query: SdpQuery) -> list[SdpCandidate]:
        record = self.get(query.name)
        if record is not None:
            return [exact_registration_candidate(record)]
        params: dict[str, str] = {"nama": query.name, "limit": str(max(query.limit * 4, 20))}
        if query.upt:
            params["upt"] = query.upt
        if query.born:
            params["tanggal_lahir"] = query.born.isoformat()
        response = self._request(self._settings.search_path, params=params, allow_404=False)
        assert response is not None
        payload = _json(response)
        items = payload.get("results") if isinstance(payload, dict) else payload
        if not isinstance(items, list):
            raise SdpRequestError("SDP search answer is not a list of records")
        records = [_record(item) for item in items]
        return rank(PreparedQuery.of(query), (entry_of(r) for r in records))

    def _request(
        self, path: str, *, params: dict[str, str] | None, allow_404: bool
    ) -> httpx.Response | None:
        attempts = self._settings.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._client.get(path, params=params)
            except httpx.TransportError as exc:  # timeouts, connection and protocol errors
                if last:
                    raise SdpUnavailableError(
                        f"SDP API unreachable after {attempts} attempt(s): {type(exc).__name__}"
                    ) from None
                self._sleep(self._backoff(attempt, None))
                continue
            if response.status_code in TRANSIENT_STATUS:
                if last:
                    raise SdpUnavailableError(
                        f"SDP API answered {response.status_code} after {attempts} attempt(s)"
                    )
                self._sleep(self._backoff(attempt, response))
                continue
            if response.status_code == 404 and allow_404:
                return None
            if response.status_code != 200:
                raise SdpRequestError(f"SDP API answered {response.status_code}")
            return response
        raise SdpUnavailableError("SDP API: no attempt made")  # unreachable: attempts >= 1

    def _backoff(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.strip().isdigit():
                return min(float(retry_after), MAX_RETRY_AFTER)
        return float(self._settings.backoff_seconds * (2**attempt))


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise SdpRequestError("SDP API answer is not JSON") from None


def _record(item: Any) -> SdpRecord:
    try:
        return SdpRecord.model_validate(item)
    except ValidationError:
        raise SdpRequestError("SDP API answered a malformed record") from None
