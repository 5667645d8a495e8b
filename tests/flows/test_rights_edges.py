"""Edge cases of the rights procedures found in review: revocation during implementation, closed cases,
per-subject objections, rule changes reaching the complaint timer."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cases.models import Case
from app.errors import DomainError
from app.extensions import db
from app.listings.models import PeriodSuspension, Push
from app.rights import objections, queries, repair
from app.scheduler.jobs import sweep_timers
from tests.conftest import user
from tests.helpers import (
    COMPANY,
    COMPANY2,
    PDF,
    applicant_for,
    complete,
    determine,
    do,
    file_case,
    implement_all,
    in_effect_case,
    issue_codes,
    listings_of,
    only_task,
    task_of,
)


def test_revoked_during_implementation_pushes_lifting_and_stays_off_the_list(org, clock):
    from app.rights import accounts

    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"))
    code = issue_codes(case)[case.subjects[0].subject_id]
    applicant = accounts.register("enterprise", COMPANY[2], code, "app", "A-long-passw0rd", "")
    db.session.commit()
    obj = objections.file_objection(applicant, case.id, "异议", [])
    db.session.commit()
    assert queries.public_list("punishment", None, 1).total == 0  # suspended: not listed meanwhile
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "upheld", "reasons": "成立"})
    [listing] = listings_of(case.id)
    assert listing.status == "revoked"
    # Units that had not yet reported are told too: the suspension and then the lifting reach them.
    pushes = {(p.unit_id, p.action) for p in db.session.scalars(select(Push).where(Push.listing_id == listing.id))}
    assert {a for _u, a in pushes} == {"suspend", "lift"} and len({u for u, _a in pushes}) == 3
    implement_all(case.id, outcome="cannot")  # the units still report
    complete("market_lead", only_task(case.id, "compile_feedback"), {"summary": "认定已撤销"})
    assert db.session.get(Case, case.id).status == "closed"  # nothing left in effect: the procedure ends
    assert queries.public_list("punishment", None, 1).total == 0


def test_a_complaint_once_the_punishment_has_ended_suspends_nothing(org, clock):
    """The period ran out while the subject could still complain: the determination stands on its record, so the
    complaint is taken (a founded one revokes it), and nothing is suspended or counted again."""
    case, codes = in_effect_case(days=5)  # 23-27 Nov
    applicant = applicant_for(case, codes)
    obj = objections.file_objection(applicant, case.id, "异议", [])
    db.session.commit()
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "不成立"})  # same day
    clock.move_to("2026-11-28T02:00:00+00:00")
    sweep_timers()
    assert listings_of(case.id)[0].status == "expired"
    nxt = task_of(obj.id, "applicant_next")  # the complaint window (10 working days) is still open
    do(applicant, nxt, {"next_step": "complain", "grounds": "g"})
    assert db.session.get(Case, obj.id).status == "complaint" and listings_of(case.id)[0].status == "expired"
    assert db.session.scalar(select(PeriodSuspension).where(PeriodSuspension.case_id == case.id, PeriodSuspension.end.is_(None))) is None


def test_a_repair_waits_for_a_pending_objection_and_leaves_no_suspension_open(org, clock):
    """An objection filed while a repair is reviewed comes first: approving waits for it (a founded objection would
    revoke the listing), and the repair approved after it leaves no suspension open and a period that no longer moves."""
    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    clock.shift(timedelta(days=100))
    rep = repair.apply(applicant, case.id, "已整改", True, [PDF], [])
    db.session.commit()
    obj = objections.file_objection(applicant, case.id, "异议", [])  # filed while the repair is reviewed
    db.session.commit()
    assert listings_of(case.id)[0].status == "suspended"
    with pytest.raises(DomainError):
        do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "approve", "reasons": "准予"})
    db.session.rollback()
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "不成立"})
    do(applicant, task_of(obj.id, "applicant_next"), {"next_step": "accept"})
    do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "approve", "reasons": "准予"})
    [listing] = listings_of(case.id)
    assert listing.status == "repaired"
    assert db.session.scalar(select(PeriodSuspension).where(PeriodSuspension.listing_id == listing.id, PeriodSuspension.end.is_(None))) is None
    assert listing.period_end == listing.ended_on  # (ended by the repair that day)


def test_complaint_window_follows_the_rule_copied_onto_the_case(org, clock):
    from app.workdays.models import DeadlineRule
    from app.workdays.rules import ensure_seeded

    ensure_seeded()
    db.session.get(DeadlineRule, "complaint_window").days = 20
    db.session.commit()
    case, codes = in_effect_case()
    applicant = applicant_for(case, codes)
    obj = objections.file_objection(applicant, case.id, "异议", [])
    db.session.commit()
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "不成立"})
    t = task_of(obj.id, "applicant_next")
    assert t.deadline_days == 20
    from app.engine.models import ProcessInstance

    inst = db.session.get(ProcessInstance, t.instance_id)
    assert inst.next_due_at == t.due_at  # the silence timer and the task's deadline agree


def test_each_subject_objects_for_itself_and_sees_only_its_requests(org, clock):
    case, codes = in_effect_case(subjects=(COMPANY, COMPANY2))
    a = applicant_for(case, codes, "a")
    s2 = next(cs.subject for cs in case.subjects if cs.subject.code == COMPANY2[2])
    from app.rights import accounts

    b = accounts.register("enterprise", s2.code, codes[s2.id], "b", "A-long-passw0rd", "")
    db.session.commit()
    oa = objections.file_objection(a, case.id, "A 的异议", [])
    db.session.commit()
    ob = objections.file_objection(b, case.id, "B 的异议", [])  # B is not blocked by A's objection
    db.session.commit()
    page_a = queries.status_page(a, case.id)
    assert [r.id for r in page_a["requests"]] == [oa.id] and page_a["open_objection"].id == oa.id
    assert [r.id for r in queries.status_page(b, case.id)["requests"]] == [ob.id]
