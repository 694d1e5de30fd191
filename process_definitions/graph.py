"""Graph questions about a definition's steps: reachability, ancestry, longest budgeted path."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from datetime import timedelta

from process_definitions.model import ProcessDefinition, StepDefinition, successors

ZERO = timedelta(0)


def step_index(definition: ProcessDefinition) -> dict[str, StepDefinition]:
    return {step.id: step for step in definition.steps}


def edges(steps: Iterable[StepDefinition]) -> dict[str, list[str]]:
    return {step.id: successors(step) for step in steps}


def reachable_from(start: str, graph: Mapping[str, list[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for target in graph.get(queue.popleft(), []):
            if target in graph and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def reverse(graph: Mapping[str, list[str]]) -> dict[str, list[str]]:
    incoming: dict[str, list[str]] = {node: [] for node in graph}
    for source, targets in graph.items():
        for target in targets:
            if target in incoming:
                incoming[target].append(source)
    return incoming


def ancestors(step_id: str, graph: Mapping[str, list[str]]) -> set[str]:
    """Every step from which `step_id` can be reached (itself excluded)."""
    return reachable_from(step_id, reverse(graph)) - {step_id}


def ranks(definition: ProcessDefinition) -> dict[str, int]:
    """Column of each step for a left-to-right layout: longest distance from the start."""
    graph = edges(definition.steps)
    rank = {definition.start.id: 0}
    order = _topological(definition.start.id, graph)
    for node in order:
        for target in graph[node]:
            if target in graph:
                rank[target] = max(rank.get(target, 0), rank[node] + 1)
    return rank


def budget_to_ends(definition: ProcessDefinition) -> dict[str, timedelta]:
    """For each end step, the smallest sum of step budgets on a path from the start to it.

    That is what the SOP table promises for the outcome: detours (a returned draft) cost more.
    """
    graph = edges(definition.steps)
    index = step_index(definition)
    best: dict[str, timedelta] = {definition.start.id: index[definition.start.id].budget or ZERO}
    for node in _topological(definition.start.id, graph):
        if node not in best:
            continue
        for target in graph[node]:
            if target in index:
                cost = best[node] + (index[target].budget or ZERO)
                if target not in best or cost < best[target]:
                    best[target] = cost
    return {
        step.id: best[step.id]
        for step in definition.steps
        if not successors(step) and step.id in best
    }


def budget_per_sop_step(definition: ProcessDefinition) -> dict[int, timedelta]:
    """Budgets summed per SOP step number (several YAML steps may share one)."""
    totals: dict[int, timedelta] = {}
    for step in definition.steps:
        totals[step.sop_step] = totals.get(step.sop_step, ZERO) + (step.budget or ZERO)
    return dict(sorted(totals.items()))


def _topological(start: str, graph: Mapping[str, list[str]]) -> list[str]:
    """Reachable nodes in topological order; back edges (loops) are ignored."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(node: str) -> None:
        state[node] = 1
        for target in graph.get(node, []):
            if target in graph and target not in state:
                visit(target)
        state[node] = 2
        order.append(node)

    visit(start)
    return order[::-1]
