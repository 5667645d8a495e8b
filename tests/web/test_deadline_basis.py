"""Deadlines have one source of truth per case (the rule set it copied when it started), and every due date
says how it was counted: rule, length, kind of days, source, and the holidays and 调休 working days on the way."""
import re
from datetime import date

from sqlalchemy import select

from app.clock import LOCAL_TZ
from app.experts.models import Invitation
from app.extensions import db
from app.workdays.models import DeadlineRule
from app.workdays.rules import ensure_seeded
from tests.conftest import csrf_from, login, user
from tests.helpers import complete, file_case, only_task, schedule


def _set_rule(name, days, day_kind="working", source="local"):
    ensure_seeded()
    rule = db.session.get(DeadlineRule, name)
    rule.days, rule.day_kind, rule.source = days, day_kind, source
    db.session.commit()


def test_expert_invitations_use_the_cases_rule_not_the_configuration(org, clock):
    _set_rule("expert_response", 4)  # the configuration says 2
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    schedule("market_lead", only_task(case.id, "schedule_meeting"))
    inv = db.session.scalars(select(Invitation).where(Invitation.case_id == case.id)).first()
    # Monday 23 Nov + 4 working days = Friday 27 Nov (end of day, Shanghai).
    assert inv.respond_by.astimezone(LOCAL_TZ).date() == date(2026, 11, 27)
    from app.cases.models import OpenTask

    tasks = db.session.scalars(select(OpenTask).where(OpenTask.case_id == case.id, OpenTask.assignee_id.is_not(None))).all()
    assert tasks and {t.due_at for t in tasks} == {inv.respond_by} and {t.deadline_days for t in tasks} == {4}


def test_the_task_page_shows_the_cases_own_rule_kind_and_source(client, org, clock):
    _set_rule("pre_review", 7, "calendar", "市联席办〔2026〕3号")
    case = file_case()
    ot = only_task(case.id, "pre_review")
    assert ot.due_at.astimezone(LOCAL_TZ).date() == date(2026, 11, 30)  # 23 Nov + 7 calendar days
    login(client, "market_lead")
    html = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    assert "7个自然日" in html and "市联席办〔2026〕3号" in html and "工作日" not in html.split("时限依据")[1][:120]
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "7个自然日" in html and "市联席办〔2026〕3号" in html


def test_saving_a_rule_keeps_its_source_unless_a_new_one_is_given(client, org, clock):
    ensure_seeded()
    db.session.commit()
    login(client, "admin")
    page = client.get("/admin/rules").get_data(as_text=True)
    # Submit the row as shown, changing only the length.
    shown = re.search(r'name="source"[^>]*value="([^"]*)"[^>]*form="rule-pre_review"|form="rule-pre_review"[^>]*name="source"[^>]*value="([^"]*)"', page)
    shown = (shown.group(1) or shown.group(2)) if shown else ""
    client.post("/admin/rules", data={"csrf_token": csrf_from(page), "name": "pre_review", "days": "6", "day_kind": "working",
                                      "source": shown})
    rule = db.session.get(DeadlineRule, "pre_review")
    db.session.refresh(rule)
    assert rule.days == 6 and rule.source == "local"
    case = file_case()
    lead = client.application.test_client()
    login(lead, "market_lead")
    html = lead.get(f"/tasks/{only_task(case.id, 'pre_review').task_id}").get_data(as_text=True)
    assert "6个工作日" in html and "本地默认值" in html


def test_holidays_and_adjusted_working_days_on_the_way_are_listed(client, org, clock):
    clock.move_to("2026-09-30T02:00:00+00:00")  # Wednesday before the National Day holiday
    case = file_case()
    ot = only_task(case.id, "pre_review")
    # 8, 9, 10 (a working Saturday), 12, 13 October: 5 working days.
    assert ot.due_at.astimezone(LOCAL_TZ).date() == date(2026, 10, 13)
    assert ot.deadline_basis["holidays"] == [["2026-10-01", "National Day"], ["2026-10-02", "National Day"],
                                             ["2026-10-05", "National Day"], ["2026-10-06", "National Day"],
                                             ["2026-10-07", "National Day"]]
    assert ot.deadline_basis["workdays"] == [["2026-10-10", "National Day"]]
    login(client, "market_lead")
    html = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    assert "跳过的节假日" in html and "10月1日" in html and "国庆节" in html
    assert "调休上班日" in html and "10月10日" in html
    assert user("market_lead")  # the page was the lead's own
