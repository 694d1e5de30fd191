"""One-time form tokens: a form token that made a case cannot make another.

Only a digest of the token is kept (the token itself would let anyone holding the row post
again), with the reference of the case it made, so a repeated post can be told which case it
already is. Rows are written in the same transaction as the case: two racing posts of one
token collide on the primary key and only one case is committed.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Column, DateTime, String
from sqlmodel import Field, Session, SQLModel


class FormTokenUse(SQLModel, table=True):
    __tablename__ = "form_token_use"

    digest: str = Field(sa_column=Column(String(64), primary_key=True))
    reference: str = Field(sa_column=Column(String(32), nullable=False))
    used_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def record_token_use(session: Session, *, token: str, reference: str, at: datetime) -> None:
    """Add the use to the caller's transaction (IntegrityError at flush if already used)."""
    session.add(FormTokenUse(digest=token_digest(token), reference=reference, used_at=at))
    session.flush()


def case_made_with(session: Session, token: str) -> str | None:
    """The reference of the case this token already made, or None."""
    use = session.get(FormTokenUse, token_digest(token))
    return use.reference if use else None
