"""The form an operator fills in the Prefect UI, built at run time from a user_task's inputs.

Choices become `Literal` enums without defaults (approval is always explicit); candidate
lists appear only as opaque keys with scores (K1, K2, …); the NIP is chosen from the lane's
roster. The markdown above the form carries the case reference and a signed link to the case
file (names, KTP and candidates are behind it): no personal data in Prefect.
"""

from __future__ import annotations

from typing import Any, Literal

from prefect.input import RunInput
from pydantic import Field, JsonValue, create_model

from process_definitions import model as m


class NoChoicesError(ValueError):
    """A decision with nothing to choose from (e.g. an empty roster for the lane)."""


def choice_values(task_input: m.ChoiceInput, variables: dict[str, Any]) -> list[tuple[str, str]]:
    """(value, label) pairs: keys of the candidate list first, then the static options."""
    pairs: list[tuple[str, str]] = []
    if task_input.options_from:
        for item in variables.get(task_input.options_from) or []:
            pairs.append((str(item["key"]), f"{item['key']} (skor {item.get('score', 0):.0f})"))
    pairs += [(option.value, option.label) for option in task_input.options]
    return pairs


def build_operator_input(
    step: m.UserTaskStep, *, variables: dict[str, Any], roster_nips: list[str]
) -> type[RunInput]:
    fields: dict[str, Any] = {}
    for task_input in step.inputs:
        if isinstance(task_input, m.ChoiceInput):
            values = [value for value, _ in choice_values(task_input, variables)]
            if not values:
                raise NoChoicesError(f"input {task_input.id} of step {step.id} has no choices")
            labels = "; ".join(
                f"{v} = {label}" for v, label in choice_values(task_input, variables)
            )
            fields[task_input.id] = (
                Literal[tuple(values)],
                Field(
                    title=task_input.label,
                    description=f"{task_input.help or ''} {labels}",
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
                    max_length=task_input.max_length,
                    min_length=1 if task_input.required else 0,
                ),
            )
        else:
            if not roster_nips:
                raise NoChoicesError(f"no operator in the roster for lane {step.lane}")
            fields[task_input.id] = (
                Literal[tuple(roster_nips)],
                Field(
                    title=task_input.label,
                    description="NIP petugas yang memutuskan",
                    json_schema_extra={"enum": list[JsonValue](roster_nips)},
                ),
            )
    model: type[RunInput] = create_model(f"Keputusan_{step.id}", __base__=RunInput, **fields)
    return model


def describe(
    step: m.UserTaskStep,
    *,
    reference: str,
    case_file_url: str,
    variables: dict[str, Any],
    budget_text: str,
) -> str:
    lines = [
        f"### {reference}: {step.name}",
        "",
        f"Batas waktu langkah ini: **{budget_text}**.",
        "",
        f"[Buka berkas permohonan]({case_file_url}) (tautan bertanda tangan, berlaku terbatas).",
    ]
    for task_input in step.inputs:
        if isinstance(task_input, m.ChoiceInput) and task_input.options_from:
            items = variables.get(task_input.options_from) or []
            lines += ["", "| Kunci | Skor kecocokan |", "|---|---|"]
            lines += [f"| {c['key']} | {c.get('score', 0):.0f} |" for c in items]
            if not items:
                lines += ["", "_Tidak ada kandidat dari pencarian SDP._"]
    lines += ["", "Pilih keputusan dan NIP Anda, lalu tekan **Submit**. Tidak ada pilihan bawaan."]
    return "\n".join(lines)


def operator_nip(step: m.UserTaskStep, values: dict[str, Any]) -> str:
    for task_input in step.inputs:
        if isinstance(task_input, m.OperatorInput):
            return str(values[task_input.id])
    return "tanpa-nip"
