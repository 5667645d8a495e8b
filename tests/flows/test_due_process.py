"""Due process before a listing (国办发〔2020〕49号 (八)): each subject is told the intended determination and may
state its case before the meeting decides; the decision records how the statements were answered. Driven
through the real BPMN, engine and database, with the clock moved by the tests."""
import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock as app_clock
from app.cases.attachments import Upload
from app.cases.models import Attachment, Case, CaseEvent
from app.dueprocess import services as dueprocess
from app.errors import DomainError
from app.extensions import db
from app.rights import queries as portal
from app.scheduler.jobs import sweep_timers
from app.workdays.services import WorkCalendar
from tests.conftest import user
from tests.helpers import (
    COMPANY,
    COMPANY2,
    PDF,
    applicant_for,
    complete,
    determine,
    event_types,
    file_case,
    give_notice,
    issue_codes,
    listings_of,
    only_task,
    open_tasks,
    schedule,
)


def _accepted(subjects=(COMPANY,)):
    case = file_case(subjects=subjects)
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    return case


def test_the_meeting_cannot_decide_before_the_subjects_are_told(org, clock):
    case = _accepted()
    assert sorted(t.bpmn_id for t in open_tasks(case.id)) == ["issue_notice", "schedule_meeting"]
    schedule("market_lead", only_task(case.id, "schedule_meeting"), notice=False)
    assert open_tasks(case.id, "determination") == []  # the meeting is prepared, the decision waits


def test_notice_statement_and_a_decision_that_answers_it(org, clock):
    case = _accepted()
    schedule("market_lead", only_task(case.id, "schedule_meeting"), notice=None)  # notice issued, no answer yet
    [notice] = dueprocess.notices_of(case.id)
    assert notice.state == "open" and "拟采取联合惩戒措施" in notice.intended
    assert db.session.get(Case, case.id).noticed_at is not None
    # 5 working days from Monday 23 Nov 2026 09:00 Shanghai: the end of Monday 30 Nov
    assert dueprocess.period_open(notice) and notice.deadline_basis["rule"] == "statement_period"
    assert open_tasks(case.id, "determination") == []

    # The subject opens its account with the code printed on the notice and states its case on the portal.
    codes = issue_codes(case)
    applicant = applicant_for(case, codes)
    page = portal.status_page(applicant, case.id)
    assert page["prior_notice"].id == notice.id and page["notice_open"]
    dueprocess.state_on_portal(applicant, case.id, "我单位已整改，事实认定有误。", [Upload("说明.pdf", PDF.data)])
    db.session.commit()
    assert "statement_made" in event_types(case.id)
    assert db.session.query(Attachment).filter_by(case_id=case.id, purpose="statement").count() == 1
    with pytest.raises(DomainError):  # one statement per notice
        dueprocess.state_on_portal(applicant, case.id, "再次陈述", [])

    # Every subject has answered: the procedure goes on without waiting for the period's end.
    ot = only_task(case.id, "determination")
    with pytest.raises(DomainError) as err:
        determine("market_lead", ot)
    assert err.value.errors[0][0] == "statement_answer"
    db.session.rollback()
    determine("market_lead", only_task(case.id, "determination"), statement_answer="经核实，整改不影响认定。")
    case = db.session.get(Case, case.id)
    assert case.decision == "act" and case.determination["statements"]["stated"] == 1
    assert dueprocess.notices_of(case.id)[0].answer == "经核实，整改不影响认定。"
    assert len(listings_of(case.id)) == 1


def test_silence_the_procedure_continues_when_the_period_ends(org, clock):
    case = _accepted()
    schedule("market_lead", only_task(case.id, "schedule_meeting"), notice=None)
    [notice] = dueprocess.notices_of(case.id)
    clock.move_to(notice.statement_due_at - timedelta(minutes=1))
    sweep_timers()
    assert open_tasks(case.id, "determination") == []
    clock.move_to(notice.statement_due_at + timedelta(minutes=1))
    assert sweep_timers() >= 1
    assert len(open_tasks(case.id, "determination")) == 1
    with pytest.raises(DomainError):  # too late now
        dueprocess.record_on_paper(user("market_lead"), notice.id, "迟到的陈述", [PDF])
    db.session.rollback()
    # No statement was made: nothing to answer.
    determine("market_lead", only_task(case.id, "determination"))
    assert db.session.get(Case, case.id).determination["statements"]["silent"] == 1


def test_a_letter_received_on_the_periods_last_day_is_recorded_after_it(org, clock):
    """A signed statement that reached the unit on the period's last day is a statement in time: entered the next
    working day (the period over, the procedure gone on to the determination), it is recorded with the day it
    arrived, the meeting must answer it, and a meeting held before it was recorded is not the determination."""
    case = _accepted()
    schedule("market_lead", only_task(case.id, "schedule_meeting"), notice=None)
    [notice] = dueprocess.notices_of(case.id)
    last_day = app_clock.local_date(notice.statement_due_at)
    clock.move_to(notice.statement_due_at + timedelta(hours=10))  # the next morning
    sweep_timers()
    assert len(open_tasks(case.id, "determination")) == 1
    with pytest.raises(DomainError) as late:  # a letter that came the day after is not in time
        dueprocess.record_on_paper(user("market_lead"), notice.id, "晚到的陈述", [PDF], received_on=last_day + timedelta(days=1))
    assert late.value.errors[0][0] == "received_on"
    db.session.rollback()
    yesterday_meeting = app_clock.today_local() - timedelta(days=1)
    dueprocess.record_on_paper(user("market_lead"), notice.id, "最后一天寄达的陈述", [PDF], received_on=last_day)
    db.session.commit()
    notice = dueprocess.notices_of(case.id)[0]
    assert notice.state == "stated" and notice.channel == "paper"
    made = db.session.scalar(select(CaseEvent.details).where(CaseEvent.case_id == case.id, CaseEvent.type == "statement_made"))
    assert made["received_on"] == last_day.isoformat()
    with pytest.raises(DomainError) as before:  # a meeting held before the statement was recorded did not weigh it
        determine("market_lead", only_task(case.id, "determination"), statement_answer="已研究。",
                  meeting_date=yesterday_meeting)
    assert before.value.errors[0][0] == "meeting_date"
    db.session.rollback()
    with pytest.raises(DomainError) as unanswered:
        determine("market_lead", only_task(case.id, "determination"))
    assert unanswered.value.errors[0][0] == "statement_answer"
    db.session.rollback()
    determine("market_lead", only_task(case.id, "determination"), statement_answer="经研究，陈述理由不成立。")
    assert db.session.get(Case, case.id).determination["statements"]["stated"] == 1
    with pytest.raises(DomainError):  # decided: nothing more is recorded
        dueprocess.record_on_paper(user("market_lead"), notice.id, "", [PDF], waive=True, received_on=last_day)


def test_each_subject_is_told_and_sees_only_its_own_statement(org, clock):
    case = _accepted(subjects=(COMPANY, COMPANY2))
    schedule("market_lead", only_task(case.id, "schedule_meeting"), notice=None)
    a, b = dueprocess.notices_of(case.id)
    dueprocess.record_on_paper(user("market_lead"), b.id, "乙公司的书面陈述", [PDF])
    db.session.commit()
    assert open_tasks(case.id, "determination") == []  # one subject has not answered yet
    codes = issue_codes(case)
    applicant = applicant_for(case, codes)  # the first subject
    page = portal.status_page(applicant, case.id)
    assert page["prior_notice"].id == a.id
    assert all((ev.details or {}).get("note") != "乙公司的书面陈述" for ev in page["timeline"])
    dueprocess.state_on_portal(applicant, case.id, "", [], waive=True)
    db.session.commit()
    assert len(open_tasks(case.id, "determination")) == 1


def test_only_the_determining_body_records_paper_statements(org, clock):
    case = _accepted()
    schedule("market_lead", only_task(case.id, "schedule_meeting"), notice=None)
    [notice] = dueprocess.notices_of(case.id)
    with pytest.raises(DomainError):
        dueprocess.record_on_paper(user("tax_cw"), notice.id, "陈述", [PDF])
    with pytest.raises(DomainError) as err:
        dueprocess.record_on_paper(user("market_lead"), notice.id, "  ", [])
    assert err.value.errors[0][0] == "statement"
    # the subject's signed document is given as its scan (a picture or a PDF), not as an editable office file
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="x"/>')
        z.writestr("word/document.xml", b'<?xml version="1.0"?><w:document xmlns:w="w"/>')
    with pytest.raises(DomainError) as err:
        dueprocess.record_on_paper(user("market_lead"), notice.id, "陈述", [Upload("陈述书.docx", docx.getvalue())])
    assert err.value.errors[0][0] == "files" and "不是扫描件" in str(err.value.message)


def test_a_reward_is_decided_without_a_notice(org, clock):
    case = file_case(username="tax_cw", entries=("SC-R-001",))
    lead = "market_lead" if only_task(case.id, "pre_review").unit_id == user("market_lead").unit_id else None
    ot = only_task(case.id, "pre_review")
    who = lead or next(u for u in ("pbc_lead", "env_lead", "market_lead") if user(u).unit_id == ot.unit_id)
    complete(who, ot, {"outcome": "accept"})
    assert [t.bpmn_id for t in open_tasks(case.id) if t.assignee_id is None] == ["schedule_meeting"]
    determine(who, only_task(case.id, "schedule_meeting"))
    assert dueprocess.notices_of(case.id) == [] and db.session.get(Case, case.id).decision == "act"


def test_give_notice_helper_waives_for_every_subject(org, clock):
    case = _accepted(subjects=(COMPANY, COMPANY2))
    notices = give_notice("market_lead", case.id)
    assert [n.state for n in notices] == ["waived", "waived"]


def test_service_of_the_decision_is_recorded_with_its_proof(org, clock):
    from datetime import date

    from tests.helpers import in_effect_case

    case, codes = in_effect_case()
    subject_id = case.subjects[0].subject_id
    lead = user("market_lead")
    with pytest.raises(DomainError) as err:  # by post: the receipt is the proof
        dueprocess.record_service(lead, case.id, subject_id, "post", date(2026, 11, 23), "", [])
    assert err.value.errors[0][0] == "proof"
    with pytest.raises(DomainError) as err:
        dueprocess.record_service(lead, case.id, subject_id, "post", date(2026, 11, 20), "", [PDF])
    assert err.value.errors[0][0] == "served_on"  # before the decision
    with pytest.raises(DomainError):
        dueprocess.record_service(user("tax_cw"), case.id, subject_id, "post", date(2026, 11, 23), "", [PDF])
    db.session.rollback()
    row = dueprocess.record_service(lead, case.id, subject_id, "post", date(2026, 11, 23), "挂号信", [Upload("回执.pdf", PDF.data, "proof")])
    db.session.commit()
    assert row.proof_attachment_id and db.session.get(Attachment, row.proof_attachment_id).purpose == "service"
    assert "decision_served" in event_types(case.id)
    applicant = applicant_for(case, codes)
    page = portal.status_page(applicant, case.id)
    assert page["decision_service"].served_on == date(2026, 11, 23) and page["decision_service"].way == "post"


def test_a_decision_is_served_off_the_portal_only_with_the_access_code_it_promises(org, clock):
    """The decision tells the subject to object online with the access code served with it: a service by post is not
    recorded (its objection window would run) before a code was issued for the subject; once issued, it is."""
    from app.rights import accounts
    from tests.helpers import determine, file_case

    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"), days=365)
    case = db.session.get(Case, case.id)
    subject_id = case.subjects[0].subject_id
    assert accounts.codes_for(case.id) == []
    with pytest.raises(DomainError, match="访问码") as err:
        dueprocess.record_service(user("market_lead"), case.id, subject_id, "post", app_clock.today_local(), "", [PDF])
    assert err.value.errors[0][0] == "way"
    db.session.rollback()
    assert listings_of(case.id)[0].served_on is None
    accounts.issue_code(user("market_lead"), case, subject_id)
    dueprocess.record_service(user("market_lead"), case.id, subject_id, "post", app_clock.today_local(), "", [PDF])
    db.session.commit()
    assert listings_of(case.id)[0].served_on == app_clock.today_local()


def test_the_objection_window_counts_from_service(org, clock):
    from datetime import date

    from app.rights import objections
    from tests.helpers import in_effect_case

    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    subject_id = case.subjects[0].subject_id
    # 23 Nov: served in person; 60 calendar days, the day of service not counted: the last day is 22 Jan 2027
    dueprocess.record_service(user("market_lead"), case.id, subject_id, "in_person", date(2026, 11, 23), "", [PDF])
    db.session.commit()
    assert listings_of(case.id)[0].served_on == date(2026, 11, 23)
    assert objections.objection_last_day(case, listings_of(case.id)[0]) == date(2027, 1, 22)
    clock.move_to("2027-01-23T02:00:00+00:00")
    with pytest.raises(DomainError) as err:
        objections.file_objection(applicant, case.id, "逾期异议", [])
    assert "2027年1月22日" in str(err.value.message)
    db.session.rollback()
    clock.move_to("2027-01-22T02:00:00+00:00")
    obj = objections.file_objection(applicant, case.id, "期限内的异议", [])
    db.session.commit()
    assert obj.number.startswith("YY-")


def test_before_service_is_recorded_the_subject_may_object(org, clock):
    from app.rights import objections
    from tests.helpers import in_effect_case

    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    clock.move_to("2027-03-01T02:00:00+00:00")  # more than 60 days after the decision, never served
    assert objections.objection_last_day(case, listings_of(case.id)[0]) is None
    objections.file_objection(applicant, case.id, "异议", [])
    db.session.commit()


def test_portal_service_needs_a_portal_account(org, clock):
    from datetime import date

    from tests.helpers import in_effect_case

    case, codes = in_effect_case()
    subject_id = case.subjects[0].subject_id
    with pytest.raises(DomainError) as err:
        dueprocess.record_service(user("market_lead"), case.id, subject_id, "portal", date(2026, 11, 23), "", [])
    assert err.value.errors[0][0] == "way"
    db.session.rollback()
    clock.move_to("2026-11-25T02:00:00+00:00")
    applicant_for(case, codes)  # the subject opens its account on 25 Nov
    with pytest.raises(DomainError) as err:  # (the objection period would count from before it could read the decision)
        dueprocess.record_service(user("market_lead"), case.id, subject_id, "portal", date(2026, 11, 23), "", [])
    assert err.value.errors[0][0] == "served_on" and "2026年11月25日" in str(err.value.errors[0][1])
    db.session.rollback()
    dueprocess.record_service(user("market_lead"), case.id, subject_id, "portal", date(2026, 11, 25), "", [])


def test_the_meeting_is_held_after_the_subjects_were_heard(org, clock):
    case = _accepted()
    schedule("market_lead", only_task(case.id, "schedule_meeting"), notice=None)
    [notice] = dueprocess.notices_of(case.id)
    clock.move_to(notice.statement_due_at + timedelta(minutes=1))
    sweep_timers()
    ot = only_task(case.id, "determination")
    from tests.helpers import experts_confirm

    experts_confirm(case.id)
    values = {"meeting_date": dueprocess.clock.local_date(notice.statement_due_at), "attending_unit_ids": [user("market_lead").unit_id],
              "attending_expert_ids": [i.expert_id for i in __import__("app.experts.services", fromlist=["x"]).confirmed_experts(case.id)],
              "minutes": "纪要", "decision": "act", "measures": [], "period_days": 30, "period_reason": "纪要所定"}
    with pytest.raises(DomainError) as err:
        complete("market_lead", ot, values)
    assert err.value.errors[0][0] == "meeting_date"


def test_a_meeting_is_not_scheduled_inside_the_statement_period_of_a_notice_already_issued(org, clock):
    """The notice went out first: a meeting on a day the subjects may still state their case is refused when it is
    scheduled (the determination would refuse it, after the experts had been drawn for it), and nothing is drawn."""
    from app.experts.models import Draw
    from tests.helpers import give_notice

    case = _accepted()
    [notice] = give_notice("market_lead", case.id, None)  # (issued; the subject has not answered yet)
    heard = dueprocess.heard_from(db.session.get(Case, case.id))
    assert heard > dueprocess.clock.today_local()
    with pytest.raises(DomainError) as err:
        schedule("market_lead", only_task(case.id, "schedule_meeting"), meeting_date=dueprocess.clock.today_local(), notice=False)
    assert err.value.errors[0][0] == "meeting_date"
    db.session.rollback()
    assert db.session.query(Draw).count() == 0
    day = heard
    while not WorkCalendar(day, day).is_workday(day):
        day += timedelta(days=1)
    schedule("market_lead", only_task(case.id, "schedule_meeting"), meeting_date=day, notice=False)
    assert db.session.get(Case, case.id).determination["scheduled_meeting_date"] == day.isoformat()


def test_the_statement_period_runs_from_the_service_of_the_notice(org, clock):
    """A notice sent by post reaches its subject days after it was issued: once its service is recorded, the subject's
    statement period (5 working days) runs from that day, and the procedure's timer moves with it (the latest of the
    notices' ends). A period already over is not reopened."""
    from datetime import date

    from app import clock as app_clock
    from app.engine.models import ProcessInstance
    from app.enums import EventType
    from app.errors import PermissionDenied
    from tests.helpers import main_instance

    case = _accepted(subjects=(COMPANY, COMPANY2))
    schedule("market_lead", only_task(case.id, "schedule_meeting"), notice=None)  # issued Mon 23 Nov
    first, second = dueprocess.notices_of(case.id)
    issued_due = first.statement_due_at
    assert app_clock.local_date(issued_due) == date(2026, 11, 30)
    inst = main_instance(case)
    assert inst.next_due_at == issued_due and " statement_period_moved " in inst.waits_for

    clock.move_to("2026-11-26T02:00:00+00:00")  # Thu: the post's receipt came back, served on Wed 25 Nov
    # refused, nothing written: another unit, before the issue, in the future, without the proof, portal without account
    for actor, way, served_on, proof, error in [
        ("env_lead", "post", date(2026, 11, 25), [PDF], PermissionDenied),
        ("supervisor1", "post", date(2026, 11, 25), [PDF], PermissionDenied),  # (watches the procedure, does not act in it)
        ("admin", "post", date(2026, 11, 25), [PDF], PermissionDenied),
        ("market_lead", "post", date(2026, 11, 20), [PDF], DomainError),
        ("market_lead", "post", date(2026, 11, 27), [PDF], DomainError),
        ("market_lead", "post", date(2026, 11, 25), [], DomainError),
        ("market_lead", "portal", date(2026, 11, 25), [], DomainError),
    ]:
        with pytest.raises(error):
            dueprocess.record_notice_service(user(actor), case.id, first.id, way, served_on, proof)
        db.session.rollback()
    assert dueprocess.notices_of(case.id)[0].served_on is None
    assert dueprocess.record_notice_service(user("market_lead"), case.id, first.id, "post", date(2026, 11, 25), [PDF]) == "moved"
    db.session.commit()
    first, second = dueprocess.notices_of(case.id)
    assert app_clock.local_date(first.statement_due_at) == date(2026, 12, 2)  # 5 working days from Wed 25 Nov
    assert first.served_on == date(2026, 11, 25) and first.service_proof_id is not None
    assert second.statement_due_at == issued_due  # the other subject's notice: not yet served, counted from issue
    inst = db.session.get(ProcessInstance, main_instance(case).id)
    assert inst.next_due_at == first.statement_due_at  # the procedure waits for the later end
    assert EventType.NOTICE_SERVED in event_types(case.id)
    with pytest.raises(DomainError):  # recorded once
        dueprocess.record_notice_service(user("office1"), case.id, first.id, "post", date(2026, 11, 25), [PDF])
    db.session.rollback()

    # The period counted from issue has ended while the second subject stayed silent: the notice reached it late (Mon
    # 30 Nov), and the case is undecided, so its period runs from then (to Mon 7 Dec) and the procedure waits for it.
    clock.move_to("2026-11-30T16:30:00+00:00")  # Tue 1 Dec, 00:30
    sweep_timers()  # (the experts' answer times fall due here too)
    assert open_tasks(case.id, "determination") == []  # still waiting for the first subject's period
    assert not dueprocess.period_open(dueprocess.notices_of(case.id)[1])
    dueprocess.record_on_paper(user("market_lead"), first.id, "陈述意见（信函）。", [PDF])  # within its own period
    assert dueprocess.record_notice_service(user("market_lead"), case.id, second.id, "in_person", date(2026, 11, 30), [PDF]) == "moved"
    db.session.commit()
    second = dueprocess.notices_of(case.id)[1]
    assert app_clock.local_date(second.statement_due_at) == date(2026, 12, 7) and dueprocess.period_open(second)
    from sqlalchemy import select

    from app.cases.models import CaseEvent

    served = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.type == EventType.NOTICE_SERVED)
                                .order_by(CaseEvent.seq)).all()
    assert served[-1].details.get("reopened") is True
    clock.move_to("2026-12-02T16:00:01+00:00")  # Thu 3 Dec: the first subject's period is over, the second's runs
    sweep_timers()
    assert open_tasks(case.id, "determination") == []
    assert dueprocess.heard_from(db.session.get(Case, case.id)) == date(2026, 12, 8)  # the meeting may decide after it
    clock.move_to("2026-12-07T16:00:01+00:00")  # Tue 8 Dec
    assert sweep_timers() >= 1
    assert len(open_tasks(case.id, "determination")) == 1
    # Decided cases are not reopened (nor once answered): nothing left to serve
    assert not dueprocess.may_be_served(user("market_lead"), dueprocess.notices_of(case.id)[1], db.session.get(Case, case.id))


def test_a_notice_served_the_day_it_was_issued_keeps_its_period_running(org, clock):
    """Served in person the day it was issued: counted from service the period ends when it did, and it still runs
    (the answer says so, not that the period is over)."""
    from datetime import date

    case = _accepted()
    schedule("market_lead", only_task(case.id, "schedule_meeting"), notice=None)  # issued Mon 23 Nov
    [notice] = dueprocess.notices_of(case.id)
    due = notice.statement_due_at
    assert dueprocess.record_notice_service(user("office1"), case.id, notice.id, "in_person", date(2026, 11, 23), [PDF]) == "running"
    db.session.commit()
    [notice] = dueprocess.notices_of(case.id)
    assert notice.statement_due_at == due and notice.served_on == date(2026, 11, 23) and dueprocess.period_open(notice)


def test_an_objection_window_ending_on_a_day_off_ends_on_the_next_working_day(org, clock):
    """期间届满的最后一日是法定休假日的，以休假日结束的次日为期间届满的日期: served on Wed 25 Nov, the 60th day is Sunday
    24 Jan 2027, so the subject may still object on Monday 25 Jan."""
    from datetime import date

    from app.rights import objections
    from tests.helpers import in_effect_case

    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    clock.move_to("2026-11-25T02:00:00+00:00")
    dueprocess.record_service(user("market_lead"), case.id, case.subjects[0].subject_id, "post", date(2026, 11, 25), "", [PDF])
    db.session.commit()
    assert objections.objection_last_day(case, listings_of(case.id)[0]) == date(2027, 1, 25)
    clock.move_to("2027-01-25T02:00:00+00:00")
    assert objections.file_objection(applicant, case.id, "异议（周一）", []).number.startswith("YY-")


def test_the_notices_draft_names_each_measure_once(org, clock):
    """Two entries of a case giving the same unit the same measure (SC-P-002 and FIN-P-002: 限制参与政府采购活动 by the
    finance bureau): the intended decision drafted for the notice lists it once."""
    from app.joint.tasks import intended_decision, measure_choices

    case = file_case(entries=("SC-P-002", "FIN-P-002"), username="tax_cw")  # (both administered by the tax bureau)
    texts = [m["text"] for _k, m, _v in measure_choices(case)]
    repeated = [t for t in set(texts) if texts.count(t) > 1]
    assert repeated  # (the two entries share a measure)
    draft = intended_decision(case).splitlines()
    assert all(draft.count(t) == 1 for t in repeated)
