"""Check a survey link and store its answer: one answer per link, in one transaction."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col

from adapters.db.case_repository import utc
from adapters.survey.elements import KEYS
from adapters.survey.errors import SurveyAnswerError, SurveyLinkError
from adapters.survey.links import token_hash
from adapters.survey.tables import SUGGESTION_MAX, SurveyAnswer, SurveyToken

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_SPACES = re.compile(r"[ \t]+")


def open_survey(session: Session, token: str, *, now: datetime) -> SurveyToken:
    """The token row of a usable link; SurveyLinkError("unknown"/"expired"/"used") otherwise."""
    if not _TOKEN.match(token):
        raise SurveyLinkError("unknown")
    row = session.get(SurveyToken, token_hash(token))
    if row is None:
        raise SurveyLinkError("unknown")
    if row.used:
        raise SurveyLinkError("used")
    if utc(now) >= utc(row.expires_at):
        raise SurveyLinkError("expired")
    return row


def normalise_suggestion(text: str | None) -> str:
    """Free text from the public: control and format characters dropped (newlines kept),
    spaces folded, blank lines removed. Escaping is the job of each renderer."""
    if not text:
        return ""
    kept = "".join(
        ch
        for ch in unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
        if ch == "\n" or unicodedata.category(ch)[0] != "C"
    )
    lines = [_SPACES.sub(" ", line).strip() for line in kept.split("\n")]
    return "\n".join(line for line in lines if line).strip()


def clean_suggestion(text: str | None) -> str | None:
    """The suggestion as stored: normalised, at most SUGGESTION_MAX characters, or None."""
    return normalise_suggestion(text)[:SUGGESTION_MAX] or None


def parse_scores(raw: Mapping[str, str | None]) -> dict[str, int]:
    """u1..u9 as integers 1..4; SurveyAnswerError naming every element left out or wrong."""
    scores: dict[str, int] = {}
    errors: dict[str, str] = {}
    for key in KEYS:
        value = (raw.get(key) or "").strip()
        if value not in ("1", "2", "3", "4"):
            errors[key] = "Pilih salah satu jawaban." if not value else "Jawaban tidak sah."
            continue
        scores[key] = int(value)
    if errors:
        raise SurveyAnswerError(errors)
    return scores


def submit_answer(
    session: Session,
    token: str,
    *,
    scores: Mapping[str, int],
    suggestion: str | None,
    now: datetime,
    office_day: date,
) -> None:
    """Store one answer and mark the link used. The link is claimed with a conditional UPDATE,
    so two tabs sending at once store one answer. `office_day` is the answer's local date; no
    time of day is kept."""
    row = open_survey(session, token, now=now)
    if set(scores) != set(KEYS) or any(v not in (1, 2, 3, 4) for v in scores.values()):
        raise SurveyAnswerError({key: "Jawaban tidak sah." for key in KEYS if key not in scores})
    claimed = session.execute(
        update(SurveyToken)
        .where(col(SurveyToken.token_hash) == row.token_hash, col(SurveyToken.used).is_(False))
        .values(used=True)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise SurveyLinkError("used")
    session.add(
        SurveyAnswer(
            definition_id=row.definition_id,
            answered_on=office_day,
            suggestion=clean_suggestion(suggestion),
            **{key: scores[key] for key in KEYS},
        )
    )
    session.flush()
