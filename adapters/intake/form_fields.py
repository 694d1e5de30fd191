"""The public form of a definition: which step, which fields are inputs, which is the lookup key.

Everything here is derived from the definition; nothing names a particular SOP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from adapters.intake.errors import IntakeError
from process_definitions import model as m
from process_definitions.graph import budget_to_ends

# Upload kinds the KTP checks can verify (the model also allows png; upload_checks does not).
CHECKABLE_KINDS = ("jpg", "pdf")
_ACCEPT_ATTR = {"jpg": ".jpg,.jpeg,image/jpeg", "pdf": ".pdf,application/pdf", "png": ".png"}
_CHANNEL_LABELS = {"email": "email", "whatsapp": "WhatsApp", "sms": "SMS", "telegram": "Telegram"}


class FormDefinitionError(IntakeError):
    """The definition cannot be served as a public form (an administrator's mistake)."""


@dataclass(frozen=True)
class PublicForm:
    definition: m.ProcessDefinition
    step: m.FormStep

    @property
    def fields(self) -> list[m.FieldDefinition]:
        return list(self.step.fields)

    @property
    def inputs(self) -> list[m.FieldDefinition]:
        """Fields the applicant fills in (timestamps are set on submit)."""
        return [f for f in self.step.fields if not isinstance(f, m.TimestampField)]

    @property
    def file_fields(self) -> list[m.FileField]:
        return [f for f in self.step.fields if isinstance(f, m.FileField)]

    @property
    def lookup_field(self) -> m.PhoneField | m.EmailField | None:
        """The field that, with the case reference, unlocks the status page: the first
        required phone field, else the first required email field."""
        for kind in (m.PhoneField, m.EmailField):
            for f in self.step.fields:
                if isinstance(f, kind) and f.required:
                    return f
        return None

    def max_upload_bytes(self) -> int:
        return sum(f.max_size for f in self.file_fields)

    def channels_text(self) -> str:
        """How answers reach the applicant, from the notify steps: "email dan WhatsApp"."""
        seen: list[str] = []
        for step in self.definition.steps:
            if isinstance(step, m.NotifyStep):
                for channel in step.channels:
                    label = _CHANNEL_LABELS.get(channel, channel)
                    if label not in seen:
                        seen.append(label)
        return join_id(seen)

    def service_time(self) -> timedelta | None:
        """The longest of the SOP's budgets from start to each outcome."""
        ends = budget_to_ends(self.definition)
        return max(ends.values()) if ends else None


def public_form(definition: m.ProcessDefinition) -> PublicForm:
    steps = [s for s in definition.steps if isinstance(s, m.FormStep)]
    if len(steps) != 1:
        raise FormDefinitionError(
            f"definition {definition.id!r} has {len(steps)} form steps; "
            "the intake serves exactly one"
        )
    form = PublicForm(definition=definition, step=steps[0])
    for f in form.file_fields:
        if not checkable_kinds(f):
            raise FormDefinitionError(
                f"file field {f.id!r} accepts only {f.accept}; the upload checks verify jpg and pdf"
            )
    return form


def checkable_kinds(f: m.FileField) -> list[str]:
    return [kind for kind in f.accept if kind in CHECKABLE_KINDS]


def accept_attribute(f: m.FileField) -> str:
    return ",".join(_ACCEPT_ATTR[kind] for kind in checkable_kinds(f))


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    if size >= 1024:
        return f"{size / 1024:g} KB"
    return f"{size} byte"


def human_duration(value: timedelta) -> str:
    """`0:19:00` -> "19 menit"; `1:30:00` -> "1 jam 30 menit" (Bahasa Indonesia)."""
    minutes = int(-(-value.total_seconds() // 60))  # round up
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} hari"] if days else []
    parts += [f"{hours} jam"] if hours else []
    parts += [f"{mins} menit"] if mins else []
    return " ".join(parts) or "kurang dari 1 menit"


def join_id(items: list[str]) -> str:
    """["a", "b", "c"] -> "a, b dan c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} dan {items[-1]}"
