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
    "mutate,kind,needle",
    [
        (lambda x: x.replace(b'value="joint_punishment.pre_review"', b'value="nope.form"', 1), "rules", "表单 'nope.form' 不存在"),
        (lambda x: x.replace(b'value="pre_review" />', b'value="no_rule" />', 1), "rules", "期限规则 'no_rule' 不存在"),
        (lambda x: x.replace(b'"Lane_implementing"', b'"Lane_nobody"'), "rules", "泳道 'Lane_nobody' 未对应任何角色"),
        (lambda x: x[:-40], "xml", "malformed XML"),
        (lambda x: x.replace(b"<bpmn:startEvent", b"<bpmn:startEvnt", 1).replace(b"</bpmn:startEvent>", b"</bpmn:startEvnt>", 1), "bpmn", ""),
    ],
)
def test_unusable_bpmn_is_refused(ctx, mutate, kind, needle):
    with pytest.raises(BpmnError) as exc:
        deploy_xml(mutate(BPMN.read_bytes()), "bad.bpmn", check())
    assert "bad.bpmn" in str(exc.value) and needle in str(exc.value) and exc.value.kind == kind
    assert exc.value.line if kind != "rules" else exc.value.line is None


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


NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="nested" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:outgoing>f1</bpmn:outgoing><bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:userTask id="first"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>g1</bpmn:outgoing></bpmn:userTask>
    <bpmn:subProcess id="sub"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing>
      <bpmn:startEvent id="sub_start"><bpmn:outgoing>s1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:parallelGateway id="sub_split"><bpmn:incoming>s1</bpmn:incoming><bpmn:outgoing>s2</bpmn:outgoing><bpmn:outgoing>s3</bpmn:outgoing></bpmn:parallelGateway>
      <bpmn:userTask id="inner_a"><bpmn:incoming>s2</bpmn:incoming><bpmn:outgoing>s4</bpmn:outgoing></bpmn:userTask>
      <bpmn:userTask id="inner_b"><bpmn:incoming>s3</bpmn:incoming><bpmn:outgoing>s5</bpmn:outgoing></bpmn:userTask>
      <bpmn:parallelGateway id="sub_join"><bpmn:incoming>s4</bpmn:incoming><bpmn:incoming>s5</bpmn:incoming><bpmn:outgoing>s6</bpmn:outgoing></bpmn:parallelGateway>
      <bpmn:endEvent id="sub_end"><bpmn:incoming>s6</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="s1" sourceRef="sub_start" targetRef="sub_split"/>
      <bpmn:sequenceFlow id="s2" sourceRef="sub_split" targetRef="inner_a"/>
      <bpmn:sequenceFlow id="s3" sourceRef="sub_split" targetRef="inner_b"/>
      <bpmn:sequenceFlow id="s4" sourceRef="inner_a" targetRef="sub_join"/>
      <bpmn:sequenceFlow id="s5" sourceRef="inner_b" targetRef="sub_join"/>
      <bpmn:sequenceFlow id="s6" sourceRef="sub_join" targetRef="sub_end"/>
    </bpmn:subProcess>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>g3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P30D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="last"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>g4</bpmn:outgoing></bpmn:userTask>
    <bpmn:parallelGateway id="join"><bpmn:incoming>g1</bpmn:incoming><bpmn:incoming>g2</bpmn:incoming><bpmn:incoming>g3</bpmn:incoming><bpmn:incoming>g4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split"/>
    <bpmn:sequenceFlow id="f1" sourceRef="split" targetRef="first"/>
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="sub"/>
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="wait"/>
    <bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="last"/>
    <bpmn:sequenceFlow id="g1" sourceRef="first" targetRef="join"/>
    <bpmn:sequenceFlow id="g2" sourceRef="sub" targetRef="join"/>
    <bpmn:sequenceFlow id="g3" sourceRef="wait" targetRef="join"/>
    <bpmn:sequenceFlow id="g4" sourceRef="last" targetRef="join"/>
    <bpmn:sequenceFlow id="f5" sourceRef="join" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_ready_and_waiting_tasks_are_found_as_the_engine_walks_them():
    """The adapter finds READY and WAITING tasks by scanning the task dictionaries (issue 18: the tree walk cost more
    than a save's SQL); they are the tasks, and in the order, SpiffWorkflow's own depth-first walk gives — across
    parallel branches and into a subprocess — as each completion changes the tree."""
    from SpiffWorkflow.util.task import TaskState

    parsed = parse_bpmn(NESTED, "nested.bpmn")[0]
    eng = Engine.start(Engine.restore_spec(parsed.spec_json, NESTED.decode()), {})

    def walked(state, **kw):
        return [t.id for t in eng.wf.get_tasks(state=state, **kw)]

    seen = []
    while True:
        ready = eng._in_state(TaskState.READY, manual=True)
        assert [t.id for t in ready] == walked(TaskState.READY, manual=True)
        assert [t.id for t in eng._in_state(TaskState.WAITING)] == walked(TaskState.WAITING)
        assert [t.task_id for t in eng.ready_user_tasks()] == [str(i) for i in walked(TaskState.READY, manual=True)]
        if not ready:
            break
        seen.append([t.task_spec.bpmn_id for t in ready])
        eng.complete(str(ready[-1].id), {})  # the last first: the order changes as the tree does
    # The subprocess's tasks come where the walk meets them: after the branch before it, before those after it.
    assert seen[0] == ["first", "inner_a", "inner_b", "last"]
    assert seen[-1] == ["first"] and eng.next_timer_due() is not None
