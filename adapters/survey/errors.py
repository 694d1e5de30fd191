"""Errors of the survey: what a survey link or an answer can be wrong about."""

from __future__ import annotations


class SurveyError(Exception):
    """Base of survey errors."""


class SurveyLinkError(SurveyError):
    """The link is unknown, expired or already used (`reason` says which)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"survey link {reason}")
        self.reason = reason  # "unknown", "expired" or "used"


class SurveyAnswerError(SurveyError):
    """An answer is incomplete or out of range (messages in Bahasa Indonesia, per element)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("survey answer not valid")
        self.errors = errors
