"""Where each step of a definition sits in the coloured process diagram, and its colour.

Rows are lanes (in definition order), columns are distances from the start (`graph.ranks`);
steps sharing a lane and column stack. Both the SVG and the PDF renderer draw this layout.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.reports.sla_models import Diagram, DiagramBox, DiagramEdge, DiagramLane
from process_definitions import model as m
from process_definitions.graph import ranks

LANE_LABEL_W = 90.0
COLUMN_W = 120.0
ROW_H = 72.0
BOX_W, BOX_H = 104.0, 56.0
SMALL = 40.0  # gateways and ends

RGB = tuple[int, int, int]
NO_DATA: RGB = (229, 231, 235)
# (breach share up to, colour): green, yellow, orange, red
HEAT: tuple[tuple[float, RGB], ...] = (
    (0.0, (134, 239, 172)),
    (0.10, (190, 242, 100)),
    (0.25, (253, 224, 71)),
    (0.50, (251, 146, 60)),
    (1.01, (248, 113, 113)),
)
HEAT_LEGEND = ("0%", "<= 10%", "<= 25%", "<= 50%", "> 50%")


def heat_colour(share: float | None) -> RGB:
    if share is None:
        return NO_DATA
    for limit, colour in HEAT:
        if share <= limit:
            return colour
    return HEAT[-1][1]


def hex_colour(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def layout(
    definition: m.ProcessDefinition,
    breach_share: Mapping[str, float | None],
    visits: Mapping[str, int],
) -> Diagram:
    column = ranks(definition)
    lanes = list(dict.fromkeys([*definition.lanes, *(s.lane for s in definition.steps)]))
    stacks: dict[tuple[str, int], list[m.StepDefinition]] = {}
    for step in definition.steps:
        stacks.setdefault((step.lane, column.get(step.id, 0)), []).append(step)
    depth = {
        lane: max([len(v) for (ln, _), v in stacks.items() if ln == lane] or [1]) for lane in lanes
    }
    lane_rows: list[DiagramLane] = []
    top: dict[str, float] = {}
    y = 0.0
    for lane in lanes:
        spec = definition.lanes.get(lane)
        top[lane] = y
        lane_rows.append(DiagramLane(name=spec.name if spec else lane, y=y, h=depth[lane] * ROW_H))
        y += depth[lane] * ROW_H
    boxes = []
    for (lane, col), steps in stacks.items():
        for slot, step in enumerate(steps):
            small = step.kind in ("gateway", "end")
            w, h = (SMALL, SMALL) if small else (BOX_W, BOX_H)
            cx = LANE_LABEL_W + col * COLUMN_W + COLUMN_W / 2
            cy = top[lane] + slot * ROW_H + ROW_H / 2
            boxes.append(
                DiagramBox(
                    step_id=step.id,
                    label=step.name if small else f"{step.sop_step}. {step.name}",
                    kind=step.kind,
                    x=cx - w / 2,
                    y=cy - h / 2,
                    w=w,
                    h=h,
                    breach_share=breach_share.get(step.id),
                    visits=visits.get(step.id, 0),
                )
            )
    edges = [
        DiagramEdge(source=step.id, target=target)
        for step in definition.steps
        for target in m.successors(step)
    ]
    width = LANE_LABEL_W + (max(column.values(), default=0) + 1) * COLUMN_W
    return Diagram(width=width, height=y, lanes=lane_rows, boxes=boxes, edges=edges)
