"""Overdue work by unit and by step (checked against figures computed by hand), and notices/summons:
only supervisors issue them, the unit sees and acknowledges them, and they stay on the cases' timelines."""
import re

from sqlalchemy import select

from app.cases.models import CaseEvent
from app.extensions import db
from app.supervision import services
from app.supervision.models import Notice
from tests.conftest import csrf_from, login, user
from tests.helpers import complete, file_case, only_task, unit_id


def test_overdue_by_unit_and_step_match_a_hand_count(org, clock):
    file_case()                      # pre-review at 市市场监管局, due 30 Nov
    file_case(username="court_cw", entries=("FIN-P-001",), subjects=(("person", "张某", "510402198503124568"),))  # at 人民银行市分行
    c = file_case()
    complete("market_lead", only_task(c.id, "pre_review"), {"outcome": "return", "reasons": "补充"})  # amendment, due 10 wd
    clock.move_to("2026-12-01T02:00:00+00:00")  # pre-reviews (5 wd) overdue; the amendment (10 wd) not yet
    by_unit = {r.name: (r.tasks, r.cases) for r in services.overdue_by_unit(user("supervisor1"))}
    assert by_unit == {"市市场监管局": (1, 1), "人民银行市分行": (1, 1)}
    by_step = {r.bpmn_id: r.tasks for r in services.overdue_by_step(user("supervisor1"))}
    assert by_step == {"pre_review": 2}
    clock.move_to("2026-12-08T02:00:00+00:00")  # the amendment too (due end of 7 Dec)
    by_unit = {r.name: (r.tasks, r.cases) for r in services.overdue_by_unit(user("supervisor1"))}
    assert by_unit["市市场监管局"] == (2, 2)


def test_only_supervisors_issue_notices_and_the_unit_sees_them_on_its_cases(client, org, clock):
    case = file_case()
    clock.move_to("2026-12-03T02:00:00+00:00")
    login(client, "market_lead")
    page = client.get("/tasks/").get_data(as_text=True)
    assert client.get("/supervision/sla").status_code == 403
    client.post("/supervision/notices", data={"csrf_token": csrf_from(page), "unit_id": unit_id("市市场监管局"),
                                              "kind": "summons", "on_date": "2026-12-05", "text": "x"})
    assert db.session.scalar(select(Notice.id)) is None
    sup = client.application.test_client()
    login(sup, "supervisor1")
    html = sup.get("/supervision/sla").get_data(as_text=True)
    assert "市市场监管局" in html
    sup.post("/supervision/notices", data={"csrf_token": csrf_from(html), "unit_id": unit_id("市市场监管局"),
                                           "kind": "summons", "on_date": "2026-12-05", "text": "请于12月5日到联席办说明预审超期原因。"})
    n = db.session.scalar(select(Notice))
    assert n.kind == "summons" and [c.id for c in n.cases] == [case.id]
    assert db.session.scalar(select(CaseEvent.id).where(CaseEvent.case_id == case.id, CaseEvent.type == "unit_noticed"))
    html = client.get("/supervision/my-notices").get_data(as_text=True)
    assert "请于12月5日" in html
    client.post("/supervision/my-notices", data={"csrf_token": csrf_from(html), "notice_id": n.id})
    db.session.refresh(n)
    assert n.acknowledged_at is not None
    other = client.application.test_client()
    login(other, "pbc_lead")
    assert "请于12月5日" not in other.get("/supervision/my-notices").get_data(as_text=True)
    assert "请于12月5日" in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_the_office_issues_notices_from_the_overdue_page_too(client, org, clock):
    file_case()
    clock.move_to("2026-12-03T02:00:00+00:00")
    login(client, "office1")
    html = client.get("/supervision/sla").get_data(as_text=True)
    assert 'name="on_date"' in html and "市市场监管局" in html
    client.post("/supervision/notices", data={"csrf_token": csrf_from(html), "unit_id": unit_id("市市场监管局"),
                                              "kind": "summons", "on_date": "2026-12-05", "text": "约谈"})
    assert db.session.scalar(select(Notice.issued_by_id)) == user("office1").id


def test_the_overdue_page_has_one_form_per_unit_without_repeated_ids(client, org, clock):
    import re

    file_case()
    file_case(username="court_cw", entries=("FIN-P-001",), subjects=(("person", "张某", "510402198503124568"),))
    clock.move_to("2026-12-03T02:00:00+00:00")  # both pre-reviews overdue: two units, two notice forms
    login(client, "supervisor1")
    html = client.get("/supervision/sla").get_data(as_text=True)
    assert html.count('action="/supervision/notices"') == 2
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_a_refused_notice_is_shown_again_as_it_was_typed_in_its_units_row(client, org, clock):
    file_case()
    clock.move_to("2026-12-03T02:00:00+00:00")
    login(client, "supervisor1")
    page = client.get("/supervision/sla").get_data(as_text=True)
    resp = client.post("/supervision/notices", data={"csrf_token": csrf_from(page), "unit_id": unit_id("市市场监管局"),
                                                     "kind": "summons", "on_date": "2026-12-09", "text": ""})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "请填写通报（约谈）内容" in html
    marker = f'name="unit_id" value="{unit_id("市市场监管局")}"'
    row = html.split(marker)[0].rsplit("<details", 1)[1]
    assert row.startswith(" open")
    form = html.split(marker)[1].split("</form>")[0]
    assert 'value="summons" id="kind-' in form and re.search(r'value="summons"[^>]*checked', form)
    assert 'value="2026-12-09"' in form
    assert db.session.scalar(select(Notice.id)) is None
