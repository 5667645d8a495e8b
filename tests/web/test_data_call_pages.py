"""Data calls through the pages: the office publishes one, the unit answers on its task page with pasted rows,
the office exports the compiled table; a unit not called cannot open it."""
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.cases.models import Case
from app.extensions import db
from tests.conftest import csrf_from, login
from tests.helpers import only_task, unit_id


def test_a_call_is_published_answered_and_compiled_through_the_pages(client, org, clock):
    login(client, "office1")
    page = client.get("/data-calls/new").get_data(as_text=True)
    bad = client.post("/data-calls/new", data={"csrf_token": csrf_from(page), "title": "月度指标", "columns": "指标\n数值#",
                                                "days": "99"}).get_data(as_text=True)
    assert "报送时限须为 1 至 60 个工作日" in bad
    resp = client.post("/data-calls/new", data={"csrf_token": csrf_from(page), "title": "月度指标", "instructions": "按月填报",
                                                 "columns": "指标\n数值#", "unit_ids": [str(unit_id("市财政局"))], "days": "5"},
                       follow_redirects=True)
    assert "已发送各单位" in resp.get_data(as_text=True)
    case = db.session.scalar(select(Case).where(Case.kind == "data_call"))
    client.post("/logout", data={"csrf_token": csrf_from(resp.get_data(as_text=True))})
    login(client, "finance_cw")
    assert case.number in client.get("/data-calls/").get_data(as_text=True)
    task = only_task(case.id, "submit_data")
    page = client.get(f"/tasks/{task.task_id}").get_data(as_text=True)
    assert "下载模板" in page
    tpl = load_workbook(io.BytesIO(client.get(f"/data-calls/{case.id}/template.xlsx").data)).active
    assert [c.value for c in tpl[1]] == ["指标", "数值"]
    html = client.post(f"/tasks/{task.task_id}", data={"csrf_token": csrf_from(page), "pasted": "失信主体数\t十二"}).get_data(as_text=True)
    assert "“数值”须为数字" in html
    client.post(f"/tasks/{task.task_id}", data={"csrf_token": csrf_from(page), "pasted": "失信主体数\t12\n修复数\t3"})
    assert only_task(case.id, "review_submission") is not None
    assert client.get(f"/data-calls/{case.id}/compiled.xlsx").status_code == 403  # the office's
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(client, "tax_cw")
    # Another unit's call is "no such case" (not "forbidden", which would say that it exists)
    assert client.get(f"/cases/{case.id}").status_code == 404 and client.get(f"/data-calls/{case.id}/template.xlsx").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/data-calls/").get_data(as_text=True))})
    login(client, "office1")
    # The office's inbox says whose data each review is (several units' answers to one call read alike).
    inbox = client.get("/tasks/").get_data(as_text=True)
    assert "审核报送数据" in inbox and "市财政局的报送数据" in inbox
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(client.get(f"/data-calls/{case.id}/compiled.xlsx").data)).active.iter_rows()]
    assert rows[1][:4] == ["市财政局", "已报送，待审核", "失信主体数", 12]  # a number, so a spreadsheet can sum it


def test_a_units_uploaded_answer_is_not_shown_to_the_other_units_called(client, org, clock):
    from openpyxl import Workbook

    from app.cases.models import Attachment

    login(client, "office1")
    page = client.get("/data-calls/new").get_data(as_text=True)
    client.post("/data-calls/new", data={"csrf_token": csrf_from(page), "title": "月度指标", "columns": "指标\n数值#",
                                         "unit_ids": [str(unit_id("市财政局")), str(unit_id("市税务局"))], "days": "5"})
    case = db.session.scalar(select(Case).where(Case.kind == "data_call"))
    finance = client.application.test_client()
    login(finance, "finance_cw")
    task = next(t for t in _tasks(case.id) if t.unit_id == unit_id("市财政局"))
    page = finance.get(f"/tasks/{task.task_id}").get_data(as_text=True)
    wb = Workbook()
    wb.active.append(["指标", "数值"])
    wb.active.append(["失信主体数", 12])
    buf = io.BytesIO()
    wb.save(buf)
    finance.post(f"/tasks/{task.task_id}", data={"csrf_token": csrf_from(page), "file": (io.BytesIO(buf.getvalue()), "财政局报送.xlsx")},
                 content_type="multipart/form-data")
    att = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id, Attachment.purpose == "data_submission"))
    assert att is not None
    link = f"/cases/{case.id}/files/{att.id}"
    tax = client.application.test_client()
    login(tax, "tax_cw")
    html = tax.get(f"/cases/{case.id}").get_data(as_text=True)
    assert link not in html and "财政局报送.xlsx" not in html  # (neither the file nor its timeline entry)
    assert "已报送数据" not in html and "已报送数据" in finance.get(f"/cases/{case.id}").get_data(as_text=True)
    assert tax.get(link).status_code == 404
    # Nor the finance bureau's task on the timeline (created, completed), while the tax bureau's own task is there.
    from app.cases import hooks, queries
    from tests.conftest import user as user_

    rows = queries.timeline_rows(case.id)
    units = {(r.type, (r.details or {}).get("unit_id")) for r in hooks.timeline_shown(user_("tax_cw"), case, rows)}
    assert ("task_created", unit_id("市税务局")) in units
    assert not {u for _t, u in units} & {unit_id("市财政局")}
    assert {("task_created", unit_id("市财政局")), ("task_completed", unit_id("市财政局"))} <= {
        (r.type, (r.details or {}).get("unit_id")) for r in hooks.timeline_shown(user_("office1"), case, rows)}
    # Nor its open steps (the office's review of its answer) or its process's diagram on the page.
    from app.cases.diagrams import diagrams_for
    from app.data_calls.services import submissions_of

    instance = {s.unit_id: s.instance_id for s in submissions_of(case.id)}
    for who, unit, other in (("tax_cw", "市税务局", "市财政局"), ("finance_cw", "市财政局", "市税务局")):
        data = queries.case_page(user_(who), case.id)
        steps = {t.instance_id for t in data["tasks"]}
        assert instance[unit_id(unit)] in steps and instance[unit_id(other)] not in steps, who
        shown = {d["instance_id"] for d in diagrams_for(case, data["hidden_instances"])}
        assert instance[unit_id(other)] not in shown and instance[unit_id(unit)] in shown, who
    # The diagram's own address says the same (the other unit's answer process is not there).
    assert tax.get(f"/cases/{case.id}/processes/{instance[unit_id('市财政局')]}.bpmn").status_code == 404
    assert tax.get(f"/cases/{case.id}/processes/{instance[unit_id('市税务局')]}.bpmn").status_code == 200
    assert client.get(f"/cases/{case.id}/processes/{instance[unit_id('市财政局')]}.bpmn").status_code == 200  # the office
    office = queries.case_page(user_("office1"), case.id)
    assert {t.instance_id for t in office["tasks"]} >= {instance[unit_id("市财政局")], instance[unit_id("市税务局")]}
    assert link in finance.get(f"/cases/{case.id}").get_data(as_text=True) and finance.get(link).status_code == 200
    assert link in client.get(f"/cases/{case.id}").get_data(as_text=True) and client.get(link).status_code == 200  # the office
    # The uploader moves to the tax bureau: the file stays the finance bureau's answer.
    from tests.conftest import user

    user("finance_cw").unit_id = unit_id("市税务局")
    db.session.commit()
    assert tax.get(link).status_code == 404


def _tasks(case_id):
    from app.cases.models import OpenTask

    return db.session.scalars(select(OpenTask).where(OpenTask.case_id == case_id, OpenTask.bpmn_id == "submit_data")).all()


def test_the_office_sets_a_call_to_repeat_each_quarter_and_stops_it_on_the_calls_page(client, org, clock):
    from app.data_calls.models import DataCallRepeat

    login(client, "office1")
    page = client.get("/data-calls/new").get_data(as_text=True)
    assert "重复发布" in page and "每季度" in page
    bad = client.post("/data-calls/new", data={"csrf_token": csrf_from(page), "title": "季度工作进展", "columns": "事项\n数量#",
                                                "unit_ids": [str(unit_id("市财政局"))], "days": "10", "repeat": "weekly"})
    assert bad.status_code == 200 and db.session.scalar(select(DataCallRepeat.id)) is None  # (not a choice: refused)
    resp = client.post("/data-calls/new", data={"csrf_token": csrf_from(page), "title": "季度工作进展", "columns": "事项\n数量#",
                                                 "unit_ids": [str(unit_id("市财政局"))], "days": "10", "repeat": "quarter"},
                       follow_redirects=True)
    assert "已发送各单位" in resp.get_data(as_text=True)
    listing = client.get("/data-calls/").get_data(as_text=True)
    assert "每期重复发布的报送通知" in listing and "每季度" in listing and "2026年12月1日" in listing
    rep = db.session.scalar(select(DataCallRepeat))
    client.post(f"/data-calls/repeats/{rep.id}/stop", data={"csrf_token": csrf_from(listing)})
    db.session.refresh(rep)
    assert not rep.active and "每期重复发布的报送通知" not in client.get("/data-calls/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(listing)})
    login(client, "finance_cw")
    other = client.get("/data-calls/").get_data(as_text=True)
    assert client.post(f"/data-calls/repeats/{rep.id}/stop", data={"csrf_token": csrf_from(other)}).status_code == 403


def test_a_call_form_sent_twice_publishes_one_call_and_one_repeat(client, org, clock):
    """Back and resend, or a double click: the form's key finds the call it already published."""
    import re

    from app.data_calls.models import DataCallRepeat

    login(client, "office1")
    page = client.get("/data-calls/new").get_data(as_text=True)
    key = re.search(r'name="submission_key"[^>]*value="([0-9a-f]{32})"', page).group(1)
    form = {"csrf_token": csrf_from(page), "submission_key": key, "title": "季度进展", "columns": "事项\n数量#",
            "unit_ids": [str(unit_id("市财政局"))], "days": "5", "repeat": "quarter"}
    first = client.post("/data-calls/new", data=form)
    again = client.post("/data-calls/new", data=form, follow_redirects=True)
    assert first.status_code == 302 and "该表单已提交过" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Case.id)).where(Case.kind == "data_call")) == 1
    assert db.session.scalar(select(func.count(DataCallRepeat.id))) == 1


def test_a_repeated_calls_own_page_says_how_often_and_when_next_and_stops_it_there(client, org, clock):
    from app.data_calls.models import DataCallRepeat

    login(client, "office1")
    page = client.get("/data-calls/new").get_data(as_text=True)
    client.post("/data-calls/new", data={"csrf_token": csrf_from(page), "title": "月度信用信息归集", "columns": "事项\n数量#",
                                         "unit_ids": [str(unit_id("市财政局"))], "days": "10", "repeat": "month"})
    rep = db.session.scalar(select(DataCallRepeat))
    case_page = client.get(f"/cases/{rep.source_case_id}").get_data(as_text=True)
    assert "发布单位</dt>" in case_page and "报送说明</dt>" in case_page and "申报单位</dt>" not in case_page
    section = case_page[case_page.index('id="data-call-repeat"'):]
    section = section[:section.index("</p>")]
    assert "重复频次" in section and "每月" in section and "下次发布日期" in section and "2026年12月1日" in section
    stopped = client.post(f"/data-calls/repeats/{rep.id}/stop", data={"csrf_token": csrf_from(case_page), "back": "case"})
    assert stopped.status_code == 302 and stopped.headers["Location"].endswith(f"/cases/{rep.source_case_id}#data-call")
    db.session.refresh(rep)
    assert not rep.active
    after = client.get(f"/cases/{rep.source_case_id}").get_data(as_text=True)
    section = after[after.index('id="data-call-repeat"'):]
    assert "不再重复发布" in section[:section.index("</p>")] and "停止重复发布</button>" not in after
    # A called unit reads the call, not the office's repeat settings.
    client.post("/logout", data={"csrf_token": csrf_from(after)})
    login(client, "finance_cw")
    assert 'id="data-call-repeat"' not in client.get(f"/cases/{rep.source_case_id}").get_data(as_text=True)
