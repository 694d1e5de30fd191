"""BPMN 2.0 XML with diagram interchange, laid out left to right in lanes.

Opens in bpmn.io and Camunda Modeler: one collaboration with one participant, a lane per
definition lane, a shape for every flow node and lane, an edge for every sequence flow.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from process_definitions import model as m
from process_definitions.graph import ranks
from process_definitions.units import format_duration

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

for prefix, uri in {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI}.items():
    ET.register_namespace(prefix, uri)

ELEMENT_OF_KIND = {
    "public_action": "manualTask",
    "form": "userTask",
    "service": "serviceTask",
    "user_task": "userTask",
    "gateway": "exclusiveGateway",
    "notify": "sendTask",
    "end": "endEvent",
}
START_ID = "start"
COLUMN, LANE_HEIGHT, LABEL_BAND, LEFT = 180, 150, 30, 160
SIZES = {"task": (120, 80), "exclusiveGateway": (50, 50), "endEvent": (36, 36), "start": (36, 36)}


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int

    @property
    def mid_y(self) -> int:
        return self.y + self.height // 2


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


def _sub(parent: ET.Element, namespace: str, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, _q(namespace, tag), {k: v for k, v in attrs.items() if v})


def _label(step: m.StepDefinition) -> str:
    budget = f" [{format_duration(step.budget)}]" if step.budget else ""
    return f"{step.sop_step}. {step.name}{budget}"


def _flows(definition: m.ProcessDefinition) -> list[tuple[str, str, str, str | None]]:
    """(flow id, source, target, condition) for every sequence flow, start event included."""
    flows: list[tuple[str, str, str, str | None]] = [
        (f"Flow_{START_ID}_{definition.start.id}", START_ID, definition.start.id, None)
    ]
    for step in definition.steps:
        if isinstance(step, m.GatewayStep):
            for branch in step.branches:
                flows.append((f"Flow_{step.id}_{branch.to}", step.id, branch.to, branch.when))
            if step.default:
                flows.append((f"Flow_{step.id}_{step.default}", step.id, step.default, None))
        elif not isinstance(step, m.EndStep):
            flows.append((f"Flow_{step.id}_{step.next}", step.id, step.next, None))
    return flows


def _layout(definition: m.ProcessDefinition) -> tuple[dict[str, Box], dict[str, Box], Box]:
    lane_ids = list(definition.lanes)
    column = {step_id: rank + 1 for step_id, rank in ranks(definition).items()}
    width = LEFT + (max(column.values(), default=0) + 1) * COLUMN
    lanes = {
        lane_id: Box(LABEL_BAND, i * LANE_HEIGHT, width - LABEL_BAND, LANE_HEIGHT)
        for i, lane_id in enumerate(lane_ids)
    }
    participant = Box(0, 0, width, LANE_HEIGHT * len(lane_ids))
    nodes: dict[str, Box] = {}

    def place(node_id: str, lane_id: str, col: int, size: tuple[int, int]) -> None:
        centre_x = LEFT + col * COLUMN
        centre_y = lanes[lane_id].mid_y
        nodes[node_id] = Box(centre_x - size[0] // 2, centre_y - size[1] // 2, *size)

    place(START_ID, definition.start.lane, 0, SIZES["start"])
    for step in definition.steps:
        element = ELEMENT_OF_KIND[step.kind]
        place(step.id, step.lane, column.get(step.id, 0), SIZES.get(element, SIZES["task"]))
    return lanes, nodes, participant


def to_bpmn(definition: m.ProcessDefinition) -> str:
    flows = _flows(definition)
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow_id, source, target, _ in flows:
        outgoing.setdefault(source, []).append(flow_id)
        incoming.setdefault(target, []).append(flow_id)

    root = ET.Element(
        _q(BPMN, "definitions"),
        {
            "id": "Definitions_1",
            "targetNamespace": f"urn:sopflow:{definition.id}:{definition.version}",
            "exporter": "sopflow",
            "exporterVersion": "1",
        },
    )
    collaboration = _sub(root, BPMN, "collaboration", id="Collaboration_1")
    _sub(
        collaboration,
        BPMN,
        "participant",
        id="Participant_1",
        name=f"{definition.title} ({definition.sop.number})",
        processRef="Process_1",
    )
    process = _sub(root, BPMN, "process", id="Process_1", isExecutable="false")
    lane_set = _sub(process, BPMN, "laneSet", id="LaneSet_1")
    for lane_id, lane in definition.lanes.items():
        lane_element = _sub(lane_set, BPMN, "lane", id=f"Lane_{lane_id}", name=lane.name)
        members = [s.id for s in definition.steps if s.lane == lane_id]
        if lane_id == definition.start.lane:
            members.insert(0, START_ID)
        for member in members:
            _sub(lane_element, BPMN, "flowNodeRef").text = member

    def add_refs(element: ET.Element, node_id: str) -> None:
        for flow_id in incoming.get(node_id, []):
            _sub(element, BPMN, "incoming").text = flow_id
        for flow_id in outgoing.get(node_id, []):
            _sub(element, BPMN, "outgoing").text = flow_id

    add_refs(_sub(process, BPMN, "startEvent", id=START_ID, name="Mulai"), START_ID)
    for step in definition.steps:
        attrs = {"id": step.id, "name": _label(step)}
        if isinstance(step, m.GatewayStep) and step.default:
            attrs["default"] = f"Flow_{step.id}_{step.default}"
        element = _sub(process, BPMN, ELEMENT_OF_KIND[step.kind], **attrs)
        if step.description or step.budget:
            doc = _sub(element, BPMN, "documentation")
            budget = f"Waktu: {format_duration(step.budget)}" if step.budget else ""
            doc.text = step.description or budget
        add_refs(element, step.id)
    for flow_id, source, target, condition in flows:
        flow = _sub(
            process,
            BPMN,
            "sequenceFlow",
            id=flow_id,
            sourceRef=source,
            targetRef=target,
            name=condition or "",
        )
        if condition:
            expression = _sub(flow, BPMN, "conditionExpression")
            expression.set(_q(XSI, "type"), "bpmn:tFormalExpression")
            expression.text = condition

    _diagram(root, definition, flows)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _diagram(
    root: ET.Element,
    definition: m.ProcessDefinition,
    flows: list[tuple[str, str, str, str | None]],
) -> None:
    lanes, nodes, participant = _layout(definition)
    diagram = _sub(root, BPMNDI, "BPMNDiagram", id="BPMNDiagram_1")
    plane = _sub(diagram, BPMNDI, "BPMNPlane", id="BPMNPlane_1", bpmnElement="Collaboration_1")

    def shape(element_id: str, box: Box, **attrs: str) -> None:
        element = _sub(plane, BPMNDI, "BPMNShape", id=f"{element_id}_di", bpmnElement=element_id)
        for key, value in attrs.items():
            element.set(key, value)
        _sub(
            element,
            DC,
            "Bounds",
            x=str(box.x),
            y=str(box.y),
            width=str(box.width),
            height=str(box.height),
        )

    shape("Participant_1", participant, isHorizontal="true")
    for lane_id, box in lanes.items():
        shape(f"Lane_{lane_id}", box, isHorizontal="true")
    for node_id, box in nodes.items():
        shape(node_id, box)
    for flow_id, source, target, _ in flows:
        edge = _sub(plane, BPMNDI, "BPMNEdge", id=f"{flow_id}_di", bpmnElement=flow_id)
        for x, y in _route(nodes[source], nodes[target]):
            _sub(edge, DI, "waypoint", x=str(x), y=str(y))


def _route(source: Box, target: Box) -> list[tuple[int, int]]:
    start = (source.x + source.width, source.mid_y)
    end = (target.x, target.mid_y)
    if start[1] == end[1]:
        return [start, end]
    bend = (start[0] + end[0]) // 2
    return [start, (bend, start[1]), (bend, end[1]), end]
