"""The SKM report (PermenPAN-RB 14/2017) of a period: per element NRR and weighted value, the
index, its grade, respondents against the required sample, and the public's suggestions.

Answers count by the office day they were given; the population is the number of cases
submitted in the period (as the SLA report counts them).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import col, select

from adapters.db.engine import session_scope
from adapters.reports.period import Period
from adapters.reports.samples import cases_in
from adapters.survey.elements import ELEMENTS, KEYS
from adapters.survey.index import (
    WEIGHT,
    IndexResult,
    compute_index,
    required_sample,
    rounded_to,
)
from adapters.survey.tables import SurveyAnswer


class ElementRow(BaseModel):
    key: str
    name: str
    answers: int
    nrr: float | None  # average score 1..4 (3 decimals)
    weighted: float | None  # nrr x 0.111 (4 decimals)


class Suggestion(BaseModel):
    answered_on: date
    text: str  # cleaned when stored; still hostile: every renderer escapes it


class SkmReport(BaseModel):
    period_first: date
    period_last: date
    timezone: str
    generated_at: datetime
    definition_id: str | None
    cases: int  # the period's population of service users
    required_sample: int
    respondents: int
    weight: float
    unsur: list[ElementRow]
    index: float | None  # sum of weighted NRR, 1..4
    ikm: float | None  # index x 25, 25..100 (2 decimals)
    mutu: str | None  # A..D
    kinerja: str | None  # Sangat Baik .. Tidak Baik
    suggestions: list[Suggestion]


def build_skm_report(
    period: Period,
    *,
    answers: list[SurveyAnswer],
    cases: int,
    generated_at: datetime,
    definition_id: str | None = None,
) -> SkmReport:
    result: IndexResult | None = compute_index(
        [{key: getattr(answer, key) for key in KEYS} for answer in answers]
    )
    scores = {s.key: s for s in result.elements} if result else {}
    rows = [
        ElementRow(
            key=element.key,
            name=element.name,
            answers=len(answers),
            nrr=float(rounded_to(scores[element.key].nrr, 3)) if scores else None,
            weighted=float(rounded_to(scores[element.key].weighted, 4)) if scores else None,
        )
        for element in ELEMENTS
    ]
    return SkmReport(
        period_first=period.first,
        period_last=period.last,
        timezone=period.timezone,
        generated_at=generated_at,
        definition_id=definition_id,
        cases=cases,
        required_sample=required_sample(cases),
        respondents=len(answers),
        weight=float(WEIGHT),
        unsur=rows,
        index=float(rounded_to(result.index, 4)) if result else None,
        ikm=float(rounded_to(result.ikm, 2)) if result else None,
        mutu=result.grade.mutu if result else None,
        kinerja=result.grade.kinerja if result else None,
        suggestions=[
            Suggestion(answered_on=a.answered_on, text=a.suggestion)
            for a in answers
            if a.suggestion
        ],
    )


def skm_report(
    engine: Engine, period: Period, *, generated_at: datetime, definition_id: str | None = None
) -> SkmReport:
    with session_scope(engine) as session:
        statement = select(SurveyAnswer).where(
            col(SurveyAnswer.answered_on) >= period.first,
            col(SurveyAnswer.answered_on) <= period.last,
        )
        if definition_id:
            statement = statement.where(SurveyAnswer.definition_id == definition_id)
        answers = list(session.exec(statement.order_by(col(SurveyAnswer.id))))
        cases = len(cases_in(session, period, definition_id))
    return build_skm_report(
        period, answers=answers, cases=cases, generated_at=generated_at, definition_id=definition_id
    )
