"""Dashboard and report figures against fixtures computed by hand; reports as PDF and XLSX; exports;
typical cases and the quarterly quota; who may see what."""
import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app import clock as app_clock
from app.audit.models import AdminChange
from app.enums import EventType
from app.errors import DomainError
from app.extensions import db
from app.supervision import monitoring, reports
from app.supervision.models import Report
from tests.conftest import csrf_from, login, user
from tests.helpers import COMPANY2, applicant_for, complete, event_types, file_case, in_effect_case, only_task


def test_figures_match_a_hand_count(org, clock, app):
    a, codes = in_effect_case()            # pre_review, schedule, determination, filing, 3 implement, feedback
    file_case(subjects=(COMPANY2,))        # at pre-review
    clock.shift(timedelta(hours=30))
    c = file_case(subjects=(("enterprise", "某三公司", "91510400MA6X000304"),))
    clock.shift(timedelta(hours=50))
    complete("market_lead", only_task(c.id, "pre_review"), {"outcome": "accept"})  # took 50 h
    d = monitoring.dashboard()
    assert dict(d["by_status"]) == {"in_effect": 1, "pre_review": 1, "determination": 1}
    assert dict(d["by_group"]) == {"市场监管专项小组": 3}
    assert d["by_month"] == [("2026-11", 3)]
    assert d["by_unit"] == [("市市场监管局", 3)]  # (what each member unit reported: seed 001 二(二)1)
    pre = next(r for r in d["step_times"] if r["bpmn_id"] == "pre_review")
    assert pre["count"] == 2 and pre["avg"] == 25.0 and pre["p90"] == 50.0  # 0 h and 50 h
    units = {r["unit"]: r for r in d["on_time"]}
    assert units["市市场监管局"]["rate"] == 100.0
    # One enterprise under a serious-dishonesty entry (SC-P-001) among 150,000 registered.
    assert d["serious"] == {"subjects": 1, "registered": 150000, "percent": 0.001, "warning": False, "as_of": None}
    app.config["REGISTERED_ENTERPRISES"] = 50
    try:
        assert monitoring.serious_share()["warning"] is True  # 2%
        app.config["REGISTERED_ENTERPRISES"] = 100
        assert monitoring.serious_share()["warning"] is True  # exactly 1%: the target is "below 1%"
        # A social organisation under a serious entry is not an enterprise: the share counts enterprises only.
        from app.cases.models import Subject

        db.session.get(Subject, a.subjects[0].subject_id).kind = "social_org"
        db.session.flush()
        assert monitoring.serious_share()["subjects"] == 0
        db.session.rollback()
    finally:
        app.config["REGISTERED_ENTERPRISES"] = 150000
    # Objection outcomes are counted too.
    from app.rights import objections

    objections.file_objection(applicant_for(a, codes), a.id, "异议", [])
    db.session.commit()
    assert monitoring.outcomes() == [("objection", "objection_reply", 1)]


def test_reports_pdf_and_xlsx_are_generated_stored_and_downloadable(client, org, clock):
    in_effect_case()
    login(client, "supervisor1")
    page = client.get("/supervision/reports").get_data(as_text=True)
    for month in ("2026-09", "2026-11"):
        client.post("/supervision/reports", data={"csrf_token": csrf_from(page), "month": month})
    rows = db.session.scalars(select(Report).order_by(Report.month, Report.fmt)).all()
    assert [(r.month, r.fmt) for r in rows] == [("2026-09", "pdf"), ("2026-09", "xlsx"), ("2026-11", "pdf"), ("2026-11", "xlsx")]
    with client.get(f"/supervision/reports/{rows[0].id}") as resp:
        assert resp.data.startswith(b"%PDF") and b"STSong-Light" in resp.data
    statuses, months = {}, {}
    for r in (rows[1], rows[3]):
        with client.get(f"/supervision/reports/{r.id}") as resp:
            wb = load_workbook(io.BytesIO(resp.data))
            assert wb.sheetnames[:3] == ["1 本期报送案件（按状态）", "2 本期报送案件（按专项小组）", "3 按月统计案件"]  # (named, not only numbered)
            statuses[r.month] = {row[0].value: row[1].value for row in wb.worksheets[0].iter_rows(min_row=3)}
            months[r.month] = {row[0].value: row[1].value for row in wb.worksheets[2].iter_rows(min_row=3)}
    # Each report covers its own month: the case filed on 23 November counts in November only, in every table.
    assert statuses == {"2026-09": {}, "2026-11": {"生效中": 1}}
    assert months == {"2026-09": {}, "2026-11": {"2026-11": 1}}
    # The scheduler's daily job makes the previous month's report and the previous quarter's notice, once.
    made = reports.generate_monthly_if_missing()  # (and the previous year's year-end assessment)
    assert sorted({r.month for r in made}) == ["2025", "2026-10", "2026-Q3"]
    assert reports.generate_monthly_if_missing() == []
    # The year-end assessment (seed 004 (二十五) 年终考核) for a year under way, asked for: each unit's typical cases by quarter.
    said = client.post("/supervision/reports", data={"csrf_token": csrf_from(page), "month": "2026"},
                       follow_redirects=True).get_data(as_text=True)
    assert "已生成 2026 的报告" in said and "该统计期间尚未结束" in said  # (asked for before the year is over)
    year = db.session.scalar(select(Report).where(Report.month == "2026", Report.fmt == "xlsx"))
    with client.get(f"/supervision/reports/{year.id}") as resp:
        wb = load_workbook(io.BytesIO(resp.data))
        sheet = next(ws for ws in wb.worksheets if ws.cell(1, 1).value == "各季度典型案例")
        assert [c.value for c in sheet[2]] == ["单位", "Q1", "Q2", "Q3", "Q4", "达标季度数"]
        assert not any("季度典型案例" in ws.title and "Q4" in ws.title for ws in wb.worksheets)  # (not the last quarter's alone)
    c = client.application.test_client()
    login(c, "market_cw")
    assert c.get(f"/supervision/reports/{rows[0].id}").status_code == 403
    assert c.get("/supervision/dashboard").status_code == 403
    # A specialist group's lead monitors with the office (seed 001 二(二)1): the figures and the reports, from the menu;
    # not the supervisors' list of every case, nor the case export.
    lead = client.application.test_client()
    login(lead, "market_lead")
    menu = lead.get("/tasks/").get_data(as_text=True)
    assert 'href="/supervision/dashboard"' in menu and 'href="/supervision/reports"' in menu
    assert lead.get("/supervision/dashboard").status_code == 200
    assert lead.get(f"/supervision/reports/{rows[0].id}").status_code == 200
    assert lead.get("/supervision/").status_code == 403 and lead.get("/supervision/export.csv").status_code == 403


def test_exports_and_dashboard_page(client, org, clock):
    case = file_case()
    login(client, "supervisor1")
    html = client.get("/supervision/dashboard").get_data(as_text=True)
    assert "vendor/chartjs/chart.umd.min.js" in html
    # Each chart is an image named by its title, its figures also as a table (without sight, without JavaScript)
    assert html.count('role="img" aria-label=') == 6 and '<h2 class="h6 mb-0" id="h-status">按状态统计案件' in html
    assert "各成员单位报送的案件" in html
    status_table = html.split('id="c-status"')[1].split("</table>")[0]
    assert "<th scope=\"row\">预审</th><td>1</td>" in status_table
    csv_text = client.get("/supervision/export.csv").data.decode("utf-8-sig")
    assert case.number in csv_text and "专项小组预审（市市场监管局）" in csv_text  # (each step with the unit that has it)
    wb = load_workbook(io.BytesIO(client.get("/supervision/export.xlsx").data))
    head = [c.value for c in wb.active[1]]
    row = dict(zip(head, [c.value for c in wb.active[2]]))
    assert row["案件编号"] == case.number and row["申报单位"] == "市市场监管局"
    assert row["当事主体"] == case.subjects[0].subject.name
    assert isinstance(row["最早办理时限"], datetime)  # (a date in Excel, to sort and filter by)


def test_typical_cases_and_the_quota(client, org, clock):
    case, _codes = in_effect_case()
    login(client, "market_cw")
    page = client.get("/supervision/typical").get_data(as_text=True)
    client.post("/supervision/typical", data={"csrf_token": csrf_from(page), "case_number": case.number,
                                              "summary": "依法将该企业列入严重违法失信名单，三家单位联合实施惩戒，效果明显。"})
    quota = monitoring.typical_quota()
    row = next(r for r in quota["rows"] if r["unit"] == "市市场监管局")
    assert row["count"] == 1 and row in quota["below"]
    assert EventType.TYPICAL_REGISTERED in event_types(case.id)
    other = client.application.test_client()
    login(other, "env_cw")
    page = other.get("/supervision/typical").get_data(as_text=True)
    other.post("/supervision/typical", data={"csrf_token": csrf_from(page), "case_number": case.number, "summary": "不是本单位的"})
    assert next(r for r in monitoring.typical_quota()["rows"] if r["unit"] == "市生态环境局")["count"] == 0


def test_only_the_filing_unit_registers_a_typical_case(client, org, clock):
    case, _codes = in_effect_case()
    login(client, "finance_cw")  # an implementing unit of the case, not its filing unit
    page = client.get("/supervision/typical").get_data(as_text=True)
    client.post("/supervision/typical", data={"csrf_token": csrf_from(page), "case_number": case.number, "summary": "x"})
    assert next(r for r in monitoring.typical_quota()["rows"] if r["unit"] == "市财政局")["count"] == 0
    c = client.application.test_client()
    login(c, "expert1")
    assert c.get("/supervision/typical").status_code == 403


def test_any_unit_submits_typical_cases_and_the_office_publishes_them_without_personal_data(client, org, clock):
    from datetime import date

    from app.auth.models import Unit
    from app.supervision import services as supervision
    from app.supervision.models import Notice

    county = Unit(name="雁江区发展改革局（区信用办）", kind="county")
    db.session.add(county)
    db.session.commit()
    login(client, "market_cw")
    page = client.get("/supervision/typical").get_data(as_text=True)
    client.post("/supervision/typical", data={"csrf_token": csrf_from(page), "case_number": "", "title": "某公司虚假宣传被联合惩戒",
                                              "summary": "某公司法定代表人张三（身份证号510402198503124568）组织虚假宣传，经认定后联合惩戒。"})
    # The same form sent again (a double click, or a resend after a slow answer) registers nothing more.
    resp = client.post("/supervision/typical", data={"csrf_token": csrf_from(page), "case_number": "", "title": "某公司虚假宣传被联合惩戒",
                                                     "summary": "某公司法定代表人张三（身份证号510402198503124568）组织虚假宣传，经认定后联合惩戒。"},
                       follow_redirects=True)
    assert "表单提交了两次" in resp.get_data(as_text=True)
    quota = monitoring.typical_quota()
    assert next(r for r in quota["rows"] if r["unit"] == "市市场监管局")["count"] == 1
    assert any(r["unit"] == county.name and r["kind"] == "county" for r in quota["below"])  # counties have the quota too
    t = supervision.typical_of_quarter(quota["quarter"])[0]
    office = client.application.test_client()
    login(office, "office1")
    page = office.get("/supervision/typical").get_data(as_text=True)
    assert "某公司虚假宣传被联合惩戒" in page
    resp = office.post(f"/supervision/typical/{t.id}/publish", data={"csrf_token": csrf_from(page), "title": t.title, "text": t.summary},
                       follow_redirects=True)
    assert "发布前请删除个人信息" in resp.get_data(as_text=True) and client.get("/public/typical").get_data(as_text=True).count("虚假宣传") == 0
    resp = office.post(f"/supervision/typical/{t.id}/publish", data={"csrf_token": csrf_from(page), "title": t.title,
                       "text": "某公司法定代表人张某（5104 0219 8503 1245 68，电话138-0013-8000）组织虚假宣传。"}, follow_redirects=True)
    assert "发布前请删除个人信息" in resp.get_data(as_text=True)  # digits split by spaces or dashes count too
    # ... and split by slashes, brackets or invisible characters (text pasted from a word processor)
    # (and e-mail addresses written with the full-width ＠ and ．)
    for hidden in ("510402198503\u200b124568", "(138)0013-8000", "138\u200b0013\u200b8000", "邮箱 zhangmou＠example.com",
                   "邮箱 zhang@example．cn", "电话 028-12345678", "座机(0812)3345678",
                   "510402_19850312_4568", "138＿0013＿8000", "联系电话１３８００１３８０００", "０８１２－３３３４４４４",
                   # (in Chinese numerals, or split by slashes: reported where the number is one)
                   "五一〇四〇二一九八五〇三一二四五六八", "电话一三八〇〇一三八〇〇〇", "510402/19850312/4568", "138/0013/8000",
                   # (long dashes, commas, enumeration commas: the security campaign published these)
                   "510402—19850312—4568", "138—1234—5678", "138，1234，5678", "138、1234、5678", "510402，19850312，4568"):
        with pytest.raises(DomainError):
            supervision.publish_typical(user("office1"), t.id, t.title, f"某公司法定代表人张某（{hidden}）组织虚假宣传，经认定后联合惩戒。")
        db.session.rollback()
        resp = office.post(f"/supervision/typical/{t.id}/publish", data={"csrf_token": csrf_from(page), "title": t.title,
                           "text": f"某公司法定代表人张某（{hidden}）组织虚假宣传，经认定后联合惩戒。"}, follow_redirects=True)
        assert "发布前请删除个人信息" in resp.get_data(as_text=True), hidden
    # Dates and ranges are not taken for numbers (2026/01/01—2026/12/31).
    supervision.publish_typical(user("office1"), t.id, t.title, "惩戒期间为2026/01/01—2026/12/31，第13/14/15/16/17/18项措施同时实施。"
                                                                "案号XL-2026-000001，罚款0.5万元，第1、2、3、4、5、6、7、8项。"
                                                                "期间2026/01/01-2026/12/31，二〇二六年一月一日起，一二三四五六七八九项。")
    db.session.rollback()
    office.post(f"/supervision/typical/{t.id}/publish", data={"csrf_token": csrf_from(page), "title": t.title,
                                                             "text": "某公司法定代表人张某组织虚假宣传，经认定后由三家单位联合惩戒。"})
    # Who published what is in the audit of changes, with the text it replaced when published again.
    office.post(f"/supervision/typical/{t.id}/publish", data={"csrf_token": csrf_from(page), "title": t.title,
                                                             "text": "某公司法定代表人张某组织虚假宣传，经认定后由三家单位联合惩戒。"})
    changes = db.session.scalars(select(AdminChange).where(AdminChange.entity == "typical_case").order_by(AdminChange.id)).all()
    assert [(c.actor_id, c.before is None) for c in changes] == [(user("office1").id, True), (user("office1").id, False)]
    assert changes[1].before["text"] == changes[0].after["text"]
    public = client.application.test_client().get("/public/typical").get_data(as_text=True)
    assert "某公司虚假宣传被联合惩戒" in public and "张某" in public and "510402" not in public
    assert "2026年第4季度" in public and "2026-Q4" not in public  # (the quarter as people say it)
    own = client.get("/supervision/typical").get_data(as_text=True)
    assert client.post(f"/supervision/typical/{t.id}/publish", data={"csrf_token": csrf_from(own), "title": "x",
                                                                     "text": "x" * 30}).status_code == 403
    # reminders in the last two weeks of the quarter, a notice once it is over; each once
    db.session.query(Notice).delete()
    assert supervision.typical_quota_notices(date(2026, 12, 10)) == 0  # three weeks before the end: not yet
    n = supervision.typical_quota_notices(date(2026, 12, 20))
    assert n == len(monitoring.typical_quota()["below"]) and supervision.typical_quota_notices(date(2026, 12, 21)) == 0
    reminder = db.session.scalar(select(Notice).where(Notice.unit_id == county.id))
    assert reminder.reason == "typical_reminder" and "2026-Q4" in reminder.text
    later = supervision.typical_quota_notices(date(2027, 1, 4))
    assert later >= 1 and db.session.scalar(select(Notice).where(Notice.unit_id == county.id, Notice.reason == "typical_shortfall"))


def test_open_work_past_its_deadline_counts_against_the_units_on_time_rate(org, clock):
    case = file_case()  # the market group's lead pre-reviews it
    assert {r["unit"]: r for r in monitoring.on_time_by_unit()}.get("市市场监管局") is None  # nothing done, nothing late
    due = only_task(case.id, "pre_review").due_at
    clock.move_to(due + timedelta(hours=1))
    row = {r["unit"]: r for r in monitoring.on_time_by_unit()}["市市场监管局"]
    assert row == {"unit": "市市场监管局", "steps": 1, "on_time": 0, "overdue_open": 1, "rate": 0.0}
    # A month's report made after the month (as the scheduler makes it) counts the step still open past its deadline
    # in that month too; a month that ended before the deadline does not.
    local = app_clock.as_utc(due).astimezone(app_clock.LOCAL_TZ)
    month = monitoring.Period.parse(f"{local.year}-{local.month:02d}")
    clock.move_to(month.end + timedelta(days=3))
    assert {r["unit"]: r for r in monitoring.on_time_by_unit(month)}["市市场监管局"]["overdue_open"] == 1
    earlier = monitoring.Period.parse(f"{local.year - 1}-12")
    assert "市市场监管局" not in {r["unit"] for r in monitoring.on_time_by_unit(earlier)}
    clock.move_to(due + timedelta(hours=1))
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})  # done late: a late step
    row = {r["unit"]: r for r in monitoring.on_time_by_unit()}["市市场监管局"]
    assert row["steps"] == 1 and row["on_time"] == 0 and row["overdue_open"] == 0


def test_a_departments_own_list_may_be_its_typical_case(org, clock):
    """Seed 000 十: 对"红黑名单"对象落实联合奖惩…形成联合奖惩案例. The department that supplied the list submits it."""
    from app.listings import imports
    from app.supervision import services as supervision
    from tests.flows.test_department_lists import GOOD, _xlsx

    [record] = imports.import_list(user("market_cw"), "list.xlsx", _xlsx(GOOD))
    db.session.commit()
    with pytest.raises(DomainError):  # another unit's record
        supervision.register_typical(user("tax_cw"), record.number, "依法将企业列入黑名单并推送各单位联合惩戒，效果明显。")
    db.session.rollback()
    # (a number typed in lower case is the same number)
    t = supervision.register_typical(user("market_cw"), record.number.lower(), "依法将企业列入黑名单并推送各单位联合惩戒，效果明显。")
    db.session.commit()
    assert t.case_id == record.id and t.title == record.title


def test_a_typical_case_is_public_only_while_its_punishment_is_in_force(client, org, clock):
    """Seed 003 33① exposes the dishonest while they are punished: a typical case comes off the public page when an
    objection suspends the punishment and stays off once it is revoked; it cannot be published meanwhile, and a revoked
    case neither counts towards the quota nor can be submitted. Persons it names appear as the public lists show them."""
    from app.rights import objections
    from app.supervision import services as supervision
    from app.supervision.models import TypicalCase
    from tests.helpers import do, listings_of, task_of

    person = ("person", "王小明", "510402198503124568")
    case, codes = in_effect_case(subjects=(person,))
    t = supervision.register_typical(user("market_cw"), case.number, "依法将王小明列入严重违法失信名单，三家单位联合惩戒，效果明显。")
    db.session.commit()
    login(client, "office1")
    page = client.get("/supervision/typical").get_data(as_text=True)
    resp = client.post(f"/supervision/typical/{t.id}/publish", follow_redirects=True, data={
        "csrf_token": csrf_from(page), "title": "王小明虚假宣传被联合惩戒", "text": "王小明因严重违法失信被联合惩戒，三家单位联合实施，效果明显。"})
    assert "王小明 → 王某" in resp.get_data(as_text=True)
    public = client.application.test_client().get("/public/typical").get_data(as_text=True)
    assert "王某虚假宣传被联合惩戒" in public and "王某因严重违法失信" in public and "王小明" not in public

    applicant = applicant_for(case, codes)
    obj = objections.file_objection(applicant, case.id, "处罚所依据的决定已被撤销。", [])
    db.session.commit()
    assert listings_of(case.id)[0].status == "suspended"
    assert "王某虚假宣传" not in client.application.test_client().get("/public/typical").get_data(as_text=True)
    db.session.expire_all()
    t = db.session.get(TypicalCase, t.id)
    assert t.withdrawn_at is not None and t.withdrawn_by_id is None and "暂停" in t.withdrawn_reason
    assert EventType.TYPICAL_WITHDRAWN in event_types(case.id)
    with pytest.raises(DomainError, match="暂停"):  # not while it is suspended
        supervision.publish_typical(user("office1"), t.id, t.published_title, t.published_text)
    db.session.rollback()
    staff = client.get("/supervision/typical").get_data(as_text=True)
    assert "已撤下" in staff and "再次发布" in staff

    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "upheld", "reasons": "异议成立，撤销认定。"})
    assert listings_of(case.id)[0].status == "revoked"
    assert "王某虚假宣传" not in client.application.test_client().get("/public/typical").get_data(as_text=True)
    with pytest.raises(DomainError, match="撤销"):
        supervision.publish_typical(user("office1"), t.id, t.published_title, t.published_text)
    db.session.rollback()
    assert next(r for r in monitoring.typical_quota()["rows"] if r["unit"] == "市市场监管局")["count"] == 0
    with pytest.raises(DomainError, match="撤销"):
        supervision.register_typical(user("market_cw"), case.number, "另一份总结文字，说明惩戒的做法和效果，字数足够。")
    db.session.rollback()


def test_the_office_takes_a_typical_case_off_the_public_page_with_its_reason(client, org, clock):
    from app.supervision import services as supervision

    case, _codes = in_effect_case()
    t = supervision.register_typical(user("market_cw"), case.number, "依法将该企业列入严重违法失信名单，三家单位联合惩戒，效果明显。")
    supervision.publish_typical(user("office1"), t.id, "某企业被联合惩戒", "该企业因严重违法失信被联合惩戒，三家单位联合实施，效果明显。")
    db.session.commit()
    assert "某企业被联合惩戒" in client.get("/public/typical").get_data(as_text=True)
    login(client, "office1")
    page = client.get("/supervision/typical").get_data(as_text=True)
    resp = client.post(f"/supervision/typical/{t.id}/withdraw", data={"csrf_token": csrf_from(page), "reason": "x"})
    html = resp.get_data(as_text=True)  # (refused: said at the top, what was typed kept in the entry's form, open)
    assert resp.status_code == 200 and "说明撤下的理由" in html and 'value="x"' in html
    refused = client.post(f"/supervision/typical/{t.id}/publish", data={
        "csrf_token": csrf_from(page), "title": "某企业被联合惩戒", "text": "该企业联系电话 138 1234 5678，因严重违法失信被联合惩戒。"})
    html = refused.get_data(as_text=True)
    assert "13812345678、13812345678" not in html and "13812345678" in html  # (each number named once)
    assert "该企业联系电话 138 1234 5678" in html  # (the text as typed, to be corrected, not the published one)
    resp = client.post(f"/supervision/typical/{t.id}/withdraw", data={"csrf_token": csrf_from(page), "reason": "文字需要修改"},
                       follow_redirects=True)
    assert "已从典型案例公示页撤下" in resp.get_data(as_text=True)
    assert "某企业被联合惩戒" not in client.application.test_client().get("/public/typical").get_data(as_text=True)
    change = db.session.scalars(select(AdminChange).where(AdminChange.entity == "typical_case", AdminChange.action == "withdraw")).one()
    assert change.actor_id == user("office1").id and change.reason == "文字需要修改"
    trail = client.get("/admin/audit").get_data(as_text=True)  # (in words and local times: no internal names)
    assert "典型案例" in trail and "已撤回" in trail and "文字需要修改" in trail and "typical_case" not in trail
    assert "+00:00" not in trail and "T01:" not in trail
    other = client.application.test_client()
    login(other, "market_cw")
    own = other.get("/supervision/typical").get_data(as_text=True)
    assert other.post(f"/supervision/typical/{t.id}/withdraw", data={"csrf_token": csrf_from(own), "reason": "x x"}).status_code == 403
    # published again: back on the page
    supervision.publish_typical(user("office1"), t.id, "某企业被联合惩戒", "该企业因严重违法失信被联合惩戒，三家单位联合实施，效果明显。")
    db.session.commit()
    assert "某企业被联合惩戒" in client.application.test_client().get("/public/typical").get_data(as_text=True)


def test_one_subjects_period_ending_leaves_the_cases_typical_case_public_its_repair_does_not(org, clock):
    """Review: a case of several subjects (a department's list of many) stays exposed while its other punishments run
    when one ends by its period; a subject repaired, cleared or under objection is never exposed; the last to end ends
    it."""
    from app.supervision import services as supervision
    from tests.helpers import COMPANY2, listings_of

    case, _codes = in_effect_case(subjects=(("enterprise", "测试建材有限公司", "91510400MA6X000102"), COMPANY2))
    first, second = listings_of(case.id)
    assert supervision.not_in_force_reason(case.id) is None
    assert supervision.not_in_force_reason(case.id, {first.id: "expired"}) is None
    assert "届满" in str(supervision.not_in_force_reason(case.id, {first.id: "expired", second.id: "expired"}))
    assert "信用修复" in str(supervision.not_in_force_reason(case.id, {first.id: "repaired"}))
    assert "暂停" in str(supervision.not_in_force_reason(case.id, {second.id: "suspended"}))


def test_the_quarterly_notice_reaches_each_unit_with_its_own_figures(client, org, clock):
    """Seed 004 (二十五) 季度通报: once the quarter is over, every unit it rates is told its own figures (steps on time, steps
    left overdue, typical cases against the quota), once, on its notices page."""
    from app.supervision import services as supervision
    from app.supervision.models import Notice

    in_effect_case()
    clock.move_to("2027-01-04T02:00:00+00:00")
    made = supervision.typical_quota_notices()
    db.session.commit()
    notices = db.session.scalars(select(Notice).where(Notice.reason == "quarterly_notice")).all()
    market = next(n for n in notices if n.unit.name == "市市场监管局")
    assert "2026-Q4" in market.text and "按时" in market.text and "典型案例" in market.text
    assert made >= len(notices) > 1
    clock.move_to("2027-01-05T02:00:00+00:00")
    assert supervision.typical_quota_notices() == 0  # (once)
    login(client, "market_cw")
    assert "2026-Q4" in client.get("/supervision/my-notices").get_data(as_text=True)


def test_a_period_named_in_lower_case_is_read_as_typed_in_capitals(org, clock):
    from app.supervision.monitoring import Period

    assert Period.parse("2026-q4").name == "2026-Q4" and Period.parse(" 2026-11 ").name == "2026-11"
