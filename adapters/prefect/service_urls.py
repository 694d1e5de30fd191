"""Which Prefect server the CLI talks to: PREFECT_API_URL, else the one `sopflow serve` runs
(recorded in `<data_dir>/urls.json`). Never an ephemeral server: a command that would start a
temporary Prefect and change nothing on the running one refuses instead."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx


class NoPrefectError(RuntimeError):
    """No Prefect server to talk to (one line for the administrator)."""


def prefect_api_url(data_dir: Path) -> str:
    url = os.environ.get("PREFECT_API_URL", "").strip()
    source = "PREFECT_API_URL"
    if not url:
        urls = data_dir / "urls.json"
        try:
            url = str(json.loads(urls.read_text(encoding="utf-8"))["prefect_api"])
        except (OSError, ValueError, KeyError):
            raise NoPrefectError(
                f"no Prefect server: set PREFECT_API_URL or start `sopflow serve` "
                f"(looked for {urls})"
            ) from None
        source = str(urls)
    try:
        healthy = httpx.get(f"{url.rstrip('/')}/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        healthy = False
    if not healthy:
        raise NoPrefectError(f"Prefect at {url} (from {source}) does not answer; is it running?")
    return url
