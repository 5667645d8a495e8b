"""The timeline's hash chain detects edits, deletions and reordering, and names the first bad event."""
from sqlalchemy import update

from app.cases import events
from app.cases.models import CaseEvent
from app.extensions import db
from tests.helpers import file_case


def test_chain_verifies_and_detects_tampering(org, clock):
    case = file_case()
    ok, bad = events.verify_chain(case.id)
    assert ok and bad is None
    n = db.session.query(CaseEvent).filter_by(case_id=case.id).count()
    assert n >= 3
    db.session.execute(
        update(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.seq == 2).values(details={"forged": True})
    )
    db.session.commit()
    assert events.verify_chain(case.id) == (False, 2)


def test_deleting_an_event_breaks_the_chain(org, clock):
    case = file_case()
    db.session.query(CaseEvent).filter_by(case_id=case.id, seq=1).delete()
    db.session.commit()
    ok, bad = events.verify_chain(case.id)
    assert not ok and bad == 2


def test_deleting_the_newest_events_is_detected(org, clock):
    case = file_case()
    last = db.session.query(CaseEvent).filter_by(case_id=case.id).order_by(CaseEvent.seq.desc()).first()
    db.session.delete(last)
    db.session.commit()
    ok, bad = events.verify_chain(case.id)
    assert not ok and bad == last.seq
