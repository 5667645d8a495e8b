"""Web tests: every page through the Flask test client, with role and unit restrictions, CSRF, bad input."""
import io

from sqlalchemy import func, select

from app.cases.models import Attachment, Case
from app.experts.models import Expert
from app.extensions import db
from app.scheduler.jobs import sweep_deadlines
from tests.conftest import csrf_from, login, user
from tests.helpers import add_colleague_of, complete, file_case, only_task, trigger_data

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def case_count():
    return db.session.scalar(select(func.count(Case.id)))


def test_login_page_is_chinese_by_default_and_english_on_request(client, org):
    html = client.get("/login").get_data(as_text=True)
    assert "登录" in html and "用户名" in html
    client.get("/lang/en")
    assert "Log in" in client.get("/login").get_data(as_text=True)


def test_wrong_password_is_refused(client, org):
    page = client.get("/login").get_data(as_text=True)
    resp = client.post("/login", data={"username": "market_cw", "password": "nope", "csrf_token": csrf_from(page)})
    assert resp.status_code == 200 and "用户名或密码错误" in resp.get_data(as_text=True)
    assert client.get("/tasks/").status_code == 302  # still anonymous


def test_caseworker_files_a_trigger_through_the_form(client, org, clock):
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    assert "严重违法失信企业" in page
    data = trigger_data(page)
    data["files"] = [(io.BytesIO(PDF_BYTES), "决定书.pdf")]
    resp = client.post("/cases/new", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302
    case = db.session.scalar(select(Case))
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert case.number in html and "决定书.pdf" in html and "预审" in html
    # The code is shown whole to the filing unit (and the office); a supervisor sees it masked.
    assert "91510400MA6X000102" in html
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, "supervisor1")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "91510400MA6X000102" not in html and "915104********0102" in html


def test_invalid_code_and_missing_fields_are_reported_and_nothing_is_written(client, org):
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    resp = client.post("/cases/new", data=trigger_data(page, code="91510400MA6X000103"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "校验" in html and "网页测试有限公司" in html  # input kept
    resp = client.post("/cases/new", data=trigger_data(page, title="", facts=""))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "请填写简要标题。" in html
    assert case_count() == 0


def test_bad_uploads_are_refused(client, org, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 4096)
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    fake = trigger_data(page)
    fake["files"] = [(io.BytesIO(b"MZ\x90\x00 not a pdf"), "evil.pdf")]
    html = client.post("/cases/new", data=fake, content_type="multipart/form-data").get_data(as_text=True)
    assert "的内容不是 PDF 文件，与文件名不符" in html  # (a program named .pdf)
    fake["files"] = [(io.BytesIO(b"MZ\x90\x00"), "evil.exe")]
    html = client.post("/cases/new", data=fake, content_type="multipart/form-data").get_data(as_text=True)
    assert "格式不符合要求" in html
    big = trigger_data(page)
    big["files"] = [(io.BytesIO(PDF_BYTES + b"0" * app.config["MAX_UPLOAD_BYTES"]), "big.pdf")]
    html = client.post("/cases/new", data=big, content_type="multipart/form-data").get_data(as_text=True)
    assert "MB" in html
    assert case_count() == 0


def test_only_caseworkers_file_triggers(client, org):
    login(client, "market_lead")
    assert client.get("/cases/new").status_code == 403


def test_inbox_shows_tasks_of_own_role_and_unit_only(client, org, clock):
    case = file_case()
    login(client, "market_lead")
    assert case.number in client.get("/tasks/").get_data(as_text=True)
    client.get("/logout")
    client2 = client.application.test_client()
    login(client2, "pbc_lead")
    assert case.number not in client2.get("/tasks/").get_data(as_text=True)
    ot = only_task(case.id, "pre_review")
    assert client2.get(f"/tasks/{ot.task_id}").status_code == 403
    # Filters
    html = client.get("/tasks/?kind=reward").get_data(as_text=True)
    assert case.number not in html


def test_complete_task_through_the_page_then_second_submit_gets_a_clear_message(client, org, clock):
    case = file_case()
    ot = only_task(case.id, "pre_review")
    login(client, "market_lead")
    page = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "outcome": "accept", "reasons": ""}
    resp = client.post(f"/tasks/{ot.task_id}", data=form)
    assert resp.status_code == 302 and f"/cases/{case.id}" in resp.headers["Location"]
    assert db.session.get(Case, case.id).status == "determination"
    resp = client.post(f"/tasks/{ot.task_id}", data=form, follow_redirects=True)

    assert resp.status_code == 200 and "该任务已办结" in resp.get_data(as_text=True)


def test_conflicting_submit_keeps_what_was_typed(client, org, clock):
    """Two colleagues open the same pre-review; the one who submits second sees a clear message."""
    add_colleague_of("market_lead", "market_lead2")
    case = file_case()
    ot = only_task(case.id, "pre_review")
    login(client, "market_lead")
    page = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    complete("market_lead2", ot, {"outcome": "accept"})
    resp = client.post(
        f"/tasks/{ot.task_id}",
        data={"csrf_token": csrf_from(page), "outcome": "return", "reasons": "我写的退回理由"},
        follow_redirects=True,
    )
    assert "该任务已办结" in resp.get_data(as_text=True)
    assert db.session.get(Case, case.id).status == "determination"


def test_nul_characters_and_huge_pages_get_a_clear_answer(client, org):
    login(client, "market_cw")
    assert client.get("/cases/?q=%00").status_code == 400
    assert client.get("/cases/?page=99999999999999999999999").status_code == 200
    assert client.get("/tasks/?page=-5").status_code == 200
    # Bytes that are not UTF-8 once decoded are refused, not kept as their percent-encoded text (query and form alike)
    assert client.get("/cases/?q=%ED%A0%80bad%FF").status_code == 400
    assert client.get("/cases/?q=%E5%BB%BA%E6%9D%90").status_code == 200  # (建材: UTF-8)
    page = client.get("/cases/new").get_data(as_text=True)
    resp = client.post("/cases/new", data=f"csrf_token={csrf_from(page)}&title=%ED%A0%80bad%FF%FE&facts=f&legal_basis=l",
                       content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 400 and db.session.scalar(select(func.count(Case.id))) == 0
    # The same on a page whose form the global CSRF check reads first (it parses the body before any other hook), and
    # in a multipart form (a bad byte arrives there as U+FFFD)
    from app.auth.models import Unit

    units = db.session.scalar(select(func.count(Unit.id)))
    admin = client.application.test_client()
    login(admin, "admin")
    page = admin.get("/admin/units").get_data(as_text=True)
    resp = admin.post("/admin/units", data=f"csrf_token={csrf_from(page)}&name=%ED%A0%80bad%FF&kind=member",
                      content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 400 and "%FF" not in resp.get_data(as_text=True)
    body = (b"--B\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + csrf_from(page).encode()
            + b"\r\n--B\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nbad\xff\xfe\r\n"
            + b"--B\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nmember\r\n--B--\r\n")
    resp = admin.post("/admin/units", data=body, content_type="multipart/form-data; boundary=B")
    assert resp.status_code == 400 and db.session.scalar(select(func.count(Unit.id))) == units
    resp = admin.post("/admin/units", data=f"csrf_token={csrf_from(page)}&name=%E6%B5%8B%E8%AF%95%E5%8D%95%E4%BD%8D&kind=member",
                      content_type="application/x-www-form-urlencoded")  # (测试单位: UTF-8, saved)
    assert resp.status_code == 302 and db.session.scalar(select(func.count(Unit.id))) == units + 1


def test_missing_csrf_token_changes_nothing(client, org, clock):
    case = file_case()
    ot = only_task(case.id, "pre_review")
    login(client, "market_lead")
    resp = client.post(f"/tasks/{ot.task_id}", data={"outcome": "accept"})
    assert resp.status_code == 200 and "表单已过期" in resp.get_data(as_text=True)  # the form back, nothing done
    assert only_task(case.id, "pre_review").id == ot.id


def test_claim_blocks_colleagues_and_release_frees_the_task(client, org, clock):
    add_colleague_of("market_lead", "market_lead2")
    case = file_case()
    ot = only_task(case.id, "pre_review")
    login(client, "market_lead")
    page = client.get("/tasks/").get_data(as_text=True)
    client.post(f"/tasks/{ot.task_id}/claim", data={"csrf_token": csrf_from(page)})
    assert only_task(case.id, "pre_review").claimed_by_id == user("market_lead").id

    other = client.application.test_client()
    login(other, "market_lead2")
    html = other.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    assert "已认领" in html and 'name="outcome"' not in html
    other.post(f"/tasks/{ot.task_id}", data={"csrf_token": csrf_from(html), "outcome": "accept"}, follow_redirects=True)
    assert only_task(case.id, "pre_review").id == ot.id  # not completed

    page = client.get("/tasks/").get_data(as_text=True)
    client.post(f"/tasks/{ot.task_id}/release", data={"csrf_token": csrf_from(page)})
    assert only_task(case.id, "pre_review").claimed_by_id is None


def test_case_page_is_limited_to_involved_units(client, org, clock):
    case = file_case()
    login(client, "env_cw")
    # A case the unit is not party to answers as one that does not exist (403 told which case numbers exist).
    client.get("/tasks/")  # (the login's welcome shown)
    hidden, missing = client.get(f"/cases/{case.id}"), client.get(f"/cases/{case.id + 1000}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data(as_text=True) == missing.get_data(as_text=True)
    # Nor do the case's forms (recording a decision's service, a statement on paper) tell one from the other.
    token = csrf_from(client.get("/tasks/").get_data(as_text=True))
    form = {"csrf_token": token, "subject_id": "1", "way": "post", "served_on": "2026-11-20", "note": "", "statement": "x"}
    for path in ("/cases/{}/service", "/cases/{}/notices/1/statement"):
        answers = [client.post(path.format(cid), data=form, follow_redirects=True) for cid in (case.id, case.id + 1000)]
        assert [a.status_code for a in answers] == [404, 404], path
        assert answers[0].get_data(as_text=True) == answers[1].get_data(as_text=True), path
    assert case.number not in client.get("/cases/").get_data(as_text=True)
    att_id = db.session.scalar(select(func.min(Attachment.id)))
    assert client.get(f"/cases/{case.id}/files/{att_id}").status_code == 404
    other = client.application.test_client()
    login(other, "market_lead")
    with other.get(f"/cases/{case.id}/files/{att_id}") as resp:
        assert resp.status_code == 200 and resp.data == PDF_BYTES
        assert "attachment" in resp.headers["Content-Disposition"]
    assert other.get("/cases/99999").status_code == 404


def test_supervisor_sees_every_case_with_days_overdue(client, org, clock):
    case = file_case()
    clock.move_to("2026-12-03T02:00:00+00:00")  # deadline was end of 30 Nov
    sweep_deadlines()
    login(client, "supervisor1")
    html = client.get("/supervision/").get_data(as_text=True)
    assert case.number in html and "专项小组预审" in html and "超过办理时限" not in html
    assert ">3<" in html.replace(" ", "").replace("\n", "")  # days overdue
    html = client.get("/supervision/?overdue=1").get_data(as_text=True)
    assert case.number in html
    timeline = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "超过办理时限" in timeline or "超期" in timeline
    c2 = client.application.test_client()
    login(c2, "market_cw")
    assert c2.get("/supervision/").status_code == 403
    # A supervisor is given no tasks: the inbox (a login's "next", an error page's way back) leads to supervision.
    resp = client.get("/tasks/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/supervision/")


def test_every_page_renders_for_its_roles(client, org, clock):
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    det = only_task(case.id, "schedule_meeting")
    expert_id = db.session.scalar(select(func.min(Expert.id)))
    for username, urls in {
        "market_cw": ["/tasks/", "/cases/", "/cases/new", f"/cases/{case.id}"],
        "market_lead": ["/tasks/", "/cases/", f"/cases/{case.id}", f"/tasks/{det.task_id}"],
        "office1": ["/tasks/", "/cases/", "/supervision/", f"/cases/{case.id}", "/experts/", "/experts/new", f"/experts/{expert_id}", "/experts/import"],
        "supervisor1": ["/supervision/", "/cases/", f"/cases/{case.id}"],
        "admin": ["/cases/", "/supervision/"],
    }.items():
        c = client.application.test_client()
        login(c, username)
        for url in urls:
            assert c.get(url).status_code == 200, (username, url)


def test_administrators_are_warned_about_a_year_without_holiday_schedule(client, org, clock):
    login(client, "admin")
    html = client.get("/cases/").get_data(as_text=True)
    assert "2027" in html and "/admin/calendar?year=2027" in html
    other = client.application.test_client()
    login(other, "market_cw")
    assert "仅按周末推算" not in other.get("/cases/").get_data(as_text=True)


def test_english_pages_use_english_labels(client, org, clock):
    file_case()
    client.get("/lang/en")
    login(client, "market_lead")
    html = client.get("/tasks/").get_data(as_text=True)
    assert "My tasks" in html and "Joint punishment" in html
    assert "Specialist group pre-review" in html and "专项小组预审" not in html


def test_the_navigation_menu_is_the_users_roles_in_the_users_language(app, client, org):
    """The menu is rendered once per role and language and then reused: each role still gets its own items and
    each language its own words, whoever asked first."""
    def menu(username, lang=None):
        c = app.test_client()
        login(c, username)
        if lang:
            c.get(f"/lang/{lang}")
        html = c.get("/cases/").get_data(as_text=True)
        return html[html.index('<ul class="navbar-nav me-auto">'):html.index('<div class="d-flex align-items-center')]

    caseworker, supervisor = menu("market_cw"), menu("supervisor1")
    assert "/cases/new" in caseworker and "发起" in caseworker and "/supervision/dashboard" not in caseworker
    assert "/supervision/dashboard" in supervisor and "/cases/new" not in supervisor
    assert menu("finance_cw") == caseworker  # the same role: the same menu
    english = menu("market_cw", "en")
    assert "File a trigger" in english and "发起" not in english
    assert menu("market_cw") == caseworker  # Chinese again for a Chinese session
    anonymous = app.test_client().get("/login").get_data(as_text=True)
    assert "/public/" in anonymous and "/cases/new" not in anonymous
