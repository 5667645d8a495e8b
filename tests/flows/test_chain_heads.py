"""A case's chain head is checked when its row is written (events.record numbers events from the head as loaded; the
head's UPDATE is conditional on it; another writer's events in between are caught up). Found by a review of that
change: a case read by record() itself autoflushed the heads recorded so far and forgot the new one, unchecked."""
import gc
import threading

import pytest
from sqlalchemy import select, text

from app.cases import events
from app.cases.models import Case, CaseEvent
from app.enums import EventType
from app.extensions import db
from tests.helpers import file_case


def _outcome(action) -> str:
    """Run `action` and commit: "ok", or the error it ended with (rolled back)."""
    try:
        action()
        db.session.commit()
        return "ok"
    except Exception as exc:  # noqa: BLE001
        db.session.rollback()
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


def _forget_loaded() -> None:
    """Nothing loaded in the session any more: the next record() on a case reads it."""
    db.session.expunge_all()
    gc.collect()


def _two_cases_forgotten() -> tuple[int, int]:
    a, b = file_case(), file_case()
    db.session.commit()
    ids = a.id, b.id
    del a, b
    _forget_loaded()
    return ids


def _other_records_and_commits(app, case_id, tag):
    """Another request records one event on the case and commits (waiting at most 3 s for a lock)."""
    out = []

    def other():
        with app.app_context():
            try:
                db.session.execute(text("SET lock_timeout = '3s'"))
                out.append(_outcome(lambda: events.record(case_id, EventType.TYPICAL_REGISTERED, None, {"other": tag})))
            finally:
                db.session.remove()

    t = threading.Thread(target=other)
    t.start()
    t.join(2)  # (parent commit: blocked on this transaction's lock of the head; it then commits after us)
    return t, out


@pytest.mark.real_commits
def test_first_event_on_a_case_not_loaded_while_other_writes_pend(org, clock, app):
    """record() on a case not in the identity map while the session has pending changes: the get() autoflushes,
    _write_heads pops the very _HEADS dict record() is about to fill, so the case is never checked/caught up."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL row locks")
    a_id, b_id = _two_cases_forgotten()

    events.record(a_id, EventType.TYPICAL_REGISTERED, None, {"mine": "a"})  # (a pending write: the case a)
    events.record(b_id, EventType.TYPICAL_REGISTERED, None, {"mine": "b"})  # b not loaded: get() autoflushes
    t, out = _other_records_and_commits(app, b_id, "b")
    mine = _outcome(lambda: None)
    t.join(10)
    assert (mine, out) == ("ok", ["ok"])
    assert events.verify_chain(b_id) == (True, None)


@pytest.mark.real_commits
def test_deadline_reminder_while_another_request_writes_the_case(org, clock, app):
    """The deadline sweep (claim_due, deadlines.record: ot.reminded = True, then events.record(ot.case_id) on a case
    it never loaded) while a request has written the case's head and not yet committed. Parent: the sweep's locked
    head read waits for the request and numbers after it. Now: the case's get() autoflushes, the head is never
    checked, and the sweep's event collides with the request's on the chain's unique key."""
    from app import clock as app_clock
    from app.cases import deadlines
    from app.cases.models import OpenTask
    from tests.helpers import only_task

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL row locks")
    case = file_case()
    ot = only_task(case.id, "pre_review")
    case_id, ot_id = case.id, ot.id
    db.session.execute(OpenTask.__table__.update().where(OpenTask.id == ot_id)
                       .values(remind_at=app_clock.now().replace(year=2000), reminded=False))
    db.session.commit()
    _forget_loaded()

    flushed, go = threading.Event(), threading.Event()
    out = []

    def request():  # a request that has written on the case and commits a moment later
        with app.app_context():
            def written_then_wait():
                events.record(case_id, EventType.TYPICAL_REGISTERED, None, {"request": 1})
                db.session.flush()
                flushed.set()
                go.wait(1.5)

            try:
                out.append(_outcome(written_then_wait))
            finally:
                db.session.remove()

    t = threading.Thread(target=request)
    t.start()
    flushed.wait(10)
    row = deadlines.claim_due(app_clock.now(), "remind", set())
    assert row is not None and row.id == ot_id
    mine = _outcome(lambda: deadlines.record(row, "remind"))
    t.join(10)
    assert (mine, out) == ("ok", ["ok"])
    assert events.verify_chain(case_id) == (True, None)


@pytest.mark.real_commits
def test_rows_left_queued_by_an_unchecked_case_are_renumbered_later_leaving_a_gap(org, clock, app):
    """The case_events_queued entry of a case whose head was never checked (the autoflush above) is not popped: it
    outlives the flush that wrote its rows and the commit. The next time the session catches that case up (another
    writer moved its head), the stale row, already written, is renumbered too and takes a number no row has: the
    chain has a gap and the case's head names an event whose prev_hash is of no stored event."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL threads")
    a_id, b_id = _two_cases_forgotten()

    # Transaction 1 (e.g. a scheduler's, one session for many transactions): b recorded on while a write pends.
    events.record(a_id, EventType.TYPICAL_REGISTERED, None, {"t1": "a"})
    events.record(b_id, EventType.TYPICAL_REGISTERED, None, {"t1": "b"})
    db.session.commit()
    assert db.session.info.get(events._QUEUED) is None  # (nothing of a committed transaction waits to be renumbered)

    # Transaction 2 on the same session: b loaded first, then recorded on; another request commits on b meanwhile.
    assert db.session.get(Case, b_id).event_seq > 0
    events.record(b_id, EventType.TYPICAL_REGISTERED, None, {"t2": "b"})
    t, out = _other_records_and_commits(app, b_id, "b")
    db.session.commit()
    t.join(10)
    assert out == ["ok"]
    rows = db.session.execute(select(CaseEvent.seq, CaseEvent.details).where(CaseEvent.case_id == b_id)
                              .order_by(CaseEvent.seq)).all()
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert events.verify_chain(b_id) == (True, None)


@pytest.mark.real_commits
def test_stale_queued_rows_renumbered_by_the_orm_path_in_one_transaction(org, clock, app):
    """No concurrency at all: b recorded on while a write pends (unchecked), flushed; then b's relationships change
    and it is recorded on again: the ORM path's catch-up renumbers the stale, already written row too."""
    from app.cases.models import CaseSubject
    from tests.helpers import COMPANY2

    file_case(subjects=(COMPANY2,))  # (a second subject to add to b)
    a_id, b_id = _two_cases_forgotten()

    events.record(a_id, EventType.TYPICAL_REGISTERED, None, {"x": "a"})
    events.record(b_id, EventType.TYPICAL_REGISTERED, None, {"x": "b1"})
    db.session.flush()
    b = db.session.get(Case, b_id)
    from app.cases.models import Subject
    other = db.session.scalar(select(Subject.id).where(Subject.id.not_in([s.subject_id for s in b.subjects])).limit(1))
    assert other is not None
    b.subjects.append(CaseSubject(subject_id=other))  # (the row goes through the unit of work)
    events.record(b_id, EventType.TYPICAL_REGISTERED, None, {"x": "b2"})
    db.session.commit()
    rows = db.session.execute(select(CaseEvent.seq, CaseEvent.details).where(CaseEvent.case_id == b_id)
                              .order_by(CaseEvent.seq)).all()
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1)) and rows[-1].seq == db.session.get(Case, b_id).event_seq
    assert events.verify_chain(b_id) == (True, None)


@pytest.mark.real_commits
@pytest.mark.parametrize("shape", ["sp_commit", "sp_rollback_then_outer", "orm_path", "two_cases", "mid_flush"])
def test_shapes_of_transactions_that_keep_the_chain_with_another_writer(org, clock, app, shape):
    from app.cases.models import CaseSubject, Subject
    from tests.helpers import COMPANY2

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL threads")
    file_case(subjects=(COMPANY2,))
    a, b = file_case(), file_case()
    db.session.commit()
    a_id, b_id = a.id, b.id
    a.event_seq, b.event_seq  # (loaded: no autoflush in record)
    if shape == "sp_commit":
        with db.session.begin_nested():
            events.record(b_id, EventType.TYPICAL_REGISTERED, None, {"sp": 1})
            t, out = _other_records_and_commits(app, b_id, "x")
        db.session.commit()
    elif shape == "sp_rollback_then_outer":
        events.record(b_id, EventType.TYPICAL_REGISTERED, None, {"outer": 1})
        db.session.flush()
        with pytest.raises(RuntimeError):
            with db.session.begin_nested():
                events.record(b_id, EventType.TYPICAL_REGISTERED, None, {"sp": 1})
                db.session.flush()
                raise RuntimeError
        events.record(b_id, EventType.TYPICAL_REGISTERED, None, {"outer": 2})
        t, out = _other_records_and_commits(app, b_id, "x")
        db.session.commit()
    elif shape == "orm_path":
        other = db.session.scalar(select(Subject.id).where(Subject.id.not_in([s.subject_id for s in b.subjects])).limit(1))
        b.subjects.append(CaseSubject(subject_id=other))
        events.record(b_id, EventType.TYPICAL_REGISTERED, None, {"orm": 1})
        t, out = _other_records_and_commits(app, b_id, "x")
        db.session.commit()
    elif shape == "two_cases":
        events.record(a_id, EventType.TYPICAL_REGISTERED, None, {"a": 1})
        events.record(b_id, EventType.TYPICAL_REGISTERED, None, {"b": 1})
        events.record(a_id, EventType.TYPICAL_REGISTERED, None, {"a": 2})
        t, out = _other_records_and_commits(app, b_id, "x")
        t2, out2 = _other_records_and_commits(app, a_id, "y")
        db.session.commit()
        t2.join(10)
        assert out2 == ["ok"]
    elif shape == "mid_flush":
        events.record(b_id, EventType.TYPICAL_REGISTERED, None, {"b": 1})
        t, out = _other_records_and_commits(app, b_id, "x")
        db.session.flush()
        events.record(b_id, EventType.TYPICAL_REGISTERED, None, {"b": 2})
        db.session.flush()
        events.record(b_id, EventType.TYPICAL_REGISTERED, None, {"b": 3})
        db.session.commit()
    t.join(10)
    assert out == ["ok"]
    assert events.verify_chain(a_id) == (True, None)
    assert events.verify_chain(b_id) == (True, None)


@pytest.mark.real_commits
def test_deadline_sweep_leaves_rows_queued_after_its_commit(org, clock, app):
    from app import clock as app_clock
    from app.cases import deadlines
    from app.cases.models import OpenTask
    from tests.helpers import only_task

    case = file_case()
    ot_id, case_id = only_task(case.id, "pre_review").id, case.id
    db.session.execute(OpenTask.__table__.update().where(OpenTask.id == ot_id)
                       .values(remind_at=app_clock.now().replace(year=2000), reminded=False))
    db.session.commit()
    _forget_loaded()
    row = deadlines.claim_due(app_clock.now(), "remind", set())
    deadlines.record(row, "remind")
    db.session.commit()
    assert db.session.info.get(events._QUEUED) is None, db.session.info.get(events._QUEUED)
    assert events.verify_chain(case_id) == (True, None)


@pytest.mark.real_commits
def test_units_reporting_their_implementation_at_once_all_succeed(org, clock, app):
    """The implementing units of one decision report at the same moment: each numbers its events from the head it
    loaded, and each but the first catches up on the write — all succeed and the chain holds (PostgreSQL; the suite's
    SQLite with explicit BEGIN refuses a writer whose snapshot is stale instead)."""
    from app.cases import tasks
    from tests.conftest import user
    from tests.flows.test_concurrency import _race
    from tests.helpers import WHO, complete, determine, issue_codes, only_task, open_tasks, unit_id

    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"), days=365)
    issue_codes(case)
    complete("office1", only_task(case.id, "file_decision"), {})
    who = {unit_id(name): username for name, username in WHO.items()}
    jobs = [(who[t.unit_id], t.task_id) for t in open_tasks(case.id, "implement")]
    case_id = case.id
    db.session.commit()
    assert len(jobs) >= 2
    results = _race(app, len(jobs), lambda i: tasks.complete(user(jobs[i][0]), jobs[i][1],
                                                             {"outcome": "applied", "report": "已实施", "reasons": ""}))
    if db.engine.dialect.name == "postgresql":
        assert results == ["ok"] * len(jobs), results
        assert open_tasks(case_id, "implement") == []
    else:
        assert "ok" in results and set(results) <= {"ok", "conflict"}, results
    assert events.verify_chain(case_id) == (True, None)
