"""What the case tasks talk to, gathered in one container and injected.

The runner (or a test) calls `use_services(...)` once; tasks call `get_services()`. Without
configuration the container is built from Settings (embedded defaults).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from adapters.case_links import CaseLinkSigner
from adapters.notify.channels import ChannelConfig
from adapters.notify.protocol import Notifier
from adapters.orchestrator import CaseStarter, PrefectCaseStarter
from adapters.roster import Roster
from adapters.sdp.directory import SdpDirectory


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CaseServices:
    engine: Engine
    sdp: SdpDirectory
    notifier: Notifier
    channels: ChannelConfig
    roster: Roster
    links: CaseLinkSigner
    clock: Callable[[], datetime] = utc_now
    link_ttl: timedelta = timedelta(hours=24)
    operator_wait_timeout: timedelta = timedelta(days=30)
    pause_poll_seconds: float = 2.0
    notify_max_attempts: int = 5
    notify_retry_base: timedelta = timedelta(seconds=30)
    templates_cache: Path = Path("var/templates")
    public_form_url: str | None = None
    sleep: Callable[[float], None] = time.sleep
    starter: CaseStarter = field(default_factory=PrefectCaseStarter)
    supervisor_recipient: str = "supervisor"
    extra: dict[str, object] = field(default_factory=dict)


_services: CaseServices | None = None


def use_services(services: CaseServices | None) -> None:
    global _services
    _services = services


def get_services() -> CaseServices:
    global _services
    if _services is None:
        from tasks.services_from_settings import services_from_settings

        _services = services_from_settings()
    return _services
