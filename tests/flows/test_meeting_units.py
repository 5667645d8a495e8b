"""Units convened to the determination meeting (seed 001 二(二)2): each sees the meeting in its inbox and
confirms attendance; the decision form offers the units that confirmed; open invitations end with the meeting."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.cases import tasks as task_service
from app.cases.models import Case
from app.errors import DomainError
from app.experts.convocation import convened_of
from app.experts.models import Draw
from app.extensions import db
from app.scheduler.jobs import sweep_timers
from tests.conftest import user
from tests.helpers import NOT_CONVENED, complete, determine, event_types, file_case, only_task, open_tasks, schedule, unit_id


def test_convened_units_confirm_and_open_invitations_end_with_the_meeting(org, clock):
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    ot = only_task(case.id, "schedule_meeting")
    values = {"meeting_date": clock_today(), "legal_count": 1, "industry_count": 2, "reserves": 1, "excluded_expert_ids": [],
              "exclusion_reason": "", "convened_unit_ids": [unit_id("市财政局"), unit_id("市税务局"), unit_id("市市场监管局")]}
    # The housing bureau applies a measure of the cited entry: leaving it out needs the organiser's written reason
    # (召集奖惩信息涉及的成员单位…共同审查和认定), and nothing is drawn or sent meanwhile.
    with pytest.raises(DomainError) as refused:
        task_service.complete(user("market_lead"), ot.task_id, values)
    db.session.rollback()
    assert refused.value.errors[0][0] == "convened_unit_ids" and "市住房城乡建设局" in str(refused.value.errors[0][1])
    assert convened_of(case.id) == [] and db.session.scalar(select(func.count(Draw.id))) == 0
    complete("market_lead", ot, {**values, "convening_reason": "住建局已书面反馈意见，不到会。"})
    assert db.session.get(Case, case.id).determination["convening_reason"] == "住建局已书面反馈意见，不到会。"
    assert db.session.get(Case, case.id).determination["not_convened_unit_ids"] == [unit_id("市住房城乡建设局")]
    rows = convened_of(case.id)
    assert sorted(r.unit.name for r in rows) == ["市税务局", "市财政局"]  # the convener's own unit is not asked
    tasks = {t.unit_id: t for t in open_tasks(case.id, "confirm_attendance")}
    assert set(tasks) == {unit_id("市财政局"), unit_id("市税务局")}
    assert "units_convened" in event_types(case.id)
    complete("finance_cw", tasks[unit_id("市财政局")], {"answer": "attend", "attendees": "张科长"})
    assert {r.unit.name: r.status for r in convened_of(case.id)}["市财政局"] == "attending"
    complete("tax_cw", tasks[unit_id("市税务局")], {"answer": "absent", "attendees": ""})
    from flask import current_app

    from app.cases import queries as case_queries
    from app.cases import timeline

    with current_app.test_request_context():  # (the timeline says which answer each gave)
        answered = [r["details"] for r in timeline.present(case_queries.timeline_rows(case.id), {})
                    if r["type"] == "attendance_answered"]
    assert answered[0].startswith("参会\n张科长") and answered[1] == "不参会", answered
    # the decision is recorded (the tax bureau said it would not attend)
    determine("market_lead", only_task(case.id, "determination") if open_tasks(case.id, "determination") else _ready(case))
    assert {r.unit.name: r.status for r in convened_of(case.id)} == {"市财政局": "attending", "市税务局": "absent"}
    assert open_tasks(case.id, "confirm_attendance") == []


def test_an_unanswered_invitation_expires(org, clock):
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    complete("market_lead", only_task(case.id, "schedule_meeting"), {
        "meeting_date": clock_today() + timedelta(days=14), "legal_count": 1, "industry_count": 2, "reserves": 1,
        "excluded_expert_ids": [], "exclusion_reason": "", "convened_unit_ids": [unit_id("市税务局")],
        "convening_reason": NOT_CONVENED})
    [row] = convened_of(case.id)
    clock.move_to(row.respond_by + timedelta(minutes=1))
    sweep_timers()
    assert convened_of(case.id)[0].status == "no_answer" and open_tasks(case.id, "confirm_attendance") == []


def clock_today():
    from app import clock as app_clock

    return app_clock.today_local()


def _ready(case):
    from tests.helpers import give_notice

    give_notice("market_lead", case.id)
    return only_task(case.id, "determination")


def test_schedule_helper_convenes_nobody_by_default_and_says_why(org, clock):
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    schedule("market_lead", only_task(case.id, "schedule_meeting"))
    assert convened_of(case.id) == [] and db.session.get(Case, case.id).determination["convening_reason"] == NOT_CONVENED


def test_the_unit_that_reported_the_behaviour_is_among_those_convened(org, clock):
    """The tax bureau reports a behaviour whose entry names no measure of its own: it is still a unit the case's
    information concerns (召集奖惩信息涉及的成员单位), offered on the form, and leaving it out needs the reason."""
    from app.joint.tasks import units_to_convene

    case = file_case(username="tax_cw", entries=("FIN-P-002",))  # (its measures: the central bank's and finance's)
    assert sorted(units_to_convene(case)) == sorted([unit_id("市税务局"), unit_id("人民银行市分行"), unit_id("市财政局")])
    complete("pbc_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    ot = only_task(case.id, "schedule_meeting")
    with pytest.raises(DomainError) as refused:
        task_service.complete(user("pbc_lead"), ot.task_id, {
            "meeting_date": clock_today(), "legal_count": 1, "industry_count": 2, "reserves": 1, "excluded_expert_ids": [],
            "exclusion_reason": "", "convened_unit_ids": [unit_id("市财政局")]})
    db.session.rollback()
    assert refused.value.errors[0][0] == "convened_unit_ids" and "市税务局" in str(refused.value.errors[0][1])
