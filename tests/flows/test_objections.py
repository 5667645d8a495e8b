"""Objection and complaint through the real BPMN (objection + joint punishment), services and database,
with the clock moved by the tests: the punishment is suspended while handled and resumes from the day of
rejection, to the day."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.cases.models import Case, CaseEvent
from app.cases.services import office_unit
from app.engine.models import ProcessInstance
from app.enums import EventType
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.listings import imports
from app.listings.models import PeriodSuspension
from app.rights import accounts, objections
from app.scheduler.jobs import sweep_timers
from tests.conftest import user
from tests.helpers import (
    COMPANY2,
    PDF,
    WHO,
    applicant_for,
    complete,
    do,
    event_types,
    experts_confirm,
    heard,
    in_effect_case,
    listings_of,
    objection_rejected,
    open_tasks,
    task_of,
    unit_id,
)


def _complained(case, codes):
    """The subject objects, the deciding unit rejects it and the subject complains: (applicant, objection case)."""
    applicant, obj = objection_rejected(case, codes)
    do(applicant, task_of(obj.id, "applicant_next"), {"next_step": "complain", "grounds": "投诉。"})
    return applicant, obj


def test_access_code_binds_one_account_to_its_subject(org, clock):
    case, codes = in_effect_case()
    subject = case.subjects[0].subject
    with pytest.raises(DomainError):
        accounts.register("enterprise", subject.code, "WRONG-CODE-XXXX", "x1", "A-long-passw0rd", "")
    db.session.rollback()
    # every problem of the form is named at once: the codes, the password, the login name
    with pytest.raises(DomainError) as err:
        accounts.register("enterprise", subject.code, "WRONG-CODE-XXXX", "", "short", "")
    assert {f for f, _ in err.value.errors} == {"access_code", "password", "username"}
    with pytest.raises(DomainError) as err:
        accounts.register("enterprise", "not a code", codes[subject.id], "x1", "short", "")
    assert {f for f, _ in err.value.errors} == {"subject_code", "password"}
    db.session.rollback()
    u = applicant_for(case, codes)
    assert u.role == "applicant" and u.subject_id == subject.id
    with pytest.raises(DomainError):  # a code works once
        accounts.register("enterprise", subject.code, codes[subject.id], "x2", "A-long-passw0rd", "")
    db.session.rollback()


def confirm_pushes(case_id: int) -> None:
    for t in open_tasks(case_id, "confirm_push"):
        name = next(n for n in WHO if unit_id(n) == t.unit_id)
        complete(WHO[name], t, {"done": True, "note": "已调整"})


def test_objection_upheld_revokes_the_listing_and_lifts_the_measures(org, clock):
    case, codes = in_effect_case()
    applicant = applicant_for(case, codes)
    clock.shift(timedelta(days=3))
    obj = objections.file_objection(applicant, case.id, "处罚决定已被行政复议撤销。", [])
    db.session.commit()
    [listing] = listings_of(case.id)
    assert listing.status == "suspended" and listing.period_end is None
    assert db.session.get(ProcessInstance, listing.instance_id).next_due_at is None  # nothing fires while suspended
    # Each unit applying a measure is told to suspend it, and confirms.
    pushes = open_tasks(case.id, "confirm_push")
    assert len(pushes) == 3 and {p.role for p in pushes} == {"caseworker"}
    confirm_pushes(case.id)
    assert {lu.state for lu in listings_of(case.id)[0].units} == {"suspended"}
    reply = task_of(obj.id, "reply_objection")
    assert reply.role == "group_lead" and reply.unit_id == unit_id("市市场监管局")
    do(user("market_lead"), reply, {"outcome": "upheld", "reasons": "经核查，异议成立，撤销认定。"})
    [listing] = listings_of(case.id)
    assert listing.status == "revoked" and listing.end_reason == "revoked"
    confirm_pushes(case.id)  # lift
    assert {lu.state for lu in listings_of(case.id)[0].units} == {"lifted"}
    assert db.session.get(Case, obj.id).status == "objection_upheld"
    assert db.session.get(Case, case.id).status == "closed"  # its only listing has ended


def test_objection_rejected_then_complaint_upheld(org, clock):
    case, codes = in_effect_case()
    applicant = applicant_for(case, codes)
    obj = objections.file_objection(applicant, case.id, "事实认定有误。", [])
    db.session.commit()
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "证据充分。"})
    assert listings_of(case.id)[0].status == "in_effect"  # resumed from the day of rejection
    nxt = task_of(obj.id, "applicant_next")
    assert nxt.assignee_id == applicant.id
    do(applicant, nxt, {"next_step": "complain", "grounds": "答复未回应关键证据。"})
    assert listings_of(case.id)[0].status == "suspended"
    # The office must convene the units concerned (seed 001 二(三)2 应当召集相关部门): none is refused.
    with pytest.raises(DomainError) as refused:
        do(user("office1"), task_of(obj.id, "schedule_hearing"), {"attending_unit_ids": [], "draw_experts": False})
    db.session.rollback()
    assert refused.value.errors[0][0] == "attending_unit_ids" and task_of(obj.id, "schedule_hearing")
    # ... and the unit whose determination is complained of is among them: convening only the office is refused.
    with pytest.raises(DomainError) as refused:
        do(user("office1"), task_of(obj.id, "schedule_hearing"), {"attending_unit_ids": [office_unit().id], "draw_experts": False})
    db.session.rollback()
    assert refused.value.errors[0][0] == "attending_unit_ids"
    do(user("office1"), task_of(obj.id, "schedule_hearing"), {"attending_unit_ids": [unit_id("市市场监管局")], "draw_experts": False})
    do(user("office1"), task_of(obj.id, "decide_complaint"), {**heard(), "outcome": "upheld", "reasons": "投诉成立。"})
    assert listings_of(case.id)[0].status == "revoked"
    assert db.session.get(Case, obj.id).status == "complaint_upheld"
    types = event_types(case.id)
    assert types.count(EventType.PUNISHMENT_SUSPENDED) == 2 and types.count(EventType.PUNISHMENT_RESUMED) == 1


def test_complaint_rejected_resumes_the_period_from_the_rejection_date_to_the_day(org, clock):
    # 30-day period from Mon 23 Nov 2026: 23 Nov .. 22 Dec.
    case, codes = in_effect_case(days=30)
    assert listings_of(case.id)[0].period_end == date(2026, 12, 22)
    applicant = applicant_for(case, codes)
    clock.move_to("2026-11-26T02:00:00+00:00")  # objection on 26 Nov (3 days served: 23, 24, 25)
    obj = objections.file_objection(applicant, case.id, "异议理由。", [])
    db.session.commit()
    clock.move_to("2026-11-30T02:00:00+00:00")  # reply rejects on 30 Nov: suspended 26..29 (4 days)
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "不成立。"})
    assert listings_of(case.id)[0].period_end == date(2026, 12, 26)
    clock.move_to("2026-12-02T02:00:00+00:00")  # complaint on 2 Dec
    do(applicant, task_of(obj.id, "applicant_next"), {"next_step": "complain", "grounds": "投诉理由。"})
    do(user("office1"), task_of(obj.id, "schedule_hearing"), {"attending_unit_ids": [unit_id("市市场监管局")], "draw_experts": False})
    clock.move_to("2026-12-10T02:00:00+00:00")  # complaint rejected 10 Dec: suspended 2..9 (8 days)
    do(user("office1"), task_of(obj.id, "decide_complaint"), {**heard(), "outcome": "rejected", "reasons": "投诉不成立。"})
    [listing] = listings_of(case.id)
    assert listing.status == "in_effect"
    # 30 punished days: 23-25 Nov (3), 30 Nov-1 Dec (2), from 10 Dec 25 more -> 3 Jan 2027.
    assert listing.period_end == date(2027, 1, 3)
    suspensions = db.session.scalars(select(PeriodSuspension).where(PeriodSuspension.listing_id == listing.id).order_by(PeriodSuspension.id)).all()
    assert [(s.start, s.end) for s in suspensions] == [(date(2026, 11, 26), date(2026, 11, 30)), (date(2026, 12, 2), date(2026, 12, 10))]
    # The expiry timer follows: due at the end of 3 Jan 2027 in Shanghai, and fires then.
    inst = db.session.get(ProcessInstance, listing.instance_id)
    assert inst.next_due_at.isoformat() == "2027-01-03T15:59:59.999999+00:00"
    clock.move_to("2027-01-03T15:59:00+00:00")
    assert sweep_timers() == 0
    clock.move_to("2027-01-03T16:00:01+00:00")
    assert sweep_timers() >= 1 and listings_of(case.id)[0].status == "expired"


def test_complaint_hearing_draws_experts_and_records_the_vote(org, clock, client):
    case, codes = in_effect_case()
    applicant, obj = _complained(case, codes)
    with pytest.raises(DomainError) as late:  # (a mistyped year would hold the decision and the suspension a year)
        do(user("office1"), task_of(obj.id, "schedule_hearing"), {
            "attending_unit_ids": [unit_id("市市场监管局")], "draw_experts": False, "hearing_date": date(2027, 11, 30)})
    assert late.value.errors[0][0] == "hearing_date"
    db.session.rollback()
    # Not on a day off, and not before the convened units' time to confirm (2 working days) is over.
    for day, said in ((date(2026, 11, 28), "休息日"), (date(2026, 11, 25), "确认是否参会")):
        with pytest.raises(DomainError) as early:
            do(user("office1"), task_of(obj.id, "schedule_hearing"), {
                "attending_unit_ids": [unit_id("市市场监管局")], "draw_experts": False, "hearing_date": day})
        assert early.value.errors[0][0] == "hearing_date" and said in str(early.value.errors[0][1]), day
        db.session.rollback()
    do(user("office1"), task_of(obj.id, "schedule_hearing"), {
        "attending_unit_ids": [unit_id("市市场监管局")], "draw_experts": True, "hearing_date": date(2026, 11, 30),
        "legal_count": 1, "industry_count": 1, "reserves": 0})
    # The convened unit confirms its attendance of the hearing (seed 001 二(三)2 召集相关部门).
    [attend] = open_tasks(obj.id, "confirm_attendance")
    assert attend.unit_id == unit_id("市市场监管局")
    from tests.conftest import login

    login(client, "market_cw")  # (the step says which meeting and when: not the determination meeting)
    page = client.get(f"/tasks/{attend.task_id}").get_data(as_text=True)
    assert "确认是否参加会议" in page and "投诉研究处理会议" in page and "2026年11月30日" in page and obj.number in page
    from app.experts.models import Draw, Invitation

    d = db.session.scalar(select(Draw).where(Draw.case_id == obj.id))
    assert d.purpose == "complaint"
    # Experts who sat on the determination are excluded from the hearing of the complaint about it.
    sat = {i.expert_id for i in db.session.scalars(select(Invitation).where(Invitation.case_id == case.id, Invitation.status.in_(("confirmed", "opinion", "closed"))))}
    assert not sat & {p["expert_id"] for p in d.picks}
    # Not decided before the hearing the units and experts were told of.
    with pytest.raises(DomainError) as early:
        do(user("office1"), task_of(obj.id, "decide_complaint"), {**heard(), "outcome": "rejected", "reasons": "不成立。"})
    assert early.value.errors[0][0] == "outcome"
    db.session.rollback()
    clock.move_to("2026-11-30T02:00:00+00:00")
    # Studied with the convened unit and the drawn experts (召集相关部门…邀请相关专家共同…研究处理), minutes recorded:
    # refused, nothing written, without the unit, without the experts' quorum, without minutes.
    experts_took_part = experts_confirm(obj.id, "complaint")
    assert len(experts_took_part) == 2
    office = client.application.test_client()
    login(office, "office1")
    page = office.get(f"/tasks/{task_of(obj.id, 'decide_complaint').task_id}").get_data(as_text=True)
    assert "参加研究处理的被召集单位" in page and "参会的抽取专家" in page and "研究处理情况（会议纪要）" in page
    assert "被召集的单位和专家于 2026年11月30日 共同研究" in page
    decision = {**heard(), "attending_expert_ids": experts_took_part, "outcome": "rejected", "reasons": "不成立。"}
    for missing, field in ((dict(attending_unit_ids=[]), "attending_unit_ids"),
                           (dict(attending_unit_ids=[unit_id("市税务局")]), "attending_unit_ids"),  # (not convened)
                           (dict(attending_expert_ids=[]), "attending_expert_ids"), (dict(minutes="  "), "minutes")):
        with pytest.raises(DomainError) as refused:
            do(user("office1"), task_of(obj.id, "decide_complaint"), {**decision, **missing})
        assert refused.value.errors[0][0] == field, missing
        db.session.rollback()
    assert task_of(obj.id, "decide_complaint") and listings_of(case.id)[0].status == "suspended"
    do(user("office1"), task_of(obj.id, "decide_complaint"), decision)
    assert open_tasks(obj.id, "respond_invitation") == [] and open_tasks(obj.id, "confirm_attendance") == []
    [decided] = [e for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == obj.id))
                 if e.type == EventType.COMPLAINT_DECIDED]
    assert decided.details["attending_unit_ids"] == [unit_id("市市场监管局")]
    assert sorted(e["expert_id"] for e in decided.details["attending_experts"]) == sorted(experts_took_part)
    assert decided.details["minutes"] == "召集相关单位共同研究，意见一致。"


def test_one_open_objection_at_a_time_and_only_about_ones_own_subject(org, clock):
    case, codes = in_effect_case()
    other, other_codes = in_effect_case(subjects=(COMPANY2,))
    applicant = applicant_for(case, codes)
    obj = objections.file_objection(applicant, case.id, "异议。", [])
    db.session.commit()
    with pytest.raises(objections.OpenObjection) as exc:
        objections.file_objection(applicant, case.id, "再次异议。", [])
    db.session.rollback()
    assert exc.value.open_case.id == obj.id
    with pytest.raises(PermissionDenied):
        objections.file_objection(applicant, other.id, "不是我的案件。", [])
    db.session.rollback()


def test_silence_after_a_rejected_objection_closes_it(org, clock):
    case, codes = in_effect_case()
    applicant = applicant_for(case, codes)
    obj = objections.file_objection(applicant, case.id, "异议。", [])
    db.session.commit()
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "不成立。"})
    clock.shift(timedelta(days=20))
    sweep_timers()
    assert db.session.get(Case, obj.id).status == "objection_closed"
    assert listings_of(case.id)[0].status == "in_effect"


def test_after_a_handled_objection_a_second_one_is_refused_and_the_period_runs_on(org, clock):
    """Seed 001 二(三)2: after a rejection the punishment's period continues from that day. A new objection to the same
    determination would suspend it again at will: it is refused, naming the handled one."""
    case, codes = in_effect_case()
    applicant, obj = _complained(case, codes)
    do(user("office1"), task_of(obj.id, "schedule_hearing"), {"attending_unit_ids": [unit_id("市市场监管局")], "draw_experts": False})
    do(user("office1"), task_of(obj.id, "decide_complaint"), {**heard(), "outcome": "rejected", "reasons": "投诉不成立。"})
    assert db.session.get(Case, obj.id).closed_at is not None and listings_of(case.id)[0].status == "in_effect"
    before = db.session.scalar(select(func.count()).select_from(Case))
    with pytest.raises(objections.ObjectionHandled) as refused:
        objections.file_objection(applicant, case.id, "同样的理由再次异议。", [])
    db.session.rollback()
    assert refused.value.open_case.id == obj.id and obj.number in refused.value.message
    assert listings_of(case.id)[0].status == "in_effect"
    assert db.session.scalar(select(func.count()).select_from(Case)) == before


def test_an_objection_received_on_paper_is_registered_by_the_deciding_unit_and_runs_the_same_procedure(org, clock):
    """Seed 001 二(三)2 书面异议 to the unit that made the determination: a subject without a portal account objects by
    letter. The unit registers it with its scan; the punishment is suspended; the reply is due from the day received;
    the subject's answer to the reply (a complaint) comes on paper too and the office records it."""
    from datetime import date

    from app import clock as app_clock
    from tests.helpers import PDF

    def clock_local(at):
        return app_clock.local_date(at).isoformat()

    case, _codes = in_effect_case()
    subject_id = case.subjects[0].subject_id
    with pytest.raises(PermissionDenied):  # not the unit that made the determination
        objections.file_on_paper(user("tax_cw"), case.id, subject_id, "异议。", date(2026, 11, 23), [PDF])
    db.session.rollback()
    with pytest.raises(DomainError) as refused:  # without the letter's scan nothing is registered
        objections.file_on_paper(user("market_cw"), case.id, subject_id, "异议。", date(2026, 11, 23), [])
    db.session.rollback()
    assert refused.value.errors[0][0] == "files" and listings_of(case.id)[0].status == "in_effect"
    with pytest.raises(DomainError) as refused:  # received in the future
        objections.file_on_paper(user("market_cw"), case.id, subject_id, "异议。", date(2027, 1, 4), [PDF])
    db.session.rollback()
    assert refused.value.errors[0][0] == "received_on"
    assert [s.id for s in objections.paper_candidates(user("market_cw"), case)] == [subject_id]
    assert objections.paper_candidates(user("tax_cw"), case) is None
    clock.move_to("2026-11-25T02:00:00+00:00")  # registered two days after the letter arrived
    obj = objections.file_on_paper(user("market_cw"), case.id, subject_id, "事实认定有误（信函）。", date(2026, 11, 23), [PDF])
    db.session.commit()
    assert listings_of(case.id)[0].status == "suspended"
    # suspended from the day the letter arrived, not the day it was registered: those two days do not count
    from app.listings.models import PeriodSuspension

    [susp] = db.session.scalars(select(PeriodSuspension).where(PeriodSuspension.listing_id == listings_of(case.id)[0].id)).all()
    assert susp.start == date(2026, 11, 23) and susp.end is None
    filed = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == obj.id, CaseEvent.type == EventType.OBJECTION_FILED))
    assert filed.details["channel"] == "paper" and filed.details["received_on"] == "2026-11-23"
    reply = task_of(obj.id, "reply_objection")
    # 5 working days from the day received (Mon 23 Nov), on the unit's task and on the process's timer alike
    inst = db.session.get(ProcessInstance, reply.instance_id)
    assert clock_local(reply.due_at) == "2026-11-30" and inst.next_due_at == reply.due_at
    assert reply.deadline_basis["start"] == "2026-11-23"
    assert objections.paper_candidates(user("market_cw"), case) == []  # (one open: no second)
    # The reply to a letter is served on paper: recorded once served, with the day of service (not before the letter
    # arrived, not in the future), from which the complaint period counts (自收到答复之日起).
    for served in (None, date(2026, 11, 22), date(2026, 11, 26)):
        with pytest.raises(DomainError) as refused:
            do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "证据充分。", "served_on": served})
        db.session.rollback()
        assert refused.value.errors[0][0] == "served_on"
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "证据充分。", "served_on": date(2026, 11, 24)})
    nxt = task_of(obj.id, "applicant_next")
    assert nxt.assignee_id is None and nxt.role == "office" and nxt.unit_id == office_unit().id
    # 10 working days from the service (Tue 24 Nov): the complaint period ends on Tue 8 Dec; the office's step stays
    # open, and is due, three working days more (Fri 11 Dec) for a letter received by the 8th to be recorded: its task
    # and the process's timer end alike (not overdue while it may still be done)
    assert nxt.deadline_basis["start"] == "2026-11-24" and clock_local(nxt.due_at) == "2026-12-11"
    assert nxt.deadline_days == 13 and db.session.get(ProcessInstance, nxt.instance_id).next_due_at == nxt.due_at
    assert objections.complaint_entry_dates(db.session.get(Case, obj.id)) == (date(2026, 12, 8), date(2026, 12, 11))
    replied = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == obj.id, CaseEvent.type == EventType.OBJECTION_REPLIED))
    assert replied.details["served"] == "paper" and replied.details["served_on"] == "2026-11-24"
    with pytest.raises(DomainError) as refused:  # the subject's written complaint is recorded with its scan
        do(user("office1"), nxt, {"next_step": "complain", "grounds": "不服答复（信函）。"})
    db.session.rollback()
    assert refused.value.errors[0][0] == "files"
    # The complaint letter arrived on Friday 27 Nov; the office records it on Monday 30 Nov. Its day is required, not
    # before the reply was served (24 Nov), not in the future.
    clock.move_to("2026-11-30T02:00:00+00:00")
    for received in (None, date(2026, 11, 23), date(2026, 12, 1)):
        with pytest.raises(DomainError) as refused:
            do(user("office1"), task_of(obj.id, "applicant_next"),
               {"next_step": "complain", "grounds": "不服答复（信函）。", "received_on": received}, files=[PDF])
        db.session.rollback()
        assert refused.value.errors[0][0] == "received_on"
        assert "2026年11月24日" in str(refused.value.errors[0][1]), refused.value.errors  # (dates as every message writes them)
    assert listings_of(case.id)[0].status == "in_effect"  # (resumed on the rejection; nothing recorded by the refusals)
    do(user("office1"), task_of(obj.id, "applicant_next"),
       {"next_step": "complain", "grounds": "不服答复（信函）。", "received_on": date(2026, 11, 27)}, files=[PDF])
    assert listings_of(case.id)[0].status == "suspended" and task_of(obj.id, "schedule_hearing")
    # suspended again from the day the complaint arrived; the office's time to take it up runs from that day too
    susps = db.session.scalars(select(PeriodSuspension).where(PeriodSuspension.listing_id == listings_of(case.id)[0].id)
                               .order_by(PeriodSuspension.id)).all()
    # (the objection's suspension ended on the day of rejection: the reply's service on 24 Nov, not its recording on the
    # 25th: 其联合惩戒时限从异议投诉被驳回之日起继续计算)
    assert [(s.start, s.end, s.reason) for s in susps] == [(date(2026, 11, 23), date(2026, 11, 24), "objection"),
                                                          (date(2026, 11, 27), None, "complaint")]
    resumed = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.type == EventType.PUNISHMENT_RESUMED))
    assert resumed.details["from"] == "2026-11-24"
    assert task_of(obj.id, "schedule_hearing").deadline_basis["start"] == "2026-11-27"
    complained = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == obj.id, CaseEvent.type == EventType.COMPLAINT_FILED))
    assert complained.details["channel"] == "paper" and complained.details["received_on"] == "2026-11-27"


def test_a_complaint_letter_received_on_the_periods_last_day_is_recorded_after_it(org, clock, client):
    """Seed 001 二(三)2: a complaint received on paper on the complaint period's last day (Tue 8 Dec) is a complaint in
    time: the office opens its post the next morning and records it, and the punishment is suspended from the day it
    arrived. A letter that came after the period is refused by its day; with none recorded the step closes by itself
    three working days after the period."""
    from datetime import date

    from tests.conftest import login
    from tests.helpers import PDF

    def objected():
        case, _ = in_effect_case(days=365)
        sid = case.subjects[0].subject_id
        obj = objections.file_on_paper(user("market_cw"), case.id, sid, "异议（信函）", date(2026, 11, 23), [PDF])
        db.session.commit()
        return case, obj

    (case, obj), (_silent_case, silent) = objected(), objected()
    clock.move_to("2026-11-24T02:00:00+00:00")
    for o in (obj, silent):
        do(user("market_lead"), task_of(o.id, "reply_objection"),
           {"outcome": "rejected", "reasons": "不成立", "served_on": date(2026, 11, 24)})
    clock.move_to("2026-12-09T01:30:00+00:00")  # Wed 9 Dec 09:30
    sweep_timers()
    db.session.commit()

    def complain(obj, received):
        do(user("office1"), task_of(obj.id, "applicant_next"),
           {"next_step": "complain", "grounds": "不服答复（信函）。", "received_on": received}, files=[PDF])

    login(client, "office1")
    page = client.get(f"/tasks/{task_of(obj.id, 'applicant_next').task_id}").get_data(as_text=True)
    assert "投诉期限至2026年12月8日" in page and "2026年12月11日" in page
    with pytest.raises(DomainError) as late:  # a letter of the 9th came after the period
        complain(obj, date(2026, 12, 9))
    assert late.value.errors[0][0] == "received_on"
    db.session.rollback()
    complain(obj, date(2026, 12, 8))  # the letter of the 8th
    assert listings_of(case.id)[0].status == "suspended" and task_of(obj.id, "schedule_hearing")
    [_objection, complaint] = db.session.scalars(select(PeriodSuspension).where(
        PeriodSuspension.listing_id == listings_of(case.id)[0].id).order_by(PeriodSuspension.id)).all()
    assert complaint.start == date(2026, 12, 8)
    # Nothing recorded: still open on Fri 11 Dec at 23:59, closed a minute after midnight.
    clock.move_to("2026-12-11T15:59:00+00:00")
    sweep_timers()
    assert task_of(silent.id, "applicant_next")
    from app.scheduler.jobs import sweep_deadlines

    sweep_deadlines()  # (the step is not overdue while it may still be done: it is due when it closes)
    assert not db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == silent.id,
                                                          CaseEvent.type == EventType.DEADLINE_BREACHED)).all()
    clock.move_to("2026-12-11T16:01:00+00:00")
    sweep_timers()
    assert db.session.get(Case, silent.id).status == "objection_closed" and open_tasks(silent.id) == []


def test_after_a_merger_the_unit_that_took_over_answers_for_the_deciding_unit(org, clock):
    """The deciding unit was merged into another (its work handed over): the complaint hearing convenes the successor,
    and the successor registers letters objecting to the old unit's determination."""
    from app.admin.succession import hand_over

    case, codes = in_effect_case()
    applicant, obj = _complained(case, codes)
    hand_over(user("admin"), unit_id("市市场监管局"), unit_id("市税务局"), "机构改革（示例）")
    db.session.commit()
    do(user("office1"), task_of(obj.id, "schedule_hearing"), {"attending_unit_ids": [unit_id("市税务局")], "draw_experts": False})
    assert task_of(obj.id, "decide_complaint")
    assert objections.may_register_on_paper(user("tax_cw"), db.session.get(Case, case.id))
    assert not objections.may_register_on_paper(user("finance_cw"), db.session.get(Case, case.id))


def test_a_complaint_hearings_top_up_draw_excludes_by_the_punished_case_and_the_deciding_units_successor(org, clock):
    """A reserve-less top-up for a complaint hearing is drawn for the complaint but excludes by the determination
    complained of (its implementing units, its subjects), as the first hearing draw does; an expert of the unit that took
    over the deciding unit's work is as much the deciding body's as one of the old unit."""
    from app.admin.succession import hand_over
    from app.experts import services as experts

    case, codes = in_effect_case()
    _applicant, obj = _complained(case, codes)
    basis = experts._draw_basis(db.session.get(Case, obj.id))
    assert basis.id == obj.id and [e.id for e in basis.entries] == [e.id for e in case.entries]
    implementing = sorted({m["unit_id"] for ce in case.entries for m in ce.catalog_version.measures})
    pool = [{"id": 1, "affiliated_unit_id": implementing[0], "affiliated_subject_code": None, "unavailable": [], "user_id": 1}]
    reasons = {e["reason"] for e in experts._exclusions(pool, basis, date(2026, 12, 1), {}, set())}
    assert "implementing_unit" in reasons  # (the complaint case itself names no catalog entry)
    hand_over(user("admin"), unit_id("市市场监管局"), unit_id("市税务局"), "机构改革（示例）")
    db.session.commit()
    pool[0]["affiliated_unit_id"] = unit_id("市税务局")
    reasons = {e["reason"] for e in experts._exclusions(pool, basis, date(2026, 12, 1), {}, set())}
    assert "deciding_unit" in reasons


def test_an_objection_after_the_period_ran_out_is_taken_and_a_founded_one_revokes_the_record(org, clock):
    """Seed 001 二(三)2: the decision gives 60 days to object from its service; a short period may run out before. The
    determination stays on the subject's record: the objection is taken (nothing left to suspend) and, founded,
    revokes it. A letter received while the punishment ran, registered after it ended, is taken too."""
    case, codes = in_effect_case(days=3)  # 23–25 Nov
    clock.move_to("2026-11-26T02:00:00+00:00")
    sweep_timers()
    [listing] = listings_of(case.id)
    assert listing.status == "expired"
    subject_id = case.subjects[0].subject_id
    assert [s.id for s in objections.paper_candidates(user("market_cw"), case)] == [subject_id]
    obj = objections.file_on_paper(user("market_cw"), case.id, subject_id, "事实认定有误（信函）。", date(2026, 11, 24), [PDF])
    db.session.commit()
    assert listings_of(case.id)[0].status == "expired"  # (nothing to suspend)
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "upheld", "reasons": "认定有误，予以撤销。", "served_on": date(2026, 11, 26)})
    [listing] = listings_of(case.id)
    assert (listing.status, listing.end_reason) == ("revoked", "revoked")
    revoked = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                        CaseEvent.type == EventType.DETERMINATION_REVOKED))
    assert revoked.details["after_expiry"] is True and revoked.details["source"] == obj.number
    with pytest.raises(DomainError):  # revoked: nothing left to object to
        objections.file_objection(applicant_for(case, codes), case.id, "再议", [])
    db.session.rollback()


def test_an_objection_to_an_expired_listing_may_be_complained_of(org, clock, client):
    """The period run out, the portal still offers the objection until its last day (the decision states 60 days from
    service); rejected, the subject may still complain to the office: the record stands."""
    from tests.conftest import login

    case, codes = in_effect_case(days=3)
    clock.move_to("2026-11-26T02:00:00+00:00")
    sweep_timers()
    applicant = applicant_for(case, codes)
    db.session.commit()
    assert listings_of(case.id)[0].status == "expired"
    login(client, applicant.username)
    page = client.get(f"/portal/cases/{case.id}").get_data(as_text=True)
    assert f"/portal/cases/{case.id}/objection" in page and "2027年1月22日" in page  # 60 days from the decision of 23 Nov
    obj = objections.file_objection(applicant, case.id, "认定有误。", [])
    db.session.commit()
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "不成立。"})
    do(applicant, task_of(obj.id, "applicant_next"), {"next_step": "complain", "grounds": "答复未回应事实。"})
    assert db.session.get(Case, obj.id).status == "complaint" and listings_of(case.id)[0].status == "expired"
    do(user("office1"), task_of(obj.id, "schedule_hearing"), {"attending_unit_ids": [unit_id("市市场监管局")], "draw_experts": False})
    do(user("office1"), task_of(obj.id, "decide_complaint"), {**heard(), "outcome": "upheld", "reasons": "投诉成立。"})
    assert listings_of(case.id)[0].status == "revoked"


def test_a_departments_listing_that_ended_long_ago_is_not_open_to_objection(org, clock):
    """Its service was never recorded: the window counts from its decision, not for ever."""
    from tests.flows.test_department_lists import GOOD, _xlsx

    [record] = imports.import_list(user("market_cw"), "list.xlsx", _xlsx(GOOD))  # decided 2 November 2026, ends 1 November 2027
    db.session.commit()
    clock.move_to("2027-11-03T02:00:00+00:00")
    sweep_timers()
    [listing] = listings_of(record.id)
    assert listing.status == "expired" and listing.served_on is None
    assert objections.paper_candidates(user("market_cw"), record, [listing]) == []
    with pytest.raises(DomainError) as late:
        objections.file_on_paper(user("market_cw"), record.id, listing.subject_id, "异议。", date(2027, 11, 3), [PDF])
    assert "异议期限已于 2027年1月1日 届满" in str(late.value.message)
    db.session.rollback()


def test_the_complaint_meetings_timeline_row_names_every_unit_convened(org, clock, client):
    case, codes = in_effect_case()
    _applicant, obj = _complained(case, codes)
    do(user("office1"), task_of(obj.id, "schedule_hearing"), {
        "attending_unit_ids": [unit_id("市市场监管局"), unit_id("市税务局")], "draw_experts": False})
    from tests.conftest import login

    login(client, "office1")
    page = client.get(f"/cases/{obj.id}").get_data(as_text=True)
    assert "已安排投诉研究处理" in page and "召集: 市市场监管局、市税务局" in page


def test_a_unit_told_to_apply_the_measures_of_a_suspended_punishment_is_told_it_is_suspended(org, clock, client):
    """Seed 001 二(三)2 措施暂停执行: the subject objected right after the decision, before the units implemented. The
    finance bureau's implementation step says the punishment is suspended, and its report that the measure is applied
    leaves the measure suspended (it read as applied while suspended); the resumption's push applies it."""
    from app.listings.models import ListingUnit
    from tests.conftest import login
    from tests.helpers import applicant_for, complete, determine, file_case, issue_codes, only_task, open_tasks

    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"), days=365)
    applicant = applicant_for(case, issue_codes(case))
    obj = objections.file_objection(applicant, case.id, "异议", [])
    db.session.commit()
    [listing] = listings_of(case.id)
    assert listing.status == "suspended"
    finance = unit_id("市财政局")
    [t] = [t for t in open_tasks(case.id, "implement") if t.unit_id == finance]
    login(client, "finance_cw")
    page = client.get(f"/tasks/{t.task_id}").get_data(as_text=True)
    assert "恢复执行前请勿对其实施" in page
    complete("finance_cw", t, {"outcome": "applied", "report": "已录入系统", "reasons": ""})
    lu = db.session.scalar(select(ListingUnit).where(ListingUnit.listing_id == listing.id, ListingUnit.unit_id == finance))
    assert lu.state == "suspended"
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "不成立。"})
    resume = next(p for p in open_tasks(case.id, "confirm_push") if p.unit_id == finance)
    complete("finance_cw", resume, {"done": True, "note": ""})
    db.session.refresh(lu)
    assert lu.state == "applied"
