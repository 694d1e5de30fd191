"""Keep the case-file link on a waiting form usable without making it long-lived.

A link lives twice the step's budget (at least 15 minutes), but a case may wait longer for its
operator. The runner's maintenance pass replaces the link in the form's description (a Prefect
run input, read afresh each time the Resume dialog opens) once it is past half its life, so the
form always offers a working link while every link stays short-lived and tied to its step.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta
from uuid import UUID

from prefect.client.orchestration import get_client

from adapters.case_links import CaseLinkSigner, link_ttl_for
from process_definitions import model as m
from tasks.run_inputs import PAUSE_STATES
from tasks.services import CaseServices

logger = logging.getLogger("sopflow.form_links")
_LINK = re.compile(r"(https?://[^\s)]+/berkas/)([A-Za-z0-9_.\-]+)")


def renewed_description(
    text: str,
    *,
    signer: CaseLinkSigner,
    case_id: str,
    step: m.UserTaskStep,
    now: datetime,
    fallback_ttl: timedelta,
) -> str | None:
    """The description with a fresh link, or None when its link is young enough (or absent)."""
    match = _LINK.search(text)
    if match is None:
        return None
    ttl = link_ttl_for(step.budget, fallback=fallback_ttl)
    expires = signer.expires_at(match.group(2))
    if expires is not None and expires - now > ttl / 2:
        return None
    fresh = signer.url(case_id, step_id=step.id, now=now, ttl=ttl)
    return text[: match.start()] + fresh + text[match.end() :]


async def renew_form_link(
    services: CaseServices, *, flow_run_id: str, case_id: str, step: m.UserTaskStep, visit: int
) -> bool:
    """Renew the link on the open form of this step visit (the one with no response yet)."""
    run_id = UUID(flow_run_id)
    prefix = f"{step.id.replace('_', '-')}-{visit}-"
    async with get_client() as client:
        inputs = []
        for state in PAUSE_STATES:
            inputs += await client.filter_flow_run_input(
                run_id, key_prefix=f"{state}-{prefix}", limit=200, exclude_keys=set()
            )
        keys = {item.key: item.value for item in inputs}
        for key, value in keys.items():
            base = key.removesuffix("-description")
            if base == key or f"{base}-response" in keys:
                continue
            text = json.loads(value)
            renewed = renewed_description(
                str(text),
                signer=services.links,
                case_id=case_id,
                step=step,
                now=services.clock(),
                fallback_ttl=services.link_ttl,
            )
            if renewed is None:
                continue
            await client.delete_flow_run_input(run_id, key)
            await client.create_flow_run_input(run_id, key, json.dumps(renewed))
            return True
    return False
