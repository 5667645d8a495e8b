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
