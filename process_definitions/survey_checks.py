"""Load-time checks of a definition's `survey:` block against its steps (pure, no I/O).

Kept apart from model.py; the loader calls `survey_problems` with the other cross-checks.
"""

from __future__ import annotations

import difflib

from process_definitions.model import EndStep, ProcessDefinition


def survey_problems(definition: ProcessDefinition) -> list[str]:
    """One message per `offer_at` entry that is not an end step, with a did-you-mean hint."""
    if definition.survey is None:
        return []
    ends = [s.id for s in definition.steps if isinstance(s, EndStep)]
    problems = []
    for step_id in definition.survey.offer_at:
        if step_id in ends:
            continue
        near = difflib.get_close_matches(step_id, ends, n=1)
        hint = f"; did you mean `{near[0]}`?" if near else f"; end steps: {', '.join(ends)}"
        problems.append(f"survey offers at `{step_id}`: not an end step{hint}")
    return problems
