"""The engine adapter and process registry: state saved without the spec, versions by content hash, and
deploy-time checks that refuse unusable BPMN with a message naming the problem."""
import json
from pathlib import Path

import pytest
from lxml import etree

from app.cases.runtime import checker
from app.engine.registry import deploy_xml, latest_version, specs_for
from app.engine.runner import BpmnError, Engine, parse_bpmn
from config import DEFAULT_DEADLINE_RULES as RULES
from forms import FORMS

BPMN = Path(__file__).resolve().parents[2] / "bpmn" / "joint_punishment.bpmn"


def check():
    return checker(set(FORMS), RULES)


def test_state_round_trips_without_the_spec():
    parsed = parse_bpmn(BPMN.read_bytes(), "joint_punishment.bpmn")[0]
    specs = Engine.restore_spec(parsed.spec_json, BPMN.read_text(encoding="utf-8"))
    eng = Engine.start(specs, {"receiving_unit_id": 2, "determining_unit_id": 2, "determining_role": "group_lead",
                               "multi_group": False, "major": False, "office_unit_id": 1, "initiating_unit_id": 3,
                               "case_id": 1, "concerned_lead_units": [2], "kind": "punishment"})
    state = eng.dump()
    assert "spec" not in json.loads(state) and len(state) < len(parsed.spec_json)
    again = Engine.load(specs, state)
    [task] = again.ready_user_tasks()
    assert task.bpmn_id == "pre_review" and task.lane_id == "Lane_group_lead"
    again.complete(task.task_id, {"review_outcome": "accept"})
    assert sorted(t.bpmn_id for t in again.ready_user_tasks()) == ["issue_notice", "schedule_meeting"]
    assert not again.is_ready(task.task_id)  # a completed task cannot be run again


def test_registry_versions_by_content_hash(ctx):
    xml = BPMN.read_bytes()
    v1 = deploy_xml(xml, "joint_punishment.bpmn", check())[0]
    assert deploy_xml(xml, "joint_punishment.bpmn", check())[0].id == v1.id  # same content, same version
    changed = xml.replace("专项小组预审".encode(), "专项小组预审（修订）".encode())
    v2 = deploy_xml(changed, "joint_punishment.bpmn", check())[0]
    assert v2.id != v1.id and v2.sha256 != v1.sha256
    assert latest_version("joint_punishment").id == v2.id
    assert specs_for(v1.id).spec.task_specs["pre_review"].bpmn_name == "专项小组预审"  # old cases keep theirs


@pytest.mark.parametrize(
    "mutate,needle",
    [
        (lambda x: x.replace(b'value="joint_punishment.pre_review"', b'value="nope.form"', 1), "form 'nope.form'"),
        (lambda x: x.replace(b'value="pre_review" />', b'value="no_rule" />', 1), "deadline rule 'no_rule'"),
        (lambda x: x.replace(b'"Lane_implementing"', b'"Lane_nobody"'), "lane 'Lane_nobody' has no role"),
        (lambda x: x[:-40], "malformed XML"),
        (lambda x: x.replace(b"<bpmn:startEvent", b"<bpmn:startEvnt", 1).replace(b"</bpmn:startEvent>", b"</bpmn:startEvnt>", 1), ""),
    ],
)
def test_unusable_bpmn_is_refused(ctx, mutate, needle):
    with pytest.raises(BpmnError) as exc:
        deploy_xml(mutate(BPMN.read_bytes()), "bad.bpmn", check())
    assert "bad.bpmn" in str(exc.value) and needle in str(exc.value)


def test_every_flow_element_has_diagram_interchange():
    """So bpmn-js and modelers draw the files (bpmnlint runs too, in make test, where Node.js exists)."""
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
    for path in BPMN.parent.glob("*.bpmn"):
        tree = etree.parse(str(path))
        drawn = {e.get("bpmnElement") for e in tree.iterfind(".//bpmndi:BPMNShape", ns)} | {
            e.get("bpmnElement") for e in tree.iterfind(".//bpmndi:BPMNEdge", ns)
        }
        for process in tree.iterfind(".//bpmn:process", ns):
            for el in process:
                if not isinstance(el.tag, str):  # XML comments
                    continue
                tag = etree.QName(el).localname
                if tag in ("laneSet", "extensionElements", "dataObject", "documentation"):
                    continue
                assert el.get("id") in drawn, f"{path.name}: {tag} {el.get('id')} has no shape/edge"
            for lane in process.iterfind(".//bpmn:lane", ns):
                assert lane.get("id") in drawn
