"""What the case tasks talk to, gathered in one container and entered explicitly.

Composition roots (the runner, `serve`, tests) build a `CaseServices` and enter it:

    with entered_services(services):
        ...  # flows and tasks started here call get_services()

Nothing is built on import or first use: a task that runs outside an entered context fails
with `ServicesNotEnteredError`. The context is a ContextVar, so asyncio tasks and the threads
Prefect and `asyncio.to_thread` start inherit it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from adapters.case_links import CaseLinkSigner
from adapters.notify.channels import ChannelConfig
from adapters.notify.protocol import Notifier
from adapters.prefect.starter import CaseStarter, PrefectCaseStarter
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
    # A run from a deployment waits this long in process before it suspends (0: suspend at once).
    decision_grace_seconds: float = 3.0
    decision_poll_seconds: float = 0.1
    notify_max_attempts: int = 5
    notify_retry_base: timedelta = timedelta(seconds=30)
    templates_cache: Path = Path("var/templates")
    public_form_url: str | None = None
    sleep: Callable[[float], None] = time.sleep
    starter: CaseStarter = field(default_factory=PrefectCaseStarter)
    supervisor_recipient: str = "supervisor"
    extra: dict[str, object] = field(default_factory=dict)


class ServicesNotEnteredError(RuntimeError):
    """A case task ran outside `entered_services(...)`: a composition root forgot to enter."""


_current: ContextVar[CaseServices | None] = ContextVar("sopflow_case_services", default=None)


@contextmanager
def entered_services(services: CaseServices) -> Iterator[CaseServices]:
    token = _current.set(services)
    try:
        yield services
    finally:
        _current.reset(token)


def get_services() -> CaseServices:
    services = _current.get()
    if services is None:
        raise ServicesNotEnteredError(
            "no case services entered: wrap the runner or test in entered_services(...)"
        )
    return services
