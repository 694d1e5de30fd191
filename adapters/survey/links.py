"""One-time survey links: made when a case ends at a step that offers the survey.

The token is derived from the case id with the instance secret (HMAC), so asking twice for the
same case (a retried notify step) gives the same link; the database keeps only its SHA-256 and
the expiry. Time is passed in, never read here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from adapters.db.case_tables import Case
from adapters.reports.samples import definition_of
from adapters.survey.tables import SurveyToken
from process_definitions import model as m

PATH = "/survei"
_SALT = b"sopflow.survey.v1:"


def token_for(case_id: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), _SALT + case_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_link_for_case(
    session: Session,
    *,
    case_id: str,
    end_step_id: str,
    secret: str,
    base_url: str,
    now: datetime,
    ttl: timedelta,
) -> str | None:
    """The survey URL to put in the case's last message (template variable `survey_url`), or
    None when the case's pinned definition does not offer the survey at `end_step_id`.
    Creates the token row once; later calls return the same URL and keep the first expiry."""
    case = session.get(Case, case_id)
    if case is None:
        raise KeyError(case_id)
    survey = definition_of(case, {}).survey
    if survey is None or not survey.offered_at(end_step_id):
        return None
    token = token_for(case_id, secret)
    digest = token_hash(token)
    if session.get(SurveyToken, digest) is None:
        session.add(
            SurveyToken(
                token_hash=digest,
                definition_id=case.definition_id,
                end_step_id=end_step_id,
                expires_at=now.astimezone(UTC) + ttl,
            )
        )
        session.flush()
    return f"{base_url.rstrip('/')}{PATH}/{token}"


def end_reached_after(definition: m.ProcessDefinition, step_id: str) -> str | None:
    """The end step a notify step hands over to (its `next`), or None when the case goes on:
    the step whose message is the case's last one, where `survey_url` belongs."""
    step = definition.step(step_id)
    following = getattr(step, "next", None)
    if following is None:
        return None
    return following if isinstance(definition.step(following), m.EndStep) else None
