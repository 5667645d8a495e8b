"""Credit repair through the real BPMN: ineligible (with the date it becomes eligible), eligible and
approved (published, punishment ended early, measures lifted), eligible and rejected after supplements."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.cases.models import Case
from app.errors import DomainError
from app.extensions import db
from app.rights import repair
from tests.conftest import user
from tests.helpers import PDF, WHO, applicant_for, complete, do, in_effect_case, listings_of, open_tasks, task_of, unit_id


def test_ineligible_before_the_minimum_publication_period(org, clock):
    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    clock.shift(timedelta(days=30))
    with pytest.raises(DomainError) as exc:
        repair.apply(applicant, case.id, "已整改。", True, [PDF], [])
    db.session.rollback()
    # 90 days from 23 Nov 2026 (its first day) end on 20 Feb 2027; the application opens the day after
    assert "至 2027年2月20日 届满。您可自 2027年2月21日 起提出申请" in str(exc.value.message)
    assert db.session.scalar(select(Case).where(Case.kind == "repair")) is None


def test_days_suspended_by_an_objection_do_not_count_towards_the_publication_period(org, clock):
    """Not published while suspended: the minimum publication period (90 days from 23 Nov 2026, eligible 21 Feb
    2027) moves on by the 10 days an objection held the punishment (filed 1 Dec, rejected 11 Dec)."""
    from app.rights import objections

    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    clock.move_to("2026-12-01T02:00:00+00:00")
    obj = objections.file_objection(applicant, case.id, "事实认定有误。", [])
    db.session.commit()
    clock.move_to("2026-12-11T02:00:00+00:00")
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "证据充分。"})
    do(applicant, task_of(obj.id, "applicant_next"), {"next_step": "accept"})
    db.session.commit()
    [listing] = listings_of(case.id)
    assert listing.status == "in_effect" and repair.eligible_from(case, listing) == date(2027, 3, 3)
    clock.move_to("2027-02-25T02:00:00+00:00")  # past 21 Feb, the day it would be without the suspension
    with pytest.raises(DomainError) as exc:
        repair.apply(applicant, case.id, "已整改。", True, [PDF], [])
    db.session.rollback()
    assert "2027年3月3日" in str(exc.value.message)
    clock.move_to("2027-03-03T02:00:00+00:00")
    assert repair.apply(applicant, case.id, "已整改。", True, [PDF], []).kind == "repair"


def test_eligible_and_approved_ends_the_punishment_early(org, clock):
    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    clock.move_to("2027-02-21T02:00:00+00:00")
    with pytest.raises(DomainError) as exc:  # no commitment: neither pledge nor signed document
        repair.apply(applicant, case.id, "已整改。", False, [PDF], [])
    db.session.rollback()
    assert exc.value.errors[0][0] == "pledge"
    rep = repair.apply(applicant, case.id, "已缴清罚款并完成整改。", True, [PDF], [])
    db.session.commit()
    review = task_of(rep.id, "review_repair")
    assert review.role == "caseworker" and review.unit_id == case.initiating_unit_id
    do(user("market_cw"), review, {"outcome": "approve", "reasons": "整改到位，准予修复。"})
    [listing] = listings_of(case.id)
    assert listing.status == "repaired" and listing.period_end == date(2027, 2, 21)
    lifts = open_tasks(case.id, "confirm_push")
    assert len(lifts) == 3
    for t in lifts:
        complete(next(u for n, u in WHO.items() if unit_id(n) == t.unit_id), t, {"done": True, "note": ""})
    assert {lu.state for lu in listings_of(case.id)[0].units} == {"lifted"}
    page = repair.published_results(None, 1)
    assert [(day, s.id) for day, _no, _behaviour, _unit, s in page.items] == [(listing.ended_on, listing.subject_id)]
    # (published with what was repaired and who allowed it: the determination, its behaviour, the unit that reviewed it)
    [(_day, number, behaviour, unit, _s)] = page.items
    assert number == listing.decision_no and behaviour == "被列入严重违法失信企业名单" and unit == "市市场监管局"


def test_a_repair_is_not_approved_while_an_objection_to_the_same_listing_is_handled(org, clock):
    """Repair applied for, then an objection filed: the objection comes first (a founded one revokes the listing).
    Approving is refused meanwhile and records nothing; once the objection is settled the repair is approved."""
    from app.rights import objections

    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    clock.move_to("2027-02-22T02:00:00+00:00")
    rep = repair.apply(applicant, case.id, "已整改。", True, [PDF], [])
    obj = objections.file_objection(applicant, case.id, "事实认定有误。", [])
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "approve", "reasons": "准予修复。"})
    db.session.rollback()
    assert refused.value.errors[0][0] == "outcome" and obj.number in str(refused.value.errors[0][1])
    assert listings_of(case.id)[0].status == "suspended" and task_of(rep.id, "review_repair")
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "证据充分。"})
    do(applicant, task_of(obj.id, "applicant_next"), {"next_step": "accept"})
    do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "approve", "reasons": "准予修复。"})
    assert listings_of(case.id)[0].status == "repaired"


def test_eligible_rejected_after_supplements_and_may_apply_again(org, clock):
    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    clock.move_to("2027-03-01T02:00:00+00:00")
    rep = repair.apply(applicant, case.id, "已整改。", True, [PDF], [])
    db.session.commit()
    do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "supplement", "reasons": "请补充缴款凭证。"})
    sup = task_of(rep.id, "supplement_repair")
    assert sup.assignee_id == applicant.id
    with pytest.raises(repair.OpenRepair):
        repair.apply(applicant, case.id, "再次申请。", True, [PDF], [])
    db.session.rollback()
    from app.cases import tasks

    tasks.complete(applicant, sup.task_id, {"supplement": "缴款凭证见附件。"}, [PDF])
    db.session.commit()
    do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "reject", "reasons": "凭证与处罚决定不符。"})
    assert db.session.get(Case, rep.id).status == "repair_rejected"
    assert listings_of(case.id)[0].status == "in_effect"
    again = repair.apply(applicant, case.id, "补齐材料后再次申请。", True, [PDF], [])
    db.session.commit()
    assert again.id != rep.id


def test_a_repair_application_brought_to_the_desk_is_registered_and_reviewed_the_same(org, clock):
    """Seed 003 10 线下信用修复: the subject applies at the handling unit's desk without a portal account. The unit
    registers it with the evidence and the signed commitment; supplements are brought to the desk and recorded by it."""
    from app.errors import PermissionDenied

    case, _codes = in_effect_case(days=365)
    subject_id = case.subjects[0].subject_id
    assert repair.desk_candidates(user("market_cw"), case) == []  # the minimum period has not passed
    clock.shift(timedelta(days=100))
    assert [s.id for s in repair.desk_candidates(user("market_cw"), case)] == [subject_id]
    assert repair.desk_candidates(user("tax_cw"), case) is None
    with pytest.raises(PermissionDenied):
        repair.apply_at_desk(user("tax_cw"), case.id, subject_id, "已整改。", [PDF], [PDF])
    db.session.rollback()
    with pytest.raises(DomainError) as refused:  # the signed commitment's scan is required at the desk
        repair.apply_at_desk(user("market_cw"), case.id, subject_id, "已整改。", [PDF], [])
    db.session.rollback()
    assert refused.value.errors[0][0] == "commitment_files"
    # Received at the desk on Monday 1 March, registered on Wednesday 3 March: not in the future, not before the
    # minimum period ended (21 February); the review's time counts from the day received.
    for bad in (date(2027, 3, 4), date(2027, 2, 20)):
        with pytest.raises(DomainError) as refused:
            repair.apply_at_desk(user("market_cw"), case.id, subject_id, "已整改。", [PDF], [PDF], bad)
        db.session.rollback()
        assert refused.value.errors[0][0] == "received_on", bad
    rep = repair.apply_at_desk(user("market_cw"), case.id, subject_id, "已整改（窗口受理）。", [PDF], [PDF], date(2027, 3, 1))
    db.session.commit()
    assert repair.desk_candidates(user("market_cw"), case) == []  # (one open at a time)
    assert task_of(rep.id, "review_repair").deadline_basis["start"] == "2027-03-01"
    do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "supplement", "reasons": "请补充完税证明。"})
    sup = task_of(rep.id, "supplement_repair")
    assert sup.assignee_id is None and sup.unit_id == unit_id("市市场监管局") and sup.role == "caseworker"
    with pytest.raises(DomainError) as refused:
        do(user("market_cw"), sup, {"supplement": "已补充。"})
    db.session.rollback()
    assert refused.value.errors[0][0] == "files"
    do(user("market_cw"), task_of(rep.id, "supplement_repair"), {"supplement": "已补充。"}, files=[PDF])
    assert task_of(rep.id, "review_repair").deadline_basis["start"] == "2027-03-03"  # (from the material brought)
    do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "approve", "reasons": "准予修复。"})
    assert listings_of(case.id)[0].status == "repaired"


def test_supplements_not_brought_in_time_send_the_application_back_to_the_review(org, clock):
    """Seed 001 二(三)1: the organ reviews the application and decides. An applicant who never brings the material asked
    for does not hold the application open for ever (an open one refuses a new one): when the supplement period (rule
    repair_supplement, 10 working days) ends, the review decides on the file as it stands."""
    from app.scheduler.jobs import sweep_timers

    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    clock.move_to("2027-03-01T02:00:00+00:00")  # a Monday
    rep = repair.apply(applicant, case.id, "已整改。", True, [PDF], [])
    db.session.commit()
    do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "supplement", "reasons": "请补充缴款凭证。"})
    sup = task_of(rep.id, "supplement_repair")
    assert sup.due_at is not None
    clock.move_to(sup.due_at - timedelta(minutes=1))
    sweep_timers()
    assert [t.bpmn_id for t in open_tasks(rep.id)] == ["supplement_repair"]
    clock.move_to(sup.due_at + timedelta(minutes=1))
    assert sweep_timers() >= 1
    db.session.commit()
    assert [t.bpmn_id for t in open_tasks(rep.id)] == ["review_repair"]
    assert db.session.get(Case, rep.id).status == "repair_review"
    do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "reject", "reasons": "未按期补正。"})
    assert db.session.get(Case, rep.id).status == "repair_rejected"


def test_a_subject_may_apply_for_repair_while_its_objection_is_handled(org, clock):
    """Seed 001 二(三)1: an objection being handled (the punishment suspended) does not take away the right to apply
    once the minimum period has run; approval waits for the objection, and a founded objection, which revokes the
    listing, leaves the application nothing to approve. Suspended before the minimum period ended: not yet."""
    from app.rights import objections

    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    clock.move_to("2026-12-01T02:00:00+00:00")
    early = objections.file_objection(applicant, case.id, "事实认定有误。", [])
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        repair.apply(applicant, case.id, "已整改。", True, [PDF], [])
    db.session.rollback()
    assert "最短公示期尚未届满" in str(refused.value.message)
    do(user("market_lead"), task_of(early.id, "reply_objection"), {"outcome": "rejected", "reasons": "证据充分。"})
    do(applicant, task_of(early.id, "applicant_next"), {"next_step": "complain", "grounds": "答复依据不客观。"})
    assert listings_of(case.id)[0].status == "suspended"  # (the complaint, with the office)
    clock.move_to("2027-03-20T02:00:00+00:00")  # (still suspended: its end is unknown, the period not yet run)
    with pytest.raises(DomainError):
        repair.apply(applicant, case.id, "已整改。", True, [PDF], [])
    db.session.rollback()


def test_an_application_made_during_an_objection_is_not_approved_once_the_objection_revokes_the_listing(org, clock):
    from app.rights import objections

    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    clock.move_to("2027-02-22T02:00:00+00:00")  # (the minimum period ended on 21 February)
    obj = objections.file_objection(applicant, case.id, "事实认定有误。", [])
    db.session.commit()
    assert listings_of(case.id)[0].status == "suspended"
    rep = repair.apply(applicant, case.id, "已整改。", True, [PDF], [])
    db.session.commit()
    assert rep.kind == "repair"
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "upheld", "reasons": "认定有误，予以撤销。"})
    assert listings_of(case.id)[0].status == "revoked"
    with pytest.raises(DomainError) as refused:
        do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "approve", "reasons": "准予修复。"})
    db.session.rollback()
    assert refused.value.errors[0][0] == "outcome" and "已经结束（撤销" in str(refused.value.errors[0][1])
    # Closed as such, not refused: the applicant's record must not read 不予修复 (bpmn/credit_repair.bpmn end_repair_moot)
    do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "ended", "reasons": "联合惩戒已撤销，无需修复。"})
    assert listings_of(case.id)[0].status == "revoked"
    assert db.session.get(Case, rep.id).status == "repair_moot" and open_tasks(rep.id) == []


def test_an_application_for_a_punishment_in_force_is_not_closed_as_ended(org, clock):
    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    clock.move_to("2027-02-22T02:00:00+00:00")
    rep = repair.apply(applicant, case.id, "已整改。", True, [PDF], [])
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "ended", "reasons": "x"})
    db.session.rollback()
    assert refused.value.errors[0][0] == "outcome" and db.session.get(Case, rep.id).status == "repair_review"


def test_a_subject_on_a_departments_own_black_list_applies_for_repair_at_that_department(org, clock, client):
    """Seed 001 二(三)1 (可向依法处理其失信行为的行政机关提出信用修复申请…核查并提出处理意见), seed 000 十一 (谁处罚、谁公示、
    谁督促修复): a department's own list takes repair applications too, reviewed by the department that listed the
    subject, even where the office imported the list for it; granted, the listing ends as any repaired one."""
    from app.errors import PermissionDenied
    from app.listings import imports
    from app.listings.models import Listing
    from tests.flows.test_department_lists import GOOD, PERSON, _xlsx

    [record] = imports.import_list(user("office1"), "list.xlsx", _xlsx(GOOD, PERSON))
    db.session.commit()
    company = db.session.scalar(select(Listing).where(Listing.case_id == record.id).order_by(Listing.id))
    assert company.deciding_unit_id == unit_id("市市场监管局") != record.initiating_unit_id
    listings = db.session.scalars(select(Listing).where(Listing.case_id == record.id)).all()
    assert repair.desk_candidates(user("market_cw"), record, listings) == []  # 90 days from 2 November not yet run
    clock.move_to("2027-02-01T02:00:00+00:00")
    assert [s.id for s in repair.desk_candidates(user("market_cw"), record, listings)] == [company.subject_id]
    assert repair.desk_candidates(user("tax_cw"), record, listings) is None
    # The list's page offers it to the department, reading the listings' suspensions once for the page.
    from tests.conftest import login
    from tests.helpers import statements_of

    login(client, "market_cw")
    page, statements = statements_of(lambda: client.get(f"/cases/{record.id}").get_data(as_text=True))
    assert f"/cases/{record.id}/repair-at-desk" in page
    assert sum("FROM period_suspension" in st for st in statements) == 1, [st for st in statements if "period_suspension" in st]
    with pytest.raises(PermissionDenied):  # another department
        repair.apply_at_desk(user("tax_cw"), record.id, company.subject_id, "已整改。", [PDF], [PDF])
    db.session.rollback()
    rep = repair.apply_at_desk(user("market_cw"), record.id, company.subject_id, "已整改并消除影响。", [PDF], [PDF])
    db.session.commit()
    review = task_of(rep.id, "review_repair")
    assert review.unit_id == unit_id("市市场监管局") and rep.initiating_unit_id == unit_id("市市场监管局")
    do(user("market_cw"), review, {"outcome": "approve", "reasons": "准予修复。"})
    db.session.refresh(company)
    assert company.status == "repaired"


def test_an_application_under_the_earlier_procedure_is_not_closed_as_ended_into_a_refusal(org, clock):
    """Review: running applications keep the process version they started on; the version before the end for an ended
    punishment would take "ended" down its default flow, to 不予修复. Such an application is told to be rejected with
    that reason instead, and nothing is recorded."""
    import re
    from pathlib import Path

    from app.cases.runtime import checker
    from app.engine.registry import deploy_xml
    from app.workdays.rules import current as current_rules
    from forms import FORMS

    xml = (Path(__file__).resolve().parents[2] / "bpmn" / "credit_repair.bpmn").read_text(encoding="utf-8")
    earlier = re.sub(r'\s*<bpmn:endEvent id="end_repair_moot".*?</bpmn:endEvent>', "", xml, flags=re.S)
    earlier = re.sub(r'\s*<bpmn:sequenceFlow id="f_gw_review__end_repair_moot".*?</bpmn:sequenceFlow>', "", earlier, flags=re.S)
    earlier = re.sub(r'\s*<bpmn:(outgoing|flowNodeRef)>(f_gw_review__)?end_repair_moot</bpmn:\1>', "", earlier)
    earlier = re.sub(r'\s*<bpmn:outgoing>f_gw_review__end_repair_moot</bpmn:outgoing>', "", earlier)
    earlier = re.sub(r'\s*<bpmndi:BPMN(Shape|Edge) id="(end_repair_moot|f_gw_review__end_repair_moot)_di".*?</bpmndi:BPMN\1>', "",
                     earlier, flags=re.S)
    assert "end_repair_moot" not in earlier
    deploy_xml(earlier.encode(), "credit_repair.bpmn", checker(set(FORMS), current_rules()), upload=True)
    db.session.commit()
    case, codes = in_effect_case(days=100)
    applicant = applicant_for(case, codes)
    clock.move_to("2027-02-22T02:00:00+00:00")
    rep = repair.apply(applicant, case.id, "已整改。", True, [PDF], [])
    db.session.commit()
    clock.move_to("2027-03-05T02:00:00+00:00")  # (its period of 100 days ran out meanwhile)
    from app.scheduler.jobs import sweep_timers

    sweep_timers()
    db.session.commit()
    assert listings_of(case.id)[0].status == "expired"
    with pytest.raises(DomainError) as refused:
        do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "ended", "reasons": "惩戒期已届满，无需修复。"})
    db.session.rollback()
    assert refused.value.errors[0][0] == "outcome" and db.session.get(Case, rep.id).status == "repair_review"
    from app.engine import registry

    registry.clear_cache()  # (the earlier version's id is free again once this test's transaction is rolled back)
