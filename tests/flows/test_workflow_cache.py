"""Workflows kept in memory between transactions (app.engine.cache): a task completed after a committed save uses
the workflow that save left, and nothing that the database does not hold is ever given out again."""
import pytest
from sqlalchemy import update

from app.cases import runtime, tasks
from app.engine import cache
from app.engine.models import ProcessInstance
from app.engine.registry import specs_for
from app.engine.runner import Engine
from app.extensions import db
from tests.conftest import user
from tests.helpers import file_case, main_instance, only_task

ACCEPT = {"outcome": "accept", "reasons": ""}


@pytest.fixture
def loads(monkeypatch):
    """How many times a workflow was rebuilt from its saved state."""
    count = []
    original = Engine.load.__func__
    monkeypatch.setattr(Engine, "load", classmethod(lambda cls, specs, state: count.append(1) or original(cls, specs, state)))
    return count


def test_the_next_task_uses_the_workflow_the_last_save_left(org, clock, loads):
    case = file_case()
    loads.clear()
    tasks.complete(user("market_lead"), only_task(case.id, "pre_review").task_id, ACCEPT)
    db.session.commit()
    assert loads == []  # filing saved and committed it: kept
    # The case moved on exactly as from its saved state: the notice step is open, with its row.
    notice = only_task(case.id, "issue_notice")
    assert runtime.load(notice.instance_id).engine.is_ready(notice.task_id)


def test_a_save_by_another_process_is_read_from_the_database(org, clock, loads):
    case = file_case()
    inst = main_instance(case)
    # Another process completed the pre-review meanwhile: the row holds a state this process never saw.
    other = Engine.load(specs_for(inst.process_version_id), inst.state)
    other.complete(only_task(case.id, "pre_review").task_id, {"review_outcome": "accept"})
    db.session.execute(update(ProcessInstance).where(ProcessInstance.id == inst.id).values(state=other.dump()))
    db.session.expire_all()
    loads.clear()
    fresh = runtime.load(inst.id)
    assert loads == [1]
    assert not fresh.engine.is_ready(only_task(case.id, "pre_review").task_id)


def test_a_rolled_back_save_is_not_kept(org, clock, loads):
    case = file_case()
    ot = only_task(case.id, "pre_review")
    tasks.complete(user("market_lead"), ot.task_id, ACCEPT)
    db.session.rollback()
    loads.clear()
    again = runtime.load(ot.instance_id)
    assert loads == [1]  # rebuilt from the row, where the pre-review is still open
    assert again.engine.is_ready(ot.task_id)


def test_a_save_in_a_rolled_back_savepoint_is_not_kept(org, clock, loads):
    case = file_case()
    ot = only_task(case.id, "pre_review")
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            tasks.complete(user("market_lead"), ot.task_id, ACCEPT)
            raise RuntimeError("the caller fails after the save")
    db.session.commit()
    loads.clear()
    again = runtime.load(ot.instance_id)
    assert loads == [1]
    assert again.engine.is_ready(ot.task_id)


def test_a_workflow_changed_after_its_save_is_not_given_out(org, clock, loads):
    case = file_case()
    ot = only_task(case.id, "pre_review")
    kept = runtime.load(ot.instance_id)  # taken out (the filing's save kept it)
    assert loads == []
    runtime.save(kept, case)
    engine = kept.engine  # a reference that escaped its transaction
    db.session.commit()
    engine.complete(ot.task_id, {"review_outcome": "accept"})  # changed in memory, never saved
    loads.clear()
    again = runtime.load(ot.instance_id)
    assert loads == [1]
    assert again.engine is not engine and again.engine.is_ready(ot.task_id)


def test_a_holder_lets_go_of_the_workflow_at_commit(org, clock, loads):
    """Once kept, another thread may take the workflow: the loaded instance that saved it cannot go on using it."""
    case = file_case()
    ot = only_task(case.id, "pre_review")
    held = runtime.load(ot.instance_id)
    runtime.save(held, case)
    db.session.commit()
    with pytest.raises(RuntimeError, match="load the instance again"):
        held.engine.is_ready(ot.task_id)
    assert runtime.load(ot.instance_id).engine.is_ready(ot.task_id) and loads == []


def test_data_given_to_the_engine_is_held_as_a_reload_gives_it_back(org):
    """A kept workflow must equal one read from the database: tuples, integer keys and dates as the saved state has
    them, and the task data the app reads cannot be changed behind the engine's back."""
    from datetime import datetime, timezone

    case = file_case()
    inst = main_instance(case)
    specs = specs_for(inst.process_version_id)
    eng = Engine.load(specs, inst.state)
    task = eng.ready_user_tasks()[0]
    eng.complete(task.task_id, {"review_outcome": "accept", "units": (3, 4), "by_unit": {5: "x"},
                                "at": datetime(2026, 12, 4, tzinfo=timezone.utc)})
    reloaded = Engine.load(specs, eng.dump())
    assert eng.workflow_data() == reloaded.workflow_data()
    kept_data = [t.data for t in eng.wf.get_tasks()]
    assert kept_data == [t.data for t in reloaded.wf.get_tasks()]
    assert any(d.get("units") == [3, 4] and d.get("by_unit") == {"5": "x"} and d.get("at") == datetime(2026, 12, 4, tzinfo=timezone.utc)
               for d in kept_data)
    ready = eng.ready_user_tasks()[0]
    with pytest.raises(TypeError):
        ready.data["review_outcome"] = "reject"


def test_the_cache_holds_at_most_its_size(org, clock, loads, app, monkeypatch):
    first = file_case()
    one = len(main_instance(first).state)
    monkeypatch.setitem(app.config, "WORKFLOW_CACHE_MB", 4.5 * one / 1_000_000)  # room for four such workflows
    later = [file_case() for _ in range(4)]
    loads.clear()
    runtime.load(main_instance(later[-1]).id)
    assert loads == []  # the newest saves are kept
    runtime.load(main_instance(first).id)
    assert loads == [1]  # the oldest made room


def test_a_workflow_larger_than_a_quarter_of_the_budget_is_not_kept(org, clock, loads, app, monkeypatch):
    first = file_case()
    monkeypatch.setitem(app.config, "WORKFLOW_CACHE_MB", 3.9 * len(main_instance(first).state) / 1_000_000)
    case = file_case()
    loads.clear()
    runtime.load(main_instance(case).id)
    assert loads == [1]


def test_size_zero_keeps_nothing(org, clock, loads, app, monkeypatch):
    monkeypatch.setitem(app.config, "WORKFLOW_CACHE_MB", 0)
    cache.clear()
    case = file_case()
    loads.clear()
    runtime.load(main_instance(case).id)
    assert loads == [1]


def test_read_only_loads_never_take_a_kept_workflow(org, clock, loads):
    case = file_case()
    inst = main_instance(case)
    loads.clear()
    runtime.load(inst.id, lock=False)
    assert loads == [1]  # deserialized its own copy
    runtime.load(inst.id)
    assert loads == [1]  # the kept one is still there for the next change
