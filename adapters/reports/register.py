"""The daily register's rows: one per case received that day, in the office's language.

Which form fields it shows is decided generically from the definition, not by field id:
- the applicant, the relationship and the subject (e.g. the prisoner): the fields marked
  `register_column: applicant | relationship | subject`, each headed by its label (without
  marks: the applicant is the first `text` field, no relationship and subject columns);
- the information requested: every other `choice` field, as "label: chosen option label".
Names appear here because the register is the office's own paper record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from adapters.bahasa import day_and_date
from adapters.db.case_tables import CaseStatus
from adapters.reports.period import Period
from adapters.reports.samples import CaseSample, DefinitionCases
from adapters.reports.sla import case_total, end_step_of, promised_totals
from process_definitions import model as m

STATUS_TEXT = {
    CaseStatus.SUBMITTED: "Diterima, belum diproses",
    CaseStatus.RUNNING: "Sedang diproses",
    CaseStatus.WAITING: "Menunggu petugas",
    CaseStatus.FAILED: "Gagal diproses",
}
PURGED_TEXT = "(data pribadi telah dihapus)"


@dataclass(frozen=True)
class RegisterRow:
    number: int
    reference: str
    received: str  # HH:MM office time
    applicant: str
    relationship: str
    subject: str
    requested: list[str]
    outcome: str
    operators: list[str]
    answered: str
    within_sop_time: str  # Ya / Tidak / -


@dataclass(frozen=True)
class RegisterSheet:
    definition: m.ProcessDefinition
    applicant_label: str
    relationship_label: str | None  # None: the form has no such field, no column
    subject_label: str | None
    rows: list[RegisterRow]
    completed: int
    within: int
    operators: list[str]  # every NIP that acted that day, for the signature boxes
    operator_names: dict[str, str]


def indonesian_date(moment: datetime) -> str:
    return day_and_date(moment)


def register_field(definition: m.ProcessDefinition, column: str) -> m.FieldBase | None:
    """The form field filling a register column (`applicant`, `relationship`, `subject`)."""
    fields = definition.form_fields()
    marked = next((f for f in fields if f.register_column == column), None)
    if marked is None and column == "applicant":
        return next((f for f in fields if isinstance(f, m.TextField)), None)
    return marked


def field_text(field: m.FieldBase | None, form_data: Mapping[str, object]) -> str:
    if field is None:
        return "-"
    value = form_data.get(field.id)
    if isinstance(field, m.ChoiceField):
        return _choice_text(field, value) or "-"
    return str(value or "-")


def _choice_text(field: m.ChoiceField, value: object) -> str:
    labels = {option.value: option.label for option in field.options}
    chosen = value if isinstance(value, list) else [value]
    return ", ".join(labels.get(str(v), str(v)) for v in chosen if v not in (None, ""))


def requested(definition: m.ProcessDefinition, form_data: Mapping[str, object]) -> list[str]:
    lines = []
    for field in definition.form_fields():
        if isinstance(field, m.ChoiceField) and field.register_column is None:
            text = _choice_text(field, form_data.get(field.id))
            if text:
                lines.append(f"{field.label}: {text}")
    return lines


def outcome_text(definition: m.ProcessDefinition, case: CaseSample) -> str:
    if case.status != CaseStatus.COMPLETED:
        return STATUS_TEXT.get(CaseStatus(case.status), case.status)
    end = end_step_of(case)
    names = {s.id: s.name for s in definition.steps}
    return names.get(end or "", case.outcome or "Selesai")


def register_sheet(
    period: Period, group: DefinitionCases, operator_names: Mapping[str, str]
) -> RegisterSheet:
    definition = group.definition
    name_field = register_field(definition, "applicant")
    relation_field = register_field(definition, "relationship")
    subject_field = register_field(definition, "subject")
    promised = promised_totals(definition)
    rows = []
    completed = within = 0
    for number, case in enumerate(group.cases, start=1):
        total = case_total(case, promised)
        verdict = "-"
        if total is not None:
            completed += 1
            verdict = "Tidak" if total[1] else "Ya"
            within += verdict == "Ya"
        data = case.form_data
        rows.append(
            RegisterRow(
                number=number,
                reference=case.reference,
                received=period.local(case.submitted_at).strftime("%H:%M"),
                applicant=PURGED_TEXT if case.purged else field_text(name_field, data),
                relationship="-" if case.purged else field_text(relation_field, data),
                subject="-" if case.purged else field_text(subject_field, data),
                requested=requested(definition, case.form_data),
                outcome=outcome_text(definition, case),
                operators=list(case.operators),
                answered=period.local(case.finished_at).strftime("%H:%M")
                if case.finished_at
                else "-",
                within_sop_time=verdict,
            )
        )
    operators = list(dict.fromkeys(nip for case in group.cases for nip in case.operators))
    return RegisterSheet(
        definition=definition,
        applicant_label=name_field.label if name_field else "Pemohon",
        relationship_label=relation_field.label if relation_field else None,
        subject_label=subject_field.label if subject_field else None,
        rows=rows,
        completed=completed,
        within=within,
        operators=operators,
        operator_names={nip: operator_names[nip] for nip in operators if nip in operator_names},
    )
