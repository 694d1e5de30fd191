"""What purging takes out of a case, decided from its definition (no field ids named here).

- form fields flagged `personal` lose their values (file fields: their object metadata too);
  non-personal fields (e.g. the submission timestamp) stay;
- step outputs keep only the operators' choices (opaque keys such as `K1`, which the
  anonymised history needs); candidates, drafts and free-text notes go;
- files named by personal file fields are deleted from the object store.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from process_definitions import model as m


def object_keys(definition: m.ProcessDefinition, form_data: Mapping[str, Any]) -> list[str]:
    keys = []
    for field in definition.form_fields():
        value = form_data.get(field.id)
        if isinstance(field, m.FileField) and isinstance(value, dict) and value.get("object_key"):
            keys.append(str(value["object_key"]))
    return keys


def scrubbed_form(
    definition: m.ProcessDefinition, form_data: Mapping[str, Any]
) -> tuple[dict[str, Any], int]:
    """The form data without personal values, and how many values were removed."""
    fields = {field.id: field for field in definition.form_fields()}
    kept: dict[str, Any] = {}
    removed = 0
    for key, value in form_data.items():
        spec = fields.get(key)
        if spec is None or spec.personal:  # unknown keys count as personal
            removed += value not in (None, "", [], {})
            kept[key] = None
        else:
            kept[key] = value
    return kept, removed


def decision_keys(definition: m.ProcessDefinition) -> set[str]:
    return {
        task_input.id
        for step in definition.steps
        if isinstance(step, m.UserTaskStep)
        for task_input in step.inputs
        if isinstance(task_input, m.ChoiceInput)
    }


def scrubbed_variables(
    definition: m.ProcessDefinition, variables: Mapping[str, Any]
) -> dict[str, Any]:
    keep = decision_keys(definition)
    return {key: value for key, value in variables.items() if key in keep}
