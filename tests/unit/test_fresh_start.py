"""Copied starts (engine.fresh): a process that evaluates nothing on its way to the first wait is started by copying
a prototype; the copy is the state a real start writes (ids and times aside) and behaves as the real workflow."""
from pathlib import Path

import pytest

from app.engine import fresh
from app.engine.runner import Engine, parse_bpmn

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def specs_of(name: str):
    parsed = parse_bpmn((BPMN / f"{name}.bpmn").read_bytes(), f"{name}.bpmn")[0]
    return Engine.restore_spec(parsed.spec_json, (BPMN / f"{name}.bpmn").read_text(encoding="utf-8"))


DATA = {"push_unit_id": 4, "case_id": 9, "reason": "期满"}


def test_a_push_start_is_copied_and_writes_what_a_real_start_writes():
    specs = specs_of("measure_push")
    copied, real = fresh.start(specs, DATA), Engine.start(specs, DATA)
    assert isinstance(copied, fresh.FreshStart)
    assert fresh._shape(copied.dump()) == fresh._shape(real.dump())
    [task] = copied.ready_user_tasks()
    assert (task.bpmn_id, task.lane_id, dict(task.data)) == ("confirm_push", "Lane_implementing", DATA)
    assert copied.waiting_messages() == {"push_superseded"} and copied.next_timer_due() is None and not copied.completed
    # every copy has its own task ids (open-task rows are found by them)
    other = fresh.start(specs, DATA)
    assert other.ready_user_tasks()[0].task_id != task.task_id
    assert set(Engine.load(specs, other.dump()).wf.tasks).isdisjoint(Engine.load(specs, copied.dump()).wf.tasks)


def test_a_copy_completes_and_catches_as_the_real_workflow():
    specs = specs_of("measure_push")
    copied = fresh.start(specs, DATA)
    [task] = copied.ready_user_tasks()
    copied.complete(task.task_id, {"note": "已解除"})  # (loads the workflow from the copied state)
    assert copied.completed and [s.bpmn_id for s in copied.steps] == ["end_push"]
    assert Engine.load(specs, copied.dump()).completed

    superseded = fresh.start(specs, DATA)
    assert superseded.deliver_message("push_superseded") and superseded.completed
    assert superseded.end_properties() == Engine.load(specs, superseded.dump()).end_properties()


@pytest.mark.parametrize("name", ["listing", "joint_punishment", "objection"])
def test_a_start_that_evaluates_anything_is_run(name):
    """A timer, a condition or a script on the way to the first wait: the start may depend on the data."""
    specs = specs_of(name)
    assert fresh.prototype(specs) is None


def test_a_prototype_that_would_not_copy_a_real_start_is_refused(monkeypatch):
    """The check made with the prototype: a copy that differs from a real start of the same data (here, one that
    would forget the data's deletions on tasks not yet reached) is never used."""
    specs = specs_of("measure_push")
    real_copy = fresh.Prototype.copy

    def wrong(self, data):
        out = real_copy(self, data)
        out._state = out._state.replace('"deletions": ["push_unit_id"', '"deletions": ["x"')
        return out

    monkeypatch.setattr(fresh.Prototype, "copy", wrong)
    assert fresh._make(specs) is None


# -- processes an administrator could deploy (inline BPMN): each is started as a real start would be ------------------
HEAD = '''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_{pid}" targetNamespace="http://x.local/bpmn">{pre}
  <bpmn:process id="{pid}" isExecutable="true">{body}</bpmn:process>
</bpmn:definitions>'''
USER_TASK = '''<bpmn:userTask id="{id}" name="{id}"><bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="form" value="f" /><spiffworkflow:property name="unit" value="unit_id" />
  </spiffworkflow:properties></bpmn:extensionElements>{extra}</bpmn:userTask>'''


def inline(pid: str, body: str, pre: str = ""):
    xml = HEAD.format(pid=pid, body=body, pre=pre)
    return Engine.restore_spec(parse_bpmn(xml.encode(), f"{pid}.bpmn")[0].spec_json, xml)


def flow(i, a, b):
    return f'<bpmn:sequenceFlow id="{i}" sourceRef="{a}" targetRef="{b}" />'


EACH_UNIT = USER_TASK.format(id="each", extra='''<bpmn:multiInstanceLoopCharacteristics>
  <bpmn:loopDataInputRef>unit_ids</bpmn:loopDataInputRef><bpmn:inputDataItem id="unit_id" name="unit_id" />
  </bpmn:multiInstanceLoopCharacteristics>''')
CORRELATED = '''<bpmn:startEvent id="s" /><bpmn:intermediateCatchEvent id="w">
  <bpmn:messageEventDefinition id="md" messageRef="m"><bpmn:extensionElements><spiffworkflow:processVariableCorrelation>
  <spiffworkflow:propertyId>case_ref</spiffworkflow:propertyId><spiffworkflow:expression>case_id</spiffworkflow:expression>
  </spiffworkflow:processVariableCorrelation></bpmn:extensionElements></bpmn:messageEventDefinition></bpmn:intermediateCatchEvent>
  <bpmn:endEvent id="e" />''' + flow("f1", "s", "w") + flow("f2", "w", "e")
CORRELATION_KEY = '''<bpmn:collaboration id="c"><bpmn:correlationKey name="ck"><bpmn:correlationPropertyRef>case_ref</bpmn:correlationPropertyRef>
  </bpmn:correlationKey></bpmn:collaboration><bpmn:message id="m" name="closed" />'''
SIDE_END = ('<bpmn:startEvent id="s" /><bpmn:parallelGateway id="fork" />' + USER_TASK.format(id="a", extra="")
            + '''<bpmn:endEvent id="filed" name="filed"><bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="case_status" value="filed" /></spiffworkflow:properties></bpmn:extensionElements></bpmn:endEvent>
  <bpmn:endEvent id="e" />''' + flow("f1", "s", "fork") + flow("f2", "fork", "a") + flow("f3", "fork", "filed") + flow("f4", "a", "e"))


@pytest.mark.parametrize("specs,data", [
    # a task for each unit of a list in the data: the prototype's data has no list (not copied, and no error)
    (lambda: inline("p_each", '<bpmn:startEvent id="s" />' + EACH_UNIT + '<bpmn:endEvent id="e" />' + flow("f1", "s", "each")
                    + flow("f2", "each", "e")), {"unit_ids": [4, 5], "case_id": 9}),
    # a correlation computed from the data (evaluated by the environment, not the script engine: not copied)
    (lambda: inline("p_corr", CORRELATED, CORRELATION_KEY), {"case_id": 9}),
    # a side branch that ends before the first wait names the case's status: copied, and says so as a real start does
    (lambda: inline("p_side", SIDE_END), {"unit_id": 4}),
])
def test_every_start_equals_a_real_start(specs, data):
    specs = specs()
    started, real = fresh.start(specs, data), Engine.start(specs, data)
    assert fresh._shape(started.dump()) == fresh._shape(real.dump())
    assert started.end_properties() == real.end_properties()
    assert [(t.bpmn_id, dict(t.data)) for t in started.ready_user_tasks()] == [(t.bpmn_id, dict(t.data)) for t in real.ready_user_tasks()]
    assert Engine.load(specs, started.dump()).wf.correlations == real.wf.correlations
    assert hasattr(specs, "_prototype")  # (decided once: a process that cannot be copied is not tried at every start)
