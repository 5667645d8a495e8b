"""Input a tester sends on purpose: control characters, deeply nested JSON, times at the edge of the calendar, a
foreign Referer on a refused form, a decision template that would run for minutes. Each gets a clear answer and
changes nothing; data stored before these checks still exports."""
import io
import json

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.api import clients
from app.cases.models import Case
from app.exports import csv_bytes
from app.extensions import db
from tests.conftest import csrf_from, login, user
from tests.helpers import file_case, only_task, trigger_data, unit_id

REFUSED = "提交的内容含有系统无法接收的字符或数值"


def _cases() -> int:
    return db.session.scalar(select(func.count(Case.id)))


def test_control_characters_in_a_form_are_refused_and_nothing_is_written(client, org, clock):
    login(client, "market_cw")
    before = _cases()
    page = client.get("/cases/new").get_data(as_text=True)
    resp = client.post("/cases/new", data=trigger_data(page, title="a\x01b\x1b[31m"))
    assert resp.status_code == 400 and REFUSED in resp.get_data(as_text=True)
    # also in the second value of a field sent twice (a multi-valued field keeps every value)
    data = trigger_data(page)
    data["entry_ids"] = [data["entry_ids"][0], "1\x02"]
    assert client.post("/cases/new", data=data).status_code == 400
    # Tab and line breaks are ordinary text.
    resp = client.post("/cases/new", data=trigger_data(page, facts="第一行\r\n\t第二行"))
    assert resp.status_code == 302 and _cases() == before + 1


def test_invisible_characters_are_dropped_so_blank_fields_stay_blank_and_names_read_as_typed(client, org, clock):
    """Zero-width spaces and direction overrides: a title of only invisible characters is a missing title, and a name
    cannot be made to display reversed (U+202E) on the case page or a public list."""
    login(client, "market_cw")
    before = _cases()
    page = client.get("/cases/new").get_data(as_text=True)
    resp = client.post("/cases/new", data=trigger_data(page, title="\u200b\u3000\u200b", facts="\u200b"))
    assert resp.status_code == 200 and _cases() == before  # refused, with the form's messages
    resp = client.post("/cases/new", data=trigger_data(page, **{"subjects-0-name": "\u202e局管监\u200d", "title": "标\u200b题"}))
    assert resp.status_code == 302 and _cases() == before + 1
    case = db.session.scalar(select(Case).order_by(Case.id.desc()))
    assert case.title == "标题" and case.subjects[0].subject.name == "局管监"


def test_control_characters_in_an_anonymous_report_are_refused(client, org, clock):
    page = client.get("/public/reports/").get_data(as_text=True)
    before = _cases()
    resp = client.post("/public/reports/", data={
        "csrf_token": csrf_from(page), "subject_kind": "enterprise", "subject_name": "某公司\x0b\x01",
        "subject_code": "", "content": "在政府采购中提供虚假业绩材料。", "contact_name": "李先生", "contact": "li@example.com"})
    assert resp.status_code == 400 and _cases() == before


def test_text_stored_with_control_characters_still_exports(client, org, clock):
    case = file_case()
    case.title = "a\x01b\x0bc"  # (as stored before forms refused them)
    db.session.commit()
    login(client, "supervisor1")
    resp = client.get("/supervision/export.xlsx")
    assert resp.status_code == 200
    rows = list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))
    assert any("abc" in (v or "") for r in rows for v in r if isinstance(v, str))
    text = csv_bytes(["t"], [["a\x0bb"], ["|cmd"], ["=1+1"]]).decode("utf-8-sig").splitlines()
    assert text == ["t", "ab", "'|cmd", "'=1+1"]


def test_api_refuses_nested_json_out_of_range_times_and_control_characters(client, org, clock):
    _c, token, _s = clients.create(user("admin"), "财政系统", unit_id("市财政局"), ["check", "lists"], None)
    clients.approve(user("secadmin"), _c.id)
    db.session.commit()
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    deep = '{"a":' * 100000 + "1" + "}" * 100000
    resp = client.post("/api/v1/checks", data=deep, headers=auth)
    assert resp.status_code == 400 and resp.get_json()["code"] == "bad_request"
    for since in ("0001-01-01T00:00:00%2B14:00", "9999-12-31T23:59:59-14:00"):
        resp = client.get(f"/api/v1/lists/red/changes?since={since}", headers=auth)
        assert resp.status_code == 400 and resp.get_json()["code"] == "bad_request", since
    checks = db.session.scalar(select(func.count()).select_from(db.metadata.tables["credit_check"]))
    body = json.dumps({"code": "91510400MA6X000102", "matter_type": "licence", "matter_no": "P\u0001\u0002=cmd"})
    resp = client.post("/api/v1/checks", data=body, headers=auth)
    assert resp.status_code == 400 and resp.get_json()["code"] == "bad_request"
    assert db.session.scalar(select(func.count()).select_from(db.metadata.tables["credit_check"])) == checks

    # A lone UTF-16 surrogate is no character (the database cannot store it): refused; a pair (an emoji) is text.
    for lone in ('"\\ud800"', '"x\\udfff"', '"\\udbff\\u0041"'):
        resp = client.post("/api/v1/checks", headers=auth, data=(
            '{"code": "91510400MA6X000102", "matter_type": "licence", "matter_no": ' + lone + "}"))
        assert resp.status_code == 400 and resp.get_json()["code"] == "bad_request", lone
    assert db.session.scalar(select(func.count()).select_from(db.metadata.tables["credit_check"])) == checks
    resp = client.post("/api/v1/checks", headers=auth, data=(
        '{"code": "91510400MA6X000102", "matter_type": "licence", "matter_no": "P\\ud83d\\ude00"}'))
    assert resp.status_code == 200, resp.get_data(as_text=True)


def test_a_refused_form_never_sends_the_user_to_another_site(client, org):
    login(client, "market_cw")
    # A post the global CSRF check refuses goes back to the page it came from, only ever on this site.
    resp = client.post("/supervision/my-notices", data={"x": "1"}, headers={"Referer": "http://evil.example/"})
    assert resp.status_code == 302 and "evil.example" not in resp.headers["Location"]
    resp = client.post("/supervision/my-notices", data={"x": "1"}, headers={"Referer": "http://localhost/cases/new"})
    assert resp.headers["Location"].endswith("/cases/new")
    # The filing form checks its own token: it comes back with what was typed, whatever the Referer says.
    resp = client.post("/cases/new", data={"title": "x"}, headers={"Referer": "http://evil.example/"})
    assert resp.status_code == 200 and "表单已过期" in resp.get_data(as_text=True)
    # A notice acknowledged without its number is told there is no such notice (warnings are errors here).
    page = client.get("/supervision/my-notices").get_data(as_text=True)
    resp = client.post("/supervision/my-notices", data={"csrf_token": csrf_from(page), "notice_id": ""}, follow_redirects=True)
    assert resp.status_code == 200 and "没有该通报" in resp.get_data(as_text=True)


def test_next_with_a_backslash_does_not_leave_the_site(client, org, clock):
    """Browsers read "/\\evil.example" as "//evil.example": neither the login's nor a task button's `next` may send there."""
    from app.redirects import local_path, local_url

    for hostile in ("/\\evil.example", "/\\/evil.example", "//evil.example", "https://evil.example/", "/\tpath"):
        assert local_path(hostile, "/home") == "/home", hostile
    assert local_path("/cases/1?tab=timeline", "/home") == "/cases/1?tab=timeline"
    assert local_url("http://localhost/\\evil.example", "localhost", "/home") == "/home"
    assert local_url("http:evil.example", "localhost", "/home") == "/home"  # browsers read it as http://evil.example/
    page = client.get("/login").get_data(as_text=True)
    resp = client.post("/login?next=/%5Cevil.example", data={"username": "market_cw", "password": "demo1234",
                                                              "csrf_token": csrf_from(page)})
    assert resp.status_code == 302 and "evil" not in resp.headers["Location"]
    case = file_case()
    ot = only_task(case.id, "pre_review")
    lead = client.application.test_client()
    login(lead, "market_lead")  # (the group's lead may claim it)
    page = lead.get("/tasks/").get_data(as_text=True)
    resp = lead.post(f"/tasks/{ot.task_id}/claim", data={"csrf_token": csrf_from(page), "next": "/\\evil.example"})
    assert resp.status_code == 302 and "evil" not in resp.headers["Location"]


def test_a_decision_template_that_cannot_be_laid_out_or_is_unbounded_is_explained(client, org):
    login(client, "admin")
    page = client.get("/admin/documents/decision").get_data(as_text=True)
    for body, said in (
        ('<html><body><pdf:nexttemplate name="x"/><p>{{ title }}</p></body></html>', "模板无法生成有效的文书"),
        ("{{ 'x' * 100000000 }}", "模板使用了不允许的内容"),
        ("{% for i in range(100000) %}<p>{{ i }}</p>{% endfor %}", "模板使用了不允许的内容"),
        ("{% for i in range(1000) %}{% for j in range(1000) %}<p>{{ i }}</p>{% endfor %}{% endfor %}", "文书过长"),
        # (a whole number squared 25 times: each product grows, the loop is short; it ran 26 s)
        ("{% set ns = namespace(n=10) %}{% for i in range(25) %}{% set ns.n = ns.n * ns.n %}{% endfor %}", "模板使用了不允许的内容"),
        # (common mistakes are named in Chinese; Jinja's own words only as the technical detail)
        ("{{ 1/0 }}", "出现了除以零的运算"),
        ("{{ undefined_fn() }}", "undefined_fn 不是模板可用的占位符"),
        ('{% include "x.html" %}', "引用、继承或导入了其他模板文件"),
        ("{{ x }", "技术细节"),
    ):
        resp = client.post("/admin/documents/decision", data={"csrf_token": csrf_from(page), "body": body, "preview": "1"})
        assert resp.status_code == 200 and resp.mimetype == "text/html" and said in resp.get_data(as_text=True), body


def test_a_body_over_the_limit_is_named_for_what_it_is(client, app, org):
    """Text far over any field's length is not called an upload; nothing is written either way."""
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    before = _cases()
    limit = app.config["MAX_CONTENT_LENGTH"]
    resp = client.post("/cases/new", data={"csrf_token": csrf_from(page), "facts": "x" * (limit + 1)})
    assert resp.status_code == 413 and "远超任何字段允许的长度" in resp.get_data(as_text=True)
    body = (b'--B\r\nContent-Disposition: form-data; name="evidence"; filename="a.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n%PDF" + b"0" * (limit + 1) + b"\r\n--B--\r\n")
    resp = client.post("/cases/new", content_type="multipart/form-data; boundary=B", data=body)
    assert resp.status_code == 413 and "上传的文件过大：一次提交的文件合计不超过 50 MB（单个文件不超过 10 MB）" in resp.get_data(as_text=True)
    assert _cases() == before
