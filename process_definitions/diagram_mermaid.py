"""Mermaid flowchart: lanes as subgraphs, each step's SOP number and budget on its node."""

from __future__ import annotations

from process_definitions import model as m
from process_definitions.units import format_duration

START_ID = "start"


def _text(value: str) -> str:
    return value.replace('"', "#quot;")


def _node(step: m.StepDefinition) -> str:
    budget = f"<br/>⏱ {format_duration(step.budget)}" if step.budget else ""
    label = f'"{step.sop_step}. {_text(step.name)}{budget}"'
    if isinstance(step, m.GatewayStep):
        return f"{step.id}{{{label}}}"
    if isinstance(step, m.EndStep):
        return f"{step.id}([{label}])"
    if isinstance(step, m.ServiceStep):
        return f"{step.id}[[{label}]]"
    return f"{step.id}[{label}]"


def to_mermaid(definition: m.ProcessDefinition) -> str:
    lines = ["flowchart LR"]
    for lane_id, lane in definition.lanes.items():
        lines.append(f'  subgraph {lane_id}["{_text(lane.name)}"]')
        if lane_id == definition.start.lane:
            lines.append(f"    {START_ID}((Mulai))")
        lines.extend(f"    {_node(step)}" for step in definition.steps if step.lane == lane_id)
        lines.append("  end")
    lines.append(f"  {START_ID} --> {definition.start.id}")
    for step in definition.steps:
        if isinstance(step, m.GatewayStep):
            for branch in step.branches:
                lines.append(f'  {step.id} -- "{_text(branch.when)}" --> {branch.to}')
            if step.default:
                lines.append(f'  {step.id} -- "lainnya" --> {step.default}')
        elif not isinstance(step, m.EndStep):
            lines.append(f"  {step.id} --> {step.next}")
    return "\n".join(lines) + "\n"
