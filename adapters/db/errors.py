"""Errors of the case database layer (no personal data in messages)."""


class CaseNotFoundError(LookupError):
    def __init__(self, case_id: str) -> None:
        super().__init__(f"no case with id {case_id}")
        self.case_id = case_id


class FormDataError(ValueError):
    """Form data that does not match the definition's form (field ids only, never values)."""
