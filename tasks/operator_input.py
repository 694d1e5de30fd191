"""The form an operator fills in the Prefect UI, built at run time from a user_task's inputs.

Choices become `Literal` enums without defaults (approval is always explicit); candidate
lists appear only as opaque keys with scores (K1, K2, …); the operator is chosen from the
lane's roster as "NIP - Nama" and the NIP is parsed back and checked. The markdown above the
form carries the case reference, the budget in words, a signed link to the case file (names,
KTP and candidates are behind it) and, for an approval, the messages as they will be sent with
names hidden: no personal data in Prefect. Texts read as the UI does: the work list opens the
V1 run page, whose "Resume" button opens the form and whose "Submit" sends it (the V2 dialog,
under the run's "⋮" menu, sends with "Resume"); V1 opens markdown links in a new tab, V2 in the
same one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from prefect.input import RunInput
from pydantic import Field, JsonValue, create_model

from adapters.bahasa import lama
from adapters.roster import Operator
from process_definitions import model as m

SUBMIT_BUTTON = "Submit"  # the V1 form's button (the work list links to the V1 run page)
SUBMIT_BUTTON_V2 = "Resume"  # the same form's button in the V2 dialog
_NIP = re.compile(r"^\s*(\d{18})(?:\s+-\s+.*)?$")


class NoChoicesError(ValueError):
    """A decision with nothing to choose from (e.g. an empty roster for the lane)."""


def choice_values(task_input: m.ChoiceInput, variables: dict[str, Any]) -> list[tuple[str, str]]:
    """(value, label) pairs: keys of the candidate list first, then the static options.
    A manual match recorded earlier is not offered again as a candidate key."""
    pairs: list[tuple[str, str]] = []
    static = {option.value for option in task_input.options}
    if task_input.options_from:
        for item in variables.get(task_input.options_from) or []:
            if str(item["key"]) in static:
                continue
            pairs.append((str(item["key"]), f"skor {item.get('score', 0):.0f}"))
    pairs += [(option.value, option.label) for option in task_input.options]
    return pairs


def operator_choice(operator: Operator) -> str:
    """`199001012015031001 - Nama`: what the NIP dropdown shows and returns."""
    return f"{operator.nip} - {operator.name}"


def parse_nip(value: object) -> str | None:
    """The NIP of an operator choice (`NIP - Nama`, or a bare NIP); None if there is none."""
    match = _NIP.match(str(value or ""))
    return match.group(1) if match else None


def build_operator_input(
    step: m.UserTaskStep, *, variables: dict[str, Any], operators: list[Operator]
) -> type[RunInput]:
    fields: dict[str, Any] = {}
    for task_input in step.inputs:
        if isinstance(task_input, m.ChoiceInput):
            pairs = choice_values(task_input, variables)
            if not pairs:
                raise NoChoicesError(f"input {task_input.id} of step {step.id} has no choices")
            values = [value for value, _ in pairs]
            labels = "; ".join(f"{v} = {label}" for v, label in pairs)
            fields[task_input.id] = (
                Literal[tuple(values)],
                Field(
                    title=task_input.label,
                    description=f"{task_input.help or ''} {labels}".strip(),
                    json_schema_extra={
                        "enum": list[JsonValue](values)
                    },  # a dropdown even with one choice
                ),
            )
        elif isinstance(task_input, m.TextInput):
            fields[task_input.id] = (
                str,
                Field(
                    default="" if not task_input.required else ...,
                    title=task_input.label,
                    description=task_input.help,
                    max_length=task_input.max_length,
                    min_length=1 if task_input.required else 0,
                ),
            )
        else:
            if not operators:
                raise NoChoicesError(f"no operator in the roster for lane {step.lane}")
            choices = [operator_choice(operator) for operator in operators]
            fields[task_input.id] = (
                Literal[tuple(choices)],
                Field(
                    title=task_input.label,
                    description="Pilih NIP dan nama Anda",
                    json_schema_extra={"enum": list[JsonValue](choices)},
                ),
            )
    model: type[RunInput] = create_model(f"Keputusan_{step.id}", __base__=RunInput, **fields)
    return model


@dataclass(frozen=True)
class FormText:
    """What the markdown above the form says, besides the step itself."""

    reference: str
    case_file_url: str
    link_ttl: timedelta
    lane_name: str
    rejected: str | None = None  # why the previous answer was refused, in Bahasa Indonesia
    extra: tuple[str, ...] = ()  # more markdown lines (the approval's message preview)


def describe(step: m.UserTaskStep, text: FormText, *, variables: dict[str, Any]) -> str:
    budget = lama(step.budget) if step.budget else "tidak ditentukan"
    lines = [f"### {text.reference}: {step.name}", ""]
    if text.rejected:
        lines += [f"**Jawaban sebelumnya ditolak:** {text.rejected}. Isi lagi formulir ini.", ""]
    lines += [  # the link first: V1 shows this text in a box the fields leave little room to
        f"[Buka berkas permohonan]({text.case_file_url}) (tab baru): berlaku "
        f"{lama(text.link_ttl)}, hanya selama kasus menunggu di langkah ini. Di UI V2 klik biasa "
        "menutup formulir ini: pakai Ctrl+klik (Cmd+klik di Mac) atau klik tengah.",
        "",
        f"Jalur: **{text.lane_name}**. Batas waktu langkah ini: **{budget}**.",
    ]
    for task_input in step.inputs:
        if isinstance(task_input, m.ChoiceInput) and task_input.options_from:
            static = {option.value for option in task_input.options}
            items = [
                c
                for c in variables.get(task_input.options_from) or []
                if str(c.get("key")) not in static
            ]
            lines += ["", "| Kunci | Skor kecocokan |", "|---|---|"]
            lines += [f"| {c['key']} | {c.get('score', 0):.0f} |" for c in items]
            if not items:
                lines += ["", "_Tidak ada kandidat dari pencarian SDP._"]
        if isinstance(task_input, m.TextInput) and task_input.manual_match:
            match = task_input.manual_match
            lines += [
                "",
                f'Menemukan orangnya dengan cara lain? Pilih "{match.option}" dan isi '
                f'"{task_input.label}"; nomor itu diperiksa ke SDP saat Anda menekan '
                f"**{SUBMIT_BUTTON}**.",
            ]
    lines += list(text.extra)
    lines += [
        "",
        f"Pilih keputusan dan NIP Anda, lalu tekan **{SUBMIT_BUTTON}** (di UI V2: "
        f"**{SUBMIT_BUTTON_V2}**). Tidak ada pilihan bawaan. "
        "Catatan disimpan di berkas kasus lalu dihapus dari Prefect.",
    ]
    return "\n".join(lines)


def operator_nip(step: m.UserTaskStep, values: dict[str, Any]) -> str:
    for task_input in step.inputs:
        if isinstance(task_input, m.OperatorInput):
            return parse_nip(values.get(task_input.id)) or "tanpa-nip"
    return "tanpa-nip"
