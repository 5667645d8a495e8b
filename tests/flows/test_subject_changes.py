"""Changes of a subject's registration (issue 16): a merger passes the listings in effect to the body it merged into
(Civil Code art. 67) and links the old code to the new; a deregistration keeps them on the old code. Both reach
the timelines and the units applying measures; only the office or units party to the subject's cases record them."""
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from app import clock as app_clock
from app.cases.models import CaseSubject, Subject
from app.credit import services as credit
from app.dueprocess import record, subject_changes
from app.dueprocess.models import SubjectChange
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.listings.models import Listing, Push
from app.rights import objections
from tests.conftest import user
from tests.helpers import applicant_for, event_types, in_effect_case, unit_id

SUCCESSOR = "91510400MA6X00090A"


def _check(code):
    return credit.check(credit.Requester(unit_id=unit_id("市财政局"), user_id=user("finance_cw").id), code, "procurement", "CG-1")


def test_a_merger_passes_the_listing_to_the_successor(org, clock):
    case, codes = in_effect_case()
    old = case.subjects[0].subject
    old_id, old_code = old.id, old.code
    listing = db.session.scalar(select(Listing).where(Listing.case_id == case.id))
    today = app_clock.today_local()
    with pytest.raises(PermissionDenied):  # a unit not party to the subject's cases
        subject_changes.record_change(user("court_cw"), old_id, "merged", today, "合并登记通知书", "x", SUCCESSOR, "新公司")
    for bad, field in ((dict(on_date=today + timedelta(days=1)), "on_date"), (dict(basis=""), "basis"),
                       (dict(successor_code="91510400MA6X00010X"), "successor_code"), (dict(successor_code=old_code), "successor_code"),
                       (dict(successor_name=""), "successor_name")):
        args = dict(on_date=today, basis="资阳市市场监管局准予合并登记通知书（示例）", reason="吸收合并", successor_code=SUCCESSOR,
                    successor_name="测试建材集团有限公司")
        args.update(bad)
        with pytest.raises(DomainError) as err:
            subject_changes.record_change(user("market_cw"), old_id, "merged", **args)
        assert err.value.errors[0][0] == field, bad
        db.session.rollback()
    change = subject_changes.record_change(user("market_cw"), old_id, "merged", today, "资阳市市场监管局准予合并登记通知书（示例）",
                                           "被测试建材集团有限公司吸收合并", SUCCESSOR, "测试建材集团有限公司")
    db.session.commit()
    successor = db.session.scalar(select(Subject).where(Subject.code == SUCCESSOR))
    old = db.session.get(Subject, old_id)
    assert old.status == "merged" and old.successor_id == successor.id and change.rule == "carried_over"
    db.session.refresh(listing)
    assert listing.subject_id == successor.id and listing.carried_from_id == old_id and listing.status == "in_effect"
    assert db.session.scalar(select(CaseSubject.id).where(CaseSubject.case_id == case.id, CaseSubject.subject_id == successor.id))
    assert {"subject_merged", "listing_carried_over"} <= set(event_types(case.id))
    # the units applying measures are told to update their records
    assert {p.reason for p in db.session.scalars(select(Push).where(Push.action == "correct"))} == {"merged"}
    # a check of the successor finds the listing; one of the old code says where it went
    new = _check(SUCCESSOR)
    assert new.verdict == "punished" and [f.listing_id for f in new.findings] == [listing.id]
    gone = _check(old_code)
    assert gone.subject_status == "merged" and SUCCESSOR in gone.successor and gone.verdict == "clear"
    # a batch says the same, the carried-over listings looked up once for all its rows (not a query per merged row)
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        batch = credit.check_many(credit.Requester(unit_id=unit_id("市财政局"), user_id=user("finance_cw").id),
                                  [(old_code, "procurement", "CG-2"), (SUCCESSOR, "procurement", "CG-3"), (old_code, "procurement", "CG-4")], "B-1")
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert [(a.subject_status, a.verdict) for a in batch] == [("merged", "clear"), ("active", "punished"), ("merged", "clear")]
    assert SUCCESSOR in batch[0].successor and SUCCESSOR in batch[2].successor
    assert sum("carried_from_id IN" in st for st in statements) == 1, statements
    assert sum(st.lstrip().startswith("SELECT subject.") and "subject.id IN" in st for st in statements) == 1, statements
    assert not [st for st in statements if "WHERE subject.id = " in st], statements  # (no successor read row by row)
    # both subject pages link each other; a second change of the old subject is refused
    page = record.subject_record(user("market_cw"), successor.id)
    assert [c.subject_id for c in page["changes"]] == [old_id] and page["listings"][0].carried_from_id == old_id
    assert record.subject_record(user("market_cw"), old_id)["successor"].id == successor.id
    with pytest.raises(DomainError):
        subject_changes.record_change(user("office1"), old_id, "deregistered", today, "注销通知", "注销")
    db.session.rollback()


def test_a_deregistered_subjects_listing_stays_on_its_code(org, clock):
    case, codes = in_effect_case()
    applicant = applicant_for(case, codes)
    subject_id = case.subjects[0].subject_id
    code = case.subjects[0].subject.code
    listing_id = db.session.scalar(select(Listing.id).where(Listing.case_id == case.id))
    subject_changes.record_change(user("office1"), subject_id, "deregistered", app_clock.today_local(), "注销登记通知书（示例）",
                                  "国家企业信用信息公示系统显示已注销")
    db.session.commit()
    assert db.session.get(Subject, subject_id).status == "deregistered"
    assert db.session.get(Listing, listing_id).subject_id == subject_id  # retained
    answer = _check(code)
    assert answer.verdict == "punished" and answer.subject_status == "deregistered" and answer.successor is None
    assert "subject_deregistered" in event_types(case.id)
    assert db.session.scalar(select(SubjectChange.rule)) == "retained"
    # the subject (its former representatives) still sees its record and may still object
    assert record.own_record(applicant)["subject"].status == "deregistered"
    objections.file_objection(applicant, case.id, "认定事实有误", [])
    db.session.commit()


def test_a_person_cannot_merge(org, clock):
    case, _codes = in_effect_case(subjects=(("person", "张某", "510402198503124568"),))
    with pytest.raises(DomainError) as err:
        subject_changes.record_change(user("office1"), case.subjects[0].subject_id, "merged", app_clock.today_local(), "x", "y",
                                      SUCCESSOR, "z")
    assert err.value.errors[0][0] == "kind"
    db.session.rollback()


def test_only_staff_who_work_cases_record_registration_changes_and_report_errors(org, clock):
    """Supervisors watch the procedure and administrators run the system: neither records a subject's deregistration
    or merger nor reports an error in its data, though both may see every case; the office and a party unit may."""
    from app.dueprocess import corrections

    case, _codes = in_effect_case()
    subject_id = case.subjects[0].subject_id
    today = app_clock.today_local()
    for who in ("supervisor1", "admin"):
        assert not subject_changes.may_record(user(who), subject_id)
        with pytest.raises(PermissionDenied):
            subject_changes.record_change(user(who), subject_id, "deregistered", today, "注销登记通知书", "注销")
        with pytest.raises(PermissionDenied):
            corrections.report(user(who), subject_id, "name", "新名称有限公司", "名称有误", [])
        db.session.rollback()
    assert db.session.get(Subject, subject_id).status == "active"
    assert subject_changes.may_record(user("office1"), subject_id) and subject_changes.may_record(user("market_cw"), subject_id)
    assert record.subject_record(user("supervisor1"), subject_id)["may_report"] is False
    assert record.subject_record(user("market_cw"), subject_id)["may_report"] is True


def test_a_unit_applying_a_measure_may_not_move_or_end_a_listing_by_a_registration_change(org, clock):
    """Only the unit that decided the listings (or the office) records a merger or deregistration of their subject: a
    unit applying a measure would otherwise move another unit's listing onto any body it names (谁决定、谁负责)."""
    case, _codes = in_effect_case()
    subject_id = case.subjects[0].subject_id
    listing = db.session.scalar(select(Listing).where(Listing.case_id == case.id))
    today = app_clock.today_local()
    applying = user("finance_cw")  # 市财政局 applies a measure of the case (party to it), did not decide it
    assert listing.deciding_unit_id != applying.unit_id
    from app.dueprocess import corrections

    assert corrections.may_report(applying, subject_id)  # party to the case: may report an error in the data
    assert not subject_changes.may_record(applying, subject_id)
    for kind, extra in (("merged", (SUCCESSOR, "新公司")), ("deregistered", ())):
        with pytest.raises(PermissionDenied):
            subject_changes.record_change(applying, subject_id, kind, today, "通知书", "理由", *extra)
        db.session.rollback()
    assert db.session.get(Subject, subject_id).status == "active"
    assert db.session.get(Listing, listing.id).subject_id == subject_id
    assert db.session.scalar(select(Subject).where(Subject.code == SUCCESSOR)) is None
    deciding = next(u for u in ("market_cw", "market_lead") if user(u).unit_id == listing.deciding_unit_id)
    assert subject_changes.may_record(user(deciding), subject_id)


def test_once_its_listing_has_ended_the_deciding_unit_still_answers_for_a_registration_change(org, clock):
    """No listing in effect (its period over): the unit that decided the latest listing records a merger, not a unit
    that applied a measure of it."""
    from app.scheduler.jobs import sweep_timers

    case, _codes = in_effect_case(days=1)
    subject_id = case.subjects[0].subject_id
    listing = db.session.scalar(select(Listing).where(Listing.case_id == case.id))
    clock.shift(timedelta(days=4))
    sweep_timers()
    db.session.commit()
    assert db.session.get(Listing, listing.id).status == "expired"
    applying = user("finance_cw")
    assert not subject_changes.may_record(applying, subject_id)
    with pytest.raises(PermissionDenied):
        subject_changes.record_change(applying, subject_id, "merged", app_clock.today_local(), "通知书", "理由", SUCCESSOR, "任意公司")
    db.session.rollback()
    assert db.session.scalar(select(Subject).where(Subject.code == SUCCESSOR)) is None
    deciding = next(u for u in ("market_cw", "market_lead") if user(u).unit_id == listing.deciding_unit_id)
    assert subject_changes.may_record(user(deciding), subject_id)
