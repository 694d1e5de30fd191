"""BPMN output validates against the OMG XSD and has DI for every node, lane and flow."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from process_definitions.diagram_bpmn import BPMN, BPMNDI, to_bpmn
from process_definitions.diagram_mermaid import to_mermaid
from process_definitions.graph import edges
from process_definitions.loader import load_definition
from process_definitions.model import ProcessDefinition

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCHEMA = xmlschema.XMLSchema(str(FIXTURES / "bpmn_schema" / "BPMN20.xsd"))
FLOW_NODES = {
    "startEvent",
    "endEvent",
    "manualTask",
    "userTask",
    "serviceTask",
    "sendTask",
    "exclusiveGateway",
    "task",
}


def definitions() -> list[ProcessDefinition]:
    repo = FIXTURES.parent.parent
    return [
        load_definition(
            repo / "process_definitions" / "layanan_informasi_integrasi" / "process.yaml"
        ).definition,
        load_definition(FIXTURES / "definitions" / "izin_kunjungan.yaml").definition,
    ]


@pytest.fixture(params=definitions(), ids=lambda d: d.id)
def definition(request: pytest.FixtureRequest) -> ProcessDefinition:
    return request.param  # type: ignore[no-any-return]


def test_bpmn_validates_against_the_xsd(definition: ProcessDefinition) -> None:
    SCHEMA.validate(to_bpmn(definition))


def test_every_flow_node_lane_and_flow_has_di(definition: ProcessDefinition) -> None:
    root = ET.fromstring(to_bpmn(definition))
    process = root.find(f"{{{BPMN}}}process")
    assert process is not None
    nodes = {el.get("id") for el in process if el.tag.split("}")[1] in FLOW_NODES}
    lanes = {el.get("id") for el in process.iter(f"{{{BPMN}}}lane")}
    flows = {el.get("id") for el in process.iter(f"{{{BPMN}}}sequenceFlow")}
    shapes = {el.get("bpmnElement") for el in root.iter(f"{{{BPMNDI}}}BPMNShape")}
    edges_di = {el.get("bpmnElement") for el in root.iter(f"{{{BPMNDI}}}BPMNEdge")}
    assert nodes == {s.id for s in definition.steps} | {"start"}
    assert len(lanes) == len(definition.lanes)
    assert nodes <= shapes and lanes <= shapes
    assert flows == edges_di
    expected_flows = sum(len(targets) for targets in edges(definition.steps).values()) + 1
    assert len(flows) == expected_flows


def test_lanes_are_stacked_and_nodes_sit_in_their_lane(definition: ProcessDefinition) -> None:
    root = ET.fromstring(to_bpmn(definition))
    bounds = {}
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape"):
        box = shape[0]
        bounds[shape.get("bpmnElement")] = (
            int(box.get("x", 0)),
            int(box.get("y", 0)),
            int(box.get("width", 0)),
            int(box.get("height", 0)),
        )
    for step in definition.steps:
        x, y, w, h = bounds[step.id]
        lx, ly, lw, lh = bounds[f"Lane_{step.lane}"]
        assert ly <= y and y + h <= ly + lh, step.id
        assert lx <= x and x + w <= lx + lw, step.id


def test_gateway_default_and_conditions_are_in_the_xml() -> None:
    definition = definitions()[0]
    root = ET.fromstring(to_bpmn(definition))
    gateways = list(root.iter(f"{{{BPMN}}}exclusiveGateway"))
    assert {g.get("default") for g in gateways} == {
        "Flow_hasil_verifikasi_susun_jawaban",
        "Flow_cek_persetujuan_kirim_informasi",
    }
    conditions = [c.text for c in root.iter(f"{{{BPMN}}}conditionExpression")]
    assert "keputusan == 'tidak_ditemukan'" in conditions


def test_mermaid_has_lanes_nodes_edges_and_budgets(definition: ProcessDefinition) -> None:
    text = to_mermaid(definition)
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    subgraphs = [re.match(r"\s*subgraph (\w+)\[", line) for line in lines]
    assert [m.group(1) for m in subgraphs if m] == list(definition.lanes)
    assert text.count("\n  end") == len(definition.lanes)
    current_lane = None
    for line in lines:
        if match := re.match(r"\s*subgraph (\w+)\[", line):
            current_lane = match.group(1)
        for step in definition.steps:
            if re.match(rf"\s+{step.id}[\[\(\{{]", line):
                assert current_lane == step.lane, step.id
                if step.budget:
                    assert "⏱" in line, step.id
    arrows = [line for line in lines if "-->" in line]
    assert len(arrows) == sum(len(t) for t in edges(definition.steps).values()) + 1
