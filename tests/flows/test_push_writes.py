"""A change of a listing pushed to several units starts their confirmation processes together: the instances are
written by one INSERT and their open tasks by another (the midnight on which thousands of periods end is mostly
this), and each is then worked as any other instance, in the same transaction too."""
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from app.cases.models import Case, OpenTask
from app.engine.models import ProcessInstance
from app.extensions import db
from app.listings.models import Push
from app.rights import objections
from tests.helpers import COMPANY, applicant_for, in_effect_case, listing_for, open_tasks


@contextmanager
def statements():
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_a):
        seen.append(" ".join(statement.split()))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_a_push_to_three_units_writes_their_instances_and_tasks_once_each(org, clock):
    case, codes = in_effect_case()
    applicant = applicant_for(case, codes)
    with statements() as seen:
        objections.file_objection(applicant, case.id, "异议。", [])
        db.session.commit()
    listing = listing_for(case.id, COMPANY[2])
    pushes = db.session.scalars(select(Push).where(Push.listing_id == listing.id, Push.action == "suspend")).all()
    assert len(pushes) == 3
    inserts = [s for s in seen if s.startswith("INSERT INTO process_instance")]
    # One for the objection's own process, one for the three pushes. (SQLite, in the same process, is sent the rows
    # one at a time: it cannot return the ids of one multi-row INSERT in the rows' order.)
    assert len(inserts) == (2 if db.engine.dialect.name == "postgresql" else 4), inserts
    assert sum(s.startswith("INSERT INTO open_task") for s in seen) == 2  # (the objection's task; the three pushes')
    tasks = {t.instance_id: t for t in open_tasks(case.id, "confirm_push")}
    assert set(tasks) == {p.instance_id for p in pushes}
    assert {t.unit_id for t in tasks.values()} == {p.unit_id for p in pushes}
    instances = db.session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(list(tasks)))).all()
    assert all(i.version == 1 and i.status == "running" and i.state for i in instances)


def test_instances_started_together_can_be_worked_in_the_same_transaction(org, clock):
    """A suspension pushed and, before the transaction ends, replaced by a resumption: the first pushes' instances,
    written directly, are loaded, told they were superseded and saved again under their version."""
    from app.listings import services as listings

    case, _codes = in_effect_case()
    listing = listing_for(case.id, COMPANY[2])
    first = listings.push({"listing_id": listing.id, "action": "suspend", "reason": "objection"}, case, None)
    second = listings.push({"listing_id": listing.id, "action": "resume", "reason": "rejected"}, case, None)
    db.session.commit()
    db.session.expire_all()
    assert len(first) == len(second) == 3
    assert all(p.superseded_at is not None for p in first)
    old = db.session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_([p.instance_id for p in first]))).all()
    assert all(i.status == "completed" and i.version == 2 for i in old)
    open_now = db.session.scalars(select(OpenTask).where(OpenTask.case_id == case.id, OpenTask.bpmn_id == "confirm_push")).all()
    assert {t.instance_id for t in open_now} == {p.instance_id for p in second}


def test_pushes_rolled_back_and_sent_again_in_the_same_session(org, clock):
    """A batch of timer firings that fails is rolled back and fired again one by one: the instances it had
    started, attached to the session as written, are forgotten with it (SQLite gives the next rows the same ids)."""
    from app.listings import services as listings

    case, _codes = in_effect_case()
    listing = listing_for(case.id, COMPANY[2])
    savepoint = db.session.begin_nested()
    first = listings.push({"listing_id": listing.id, "action": "suspend", "reason": "objection"}, case, None)
    first_ids = {p.instance_id for p in first}
    held = [db.session.get(ProcessInstance, i) for i in first_ids]  # (as a caller might still hold them)
    savepoint.rollback()
    assert db.session.scalar(select(ProcessInstance.id).where(ProcessInstance.id.in_(first_ids))) is None
    again = listings.push({"listing_id": listing.id, "action": "suspend", "reason": "objection"}, case, None)
    db.session.commit()
    assert len(again) == 3 and all(inst not in db.session for inst in held)
    tasks = open_tasks(case.id, "confirm_push")
    assert {t.instance_id for t in tasks} == {p.instance_id for p in again}


@pytest.mark.real_commits
def test_pushes_forgotten_on_rollback_after_a_savepoint_inside_was_released(org, clock):
    """Releasing a savepoint is not the end of the transaction: instances a push inserted before it are still
    forgotten when the whole transaction then rolls back, and the same push sent again attaches its own."""
    from app.listings import services as listings

    case, _codes = in_effect_case()
    listing = listing_for(case.id, COMPANY[2])
    case_id, listing_id = case.id, listing.id
    first = listings.push({"listing_id": listing_id, "action": "suspend", "reason": "objection"}, case, None)
    first_ids = {p.instance_id for p in first}
    held = [db.session.get(ProcessInstance, i) for i in first_ids]
    with db.session.begin_nested():  # e.g. a hook that writes under its own savepoint
        pass
    db.session.rollback()
    assert db.session.scalar(select(ProcessInstance.id).where(ProcessInstance.id.in_(first_ids))) is None
    assert all(inst not in db.session for inst in held)
    case = db.session.get(Case, case_id)
    again = listings.push({"listing_id": listing_id, "action": "suspend", "reason": "objection"}, case, None)
    db.session.commit()
    assert len(again) == 3
    tasks = open_tasks(case_id, "confirm_push")
    assert {t.instance_id for t in tasks} == {p.instance_id for p in again}
