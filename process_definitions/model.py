"""Pydantic models of a process definition: any SOP, parsed from YAML. No Prefect, no I/O.

`...Definition` names the parsed spec; runtime state lives elsewhere (`...Run`, `...Record`).
Steps and form fields are discriminated unions (on `kind` and `type`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)

from process_definitions.units import format_duration, parse_duration, parse_size

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
VariablePath = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")]


def _duration(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return parse_duration(value)  # type: ignore[arg-type]


def _size(value: object) -> int:
    return parse_size(value)  # type: ignore[arg-type]


Budget = Annotated[
    timedelta,
    BeforeValidator(_duration),
    PlainSerializer(format_duration, return_type=str),
]
ByteSize = Annotated[int, BeforeValidator(_size)]


class Spec(BaseModel):
    """Base of every definition model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- SOP metadata -------------------------------------------------------------------------


class OfficialDefinition(Spec):
    title: Text
    name: Text
    nip: str | None = None


class SopMetadata(Spec):
    number: Text
    name: Text
    office: Text
    organisation: list[Text] = Field(default_factory=list, description="Ministry, directorate…")
    created: date
    revised: date | None = None
    revision: str | None = None
    effective: date
    approved_by: OfficialDefinition
    legal_basis: list[Text] = Field(min_length=1)
    qualifications: list[Text] = Field(default_factory=list)
    related: list[Text] = Field(default_factory=list, description="Keterkaitan")
    equipment: list[Text] = Field(default_factory=list)
    guarantees: list[Text] = Field(default_factory=list)
    warning: Text
    record_keeping: Text
    complaints: str | None = Field(default=None, description="Where the public complains.")
    source_url: str | None = None


class LaneDefinition(Spec):
    name: Text
    kind: Literal["public", "operator", "system"]


# --- form fields ----------------------------------------------------------------------------


class FieldBase(Spec):
    id: Identifier
    label: Text
    help: str | None = None
    required: bool = True
    personal: bool = Field(default=True, description="Personal data: masked in exports.")
    register_column: Literal["applicant", "relationship", "subject"] | None = Field(
        default=None,
        description="The daily register's column this field fills: the applicant's name, their "
        "relationship to the subject, or the subject's name (e.g. the prisoner).",
    )


class TextField(FieldBase):
    type: Literal["text"]
    max_length: int = Field(default=200, gt=0, le=5000)
    format: Literal["text", "person_name"] = Field(
        default="text",
        description="person_name: only what a name can be (it is quoted in official messages).",
    )


class TextareaField(FieldBase):
    type: Literal["textarea"]
    max_length: int = Field(default=2000, gt=0, le=20000)


class PhoneField(FieldBase):
    type: Literal["phone"]
    region: str = "ID"


class EmailField(FieldBase):
    type: Literal["email"]


class ChoiceOption(Spec):
    value: Identifier
    label: Text


class ChoiceField(FieldBase):
    type: Literal["choice"]
    options: list[ChoiceOption] = Field(min_length=1)
    multiple: bool = False


class FileField(FieldBase):
    type: Literal["file"]
    accept: list[Literal["jpg", "pdf", "png"]] = Field(min_length=1)
    max_size: ByteSize


class DateField(FieldBase):
    """A calendar date (e.g. a date of birth), entered as YYYY-MM-DD."""

    type: Literal["date"]


class DeclarationField(FieldBase):
    type: Literal["declaration"]
    statement: Text
    statement_version: Text


class TimestampField(FieldBase):
    """Filled automatically on submit; never typed by the user."""

    type: Literal["timestamp"]


FieldDefinition = Annotated[
    TextField
    | TextareaField
    | PhoneField
    | EmailField
    | ChoiceField
    | FileField
    | DateField
    | DeclarationField
    | TimestampField,
    Field(discriminator="type"),
]
FIELD_TYPES = (
    "text",
    "textarea",
    "phone",
    "email",
    "choice",
    "file",
    "date",
    "declaration",
    "timestamp",
)


# --- user task inputs -----------------------------------------------------------------------


class InputBase(Spec):
    id: Identifier
    label: Text
    help: str | None = None


class ChoiceInput(InputBase):
    """A decision. Options are static, or opaque keys of a list another step produced."""

    type: Literal["choice"]
    options: list[ChoiceOption] = Field(default_factory=list)
    options_from: Identifier | None = Field(
        default=None, description="A variable holding candidates; shown as K1, K2, …"
    )


class ManualMatch(Spec):
    """A text input naming a record the operator found another way (e.g. a registration number):
    when the choice `choice` is `option`, the value is looked up in the directory at decision
    time and recorded as that option's entry in the choice's candidate list."""

    choice: Identifier
    option: Identifier


class TextInput(InputBase):
    type: Literal["text"]
    required: bool = False
    max_length: int = Field(default=2000, gt=0)
    manual_match: ManualMatch | None = None


class OperatorInput(InputBase):
    """The operator's NIP, chosen from the roster of the step's lane."""

    type: Literal["operator"]


InputDefinition = Annotated[ChoiceInput | TextInput | OperatorInput, Field(discriminator="type")]
INPUT_TYPES = ("choice", "text", "operator")


# --- steps ----------------------------------------------------------------------------------


class StepBase(Spec):
    id: Identifier
    sop_step: int = Field(
        ge=1, description="The SOP step this belongs to; several steps may share one."
    )
    name: Text
    lane: Identifier
    budget: Budget | None = None
    requirements: list[Text] = Field(default_factory=list, description="Kelengkapan")
    output: str | None = None
    description: str | None = None


class PublicStep(StepBase):
    """A step the public does themselves: `public_text` is what the form tells them."""

    public_text: str | None = Field(
        default=None, description="One plain sentence for the public (shown on the form)."
    )


class PublicActionStep(PublicStep):
    kind: Literal["public_action"]
    next: Identifier


class FormStep(PublicStep):
    kind: Literal["form"]
    fields: list[FieldDefinition] = Field(min_length=1)
    next: Identifier


class ServiceStep(StepBase):
    """An automatic step done by a system (e.g. searching SDP)."""

    kind: Literal["service"]
    action: Text
    params: dict[Identifier, Identifier] = Field(
        default_factory=dict, description="Action parameter -> variable it reads"
    )
    next: Identifier


class PreviewDefinition(Spec):
    """The messages of a notify step, shown on the operator's form as they will be sent.
    Context values not listed in `show` are replaced by a pointer to the case file."""

    step: Identifier
    show: list[Identifier] = Field(default_factory=list)


class UserTaskStep(StepBase):
    kind: Literal["user_task"]
    inputs: list[InputDefinition] = Field(min_length=1)
    preview: PreviewDefinition | None = None
    next: Identifier


class Branch(Spec):
    when: Text
    to: Identifier


class GatewayStep(StepBase):
    """Exclusive gateway: the first branch whose condition holds, else the default."""

    kind: Literal["gateway"]
    branches: list[Branch] = Field(min_length=1)
    default: Identifier | None = None


class NotifyStep(StepBase):
    kind: Literal["notify"]
    channels: list[Identifier] = Field(min_length=1)
    template: Identifier
    recipients: dict[Identifier, Identifier] = Field(
        description="Channel -> the form field holding that channel's address"
    )
    context: dict[Identifier, VariablePath] = Field(
        default_factory=dict,
        description="Template variable -> case variable (dotted path into step outputs)",
    )
    next: Identifier


class EndStep(StepBase):
    kind: Literal["end"]
    outcome: Identifier


StepDefinition = Annotated[
    PublicActionStep | FormStep | ServiceStep | UserTaskStep | GatewayStep | NotifyStep | EndStep,
    Field(discriminator="kind"),
]
STEP_KINDS = ("public_action", "form", "service", "user_task", "gateway", "notify", "end")


class SurveyWordingDefinition(Spec):
    """An office's own wording of one SKM element: its question and four answers, worst first."""

    question: Text | None = None
    options: list[Text] | None = Field(default=None, min_length=4, max_length=4)


class SurveyDefinition(Spec):
    """The satisfaction survey (SKM, PermenPAN-RB 14/2017) offered when a case ends."""

    enabled: bool = True
    offer_at: list[Identifier] = Field(
        default_factory=list, description="End steps whose final message offers it; empty = all"
    )
    wording: dict[
        Annotated[str, StringConstraints(pattern=r"^u[1-9]$")], SurveyWordingDefinition
    ] = Field(default_factory=dict, description="Element u1..u9 -> wording override")

    def offered_at(self, end_step_id: str) -> bool:
        return self.enabled and (not self.offer_at or end_step_id in self.offer_at)


class ProcessDefinition(Spec):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", max_length=64)]
    version: int = Field(ge=1)
    title: Text
    reference_prefix: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,5}$")]
    retention: Budget
    sop: SopMetadata
    lanes: dict[Identifier, LaneDefinition] = Field(min_length=1)
    steps: list[StepDefinition] = Field(min_length=2)
    survey: SurveyDefinition | None = None

    def step(self, step_id: str) -> StepDefinition:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    @property
    def start(self) -> StepDefinition:
        return self.steps[0]

    def form_fields(self) -> list[FieldDefinition]:
        return [field for step in self.steps if isinstance(step, FormStep) for field in step.fields]


def successors(step: StepDefinition) -> list[str]:
    """Step ids a step can go to, in order (gateway branches first, then its default)."""
    if isinstance(step, EndStep):
        return []
    if isinstance(step, GatewayStep):
        targets = [branch.to for branch in step.branches]
        return [*targets, step.default] if step.default else targets
    return [step.next]
