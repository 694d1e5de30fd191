"""Survey tables, apart from the case's personal data so they survive `purge`.

`survey_token` holds the SHA-256 of each case's one-time link (never the link itself, nor the
case id: the link is derived from the case id with the instance secret, so one row per case),
its expiry and whether it was used: one answer per case. `survey_answer` holds the nine scores,
the optional suggestion and the answer's office day, with no link back to the case or token.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, DateTime, Integer, SmallInteger, String, Text
from sqlmodel import Field, SQLModel

SUGGESTION_MAX = 1000


class SurveyToken(SQLModel, table=True):
    __tablename__ = "survey_token"

    token_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    definition_id: str = Field(sa_column=Column(String(64), nullable=False))
    end_step_id: str = Field(sa_column=Column(String(64), nullable=False))
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    used: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))


class SurveyAnswer(SQLModel, table=True):
    __tablename__ = "survey_answer"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    definition_id: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    answered_on: date = Field(sa_column=Column(Date, nullable=False, index=True))  # office day
    u1: int = Field(sa_column=Column(SmallInteger, nullable=False))
    u2: int = Field(sa_column=Column(SmallInteger, nullable=False))
    u3: int = Field(sa_column=Column(SmallInteger, nullable=False))
    u4: int = Field(sa_column=Column(SmallInteger, nullable=False))
    u5: int = Field(sa_column=Column(SmallInteger, nullable=False))
    u6: int = Field(sa_column=Column(SmallInteger, nullable=False))
    u7: int = Field(sa_column=Column(SmallInteger, nullable=False))
    u8: int = Field(sa_column=Column(SmallInteger, nullable=False))
    u9: int = Field(sa_column=Column(SmallInteger, nullable=False))
    suggestion: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
