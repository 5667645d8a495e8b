"""Dates outside any real procedure (year 0001 or 9999, month 00, a month 0000-01) are refused with a message in
Chinese and change nothing, in every form with a date: task forms, the holiday calendar, notices, reports and
expert unavailability."""
import pytest
from sqlalchemy import func, select

from app.cases.models import Case
from app.extensions import db
from app.supervision.models import Notice, Report
from app.workdays.models import CalendarDay
from tests.conftest import csrf_from, login
from tests.helpers import file_case, only_task, unit_id

BAD_DATES = ["0001-01-01", "9999-12-31", "1899-12-31"]
MESSAGE = "请填写2000年至2099年之间的日期"


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("bad", BAD_DATES)
def test_meeting_date(client, org, clock, bad):
    case = file_case()
    login(client, "market_lead")
    ot = only_task(case.id, "pre_review")
    page = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    client.post(f"/tasks/{ot.task_id}", data={"csrf_token": csrf_from(page), "outcome": "accept"})
    ot = only_task(case.id, "schedule_meeting")
    page = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    resp = client.post(f"/tasks/{ot.task_id}", data={"csrf_token": csrf_from(page), "meeting_date": bad, "legal_count": 1,
                                                     "industry_count": 2, "reserves": 1})
    assert resp.status_code == 200 and MESSAGE in resp.get_data(as_text=True)
    assert db.session.get(Case, case.id).status == "scheduling" or only_task(case.id, "schedule_meeting").id == ot.id


@pytest.mark.parametrize("bad", BAD_DATES)
def test_calendar_day(client, org, clock, bad):
    login(client, "admin")
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    before = _count(CalendarDay)
    resp = client.post("/admin/calendar?year=2026", data={"csrf_token": csrf_from(page), "d-day": bad, "d-status": "off", "d-name": "x"})
    assert resp.status_code == 200 and MESSAGE in resp.get_data(as_text=True)
    assert _count(CalendarDay) == before


@pytest.mark.parametrize("year", ["0", "99999", "-5", "1"])
def test_calendar_year_in_the_address(client, org, year):
    login(client, "admin")
    assert client.get(f"/admin/calendar?year={year}").status_code == 200


@pytest.mark.parametrize("bad", BAD_DATES)
def test_notice_date(client, org, clock, bad):
    file_case()
    login(client, "supervisor1")
    html = client.get("/supervision/sla").get_data(as_text=True)
    resp = client.post("/supervision/notices", data={"csrf_token": csrf_from(html), "unit_id": unit_id("市市场监管局"),
                                                     "kind": "summons", "on_date": bad, "text": "说明"}, follow_redirects=True)
    assert MESSAGE in resp.get_data(as_text=True)
    assert _count(Notice) == 0


@pytest.mark.parametrize("bad", ["0000-01", "9999-12", "2026-00", "2026-13", "2026-Q5", "2099-01", "2099", "1999", "20261",
                                 "２０２６-11"])  # (full-width digits: a second name for November's report)
def test_report_period(client, org, clock, bad):
    login(client, "supervisor1")
    page = client.get("/supervision/reports").get_data(as_text=True)
    resp = client.post("/supervision/reports", data={"csrf_token": csrf_from(page), "month": bad}, follow_redirects=True)
    assert resp.status_code == 200
    assert "请填写已开始的月份、季度或年度，格式为 YYYY-MM、YYYY-Q1 或 YYYY" in resp.get_data(as_text=True)
    assert _count(Report) == 0


def test_a_quarter_report_can_be_asked_for(client, org, clock):
    login(client, "supervisor1")
    page = client.get("/supervision/reports").get_data(as_text=True)
    client.post("/supervision/reports", data={"csrf_token": csrf_from(page), "month": "2026-Q3"})
    assert sorted(db.session.scalars(select(Report.fmt).where(Report.month == "2026-Q3"))) == ["pdf", "xlsx"]


@pytest.mark.parametrize("bad", BAD_DATES)
def test_expert_unavailability(client, org, clock, bad):
    from app.experts.models import Expert, ExpertUnavailability

    login(client, "office1")
    expert = db.session.scalar(select(Expert).order_by(Expert.id))
    page = client.get(f"/experts/{expert.id}").get_data(as_text=True)
    before = _count(ExpertUnavailability)
    resp = client.post(f"/experts/{expert.id}/unavailable", data={"csrf_token": csrf_from(page), "u-start": bad, "u-end": "2026-12-31"},
                       follow_redirects=True)
    assert MESSAGE in resp.get_data(as_text=True)
    assert _count(ExpertUnavailability) == before
