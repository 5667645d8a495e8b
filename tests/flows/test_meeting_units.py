"""Units convened to the determination meeting (seed 001 二(二)2): each sees the meeting in its inbox and
confirms attendance; the decision form offers the units that confirmed; open invitations end with the meeting."""
from datetime import timedelta

from app.experts.convocation import convened_of
from app.scheduler.jobs import sweep_timers
from tests.helpers import complete, determine, event_types, file_case, only_task, open_tasks, schedule, unit_id


def test_convened_units_confirm_and_open_invitations_end_with_the_meeting(org, clock):
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    ot = only_task(case.id, "schedule_meeting")
    complete("market_lead", ot, {"meeting_date": clock_today(), "legal_count": 1, "industry_count": 2, "reserves": 1,
                                 "excluded_expert_ids": [], "exclusion_reason": "",
                                 "convened_unit_ids": [unit_id("市财政局"), unit_id("市税务局"), unit_id("市市场监管局")]})
    rows = convened_of(case.id)
    assert sorted(r.unit.name for r in rows) == ["市税务局", "市财政局"]  # the convener's own unit is not asked
    tasks = {t.unit_id: t for t in open_tasks(case.id, "confirm_attendance")}
    assert set(tasks) == {unit_id("市财政局"), unit_id("市税务局")}
    assert "units_convened" in event_types(case.id)
    complete("finance_cw", tasks[unit_id("市财政局")], {"answer": "attend", "attendees": "张科长"})
    assert {r.unit.name: r.status for r in convened_of(case.id)}["市财政局"] == "attending"
    # the decision is recorded: the tax bureau never answered, its invitation ends
    determine("market_lead", only_task(case.id, "determination") if open_tasks(case.id, "determination") else _ready(case))
    assert {r.unit.name: r.status for r in convened_of(case.id)} == {"市财政局": "attending", "市税务局": "closed"}
    assert open_tasks(case.id, "confirm_attendance") == []


def test_an_unanswered_invitation_expires(org, clock):
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    complete("market_lead", only_task(case.id, "schedule_meeting"), {
        "meeting_date": clock_today() + timedelta(days=14), "legal_count": 1, "industry_count": 2, "reserves": 1,
        "excluded_expert_ids": [], "exclusion_reason": "", "convened_unit_ids": [unit_id("市税务局")]})
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


def test_schedule_helper_convenes_nobody_by_default(org, clock):
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    schedule("market_lead", only_task(case.id, "schedule_meeting"))
    assert convened_of(case.id) == []
