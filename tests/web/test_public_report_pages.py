"""The public report page (no login), the query page, and who on the staff side sees a report."""
import re
import threading
from datetime import timedelta

import pytest

from app.extensions import db
from tests.conftest import csrf_from, login
from tests.helpers import complete, file_case, in_effect_case, only_task, unit_id

NUM = re.compile(r'id="report-number">([^<]+)<')
CODE = re.compile(r'id="query-code">([^<]+)<')


def _send(client, name, code):
    page = client.get("/public/reports/").get_data(as_text=True)
    return client.post("/public/reports/", data={"csrf_token": csrf_from(page), "subject_kind": "enterprise", "subject_name": name,
                                                  "subject_code": code, "content": "在政府采购中提供虚假业绩材料。", "contact_name": "李先生",
                                                  "contact": "li@example.com"})


def test_the_answer_does_not_tell_whether_a_subject_is_known(client, org, clock):
    case, _codes = in_effect_case()  # 91510400MA6X000102 is on the black list
    known = _send(client, "测试建材有限公司", "91510400MA6X000102").get_data(as_text=True)
    unknown = _send(client, "不存在的公司", "91510400MA6X00090A").get_data(as_text=True)
    strip = lambda html: CODE.sub("", NUM.sub("", html)).replace("测试建材有限公司", "X").replace("不存在的公司", "X")  # noqa: E731
    assert NUM.search(known) and strip(known) == strip(unknown)
    assert "测试建材有限公司" not in known  # the answer does not echo or look up the subject


def test_a_reporter_follows_the_report_and_staff_see_it_by_role(client, org, clock):
    html = _send(client, "某公司", "").get_data(as_text=True)
    number, code = NUM.search(html)[1], CODE.search(html)[1]
    bad = client.post("/public/reports/", data={"csrf_token": csrf_from(client.get("/public/reports/").get_data(as_text=True)),
                                                "subject_kind": "enterprise", "subject_name": "", "content": "短", "contact_name": "",
                                                "contact": "x"}).get_data(as_text=True)
    assert "请写明被举报的单位或个人" in bad and "请填写电话号码或电子邮箱" in bad
    page = client.get("/public/reports/track").get_data(as_text=True)
    html = client.post("/public/reports/track", data={"csrf_token": csrf_from(page), "number": number, "code": "WRONG-CODE"}).get_data(as_text=True)
    assert "没有与该编号和查询码对应的举报" in html
    html = client.post("/public/reports/track", data={"csrf_token": csrf_from(page), "number": number, "code": code}).get_data(as_text=True)
    assert "举报待受理交办" in html
    from sqlalchemy import select

    from app.cases.models import Case

    case = db.session.scalar(select(Case).where(Case.number == number))
    complete("office1", only_task(case.id, "assign_report"), {"assignment": "assign", "unit_id": unit_id("市市场监管局"), "reasons": ""})
    login(client, "market_cw")
    detail = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "李先生" in detail and "举报人" in detail
    client.post("/logout", data={"csrf_token": csrf_from(detail)})
    login(client, "tax_cw")
    assert client.get(f"/cases/{case.id}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/tasks/").get_data(as_text=True))})
    # A supervisor follows the report's steps without learning who reported it; the administrator does not see it.
    login(client, "supervisor1")
    detail = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "举报人" in detail and "仅对联席办和承办单位显示" in detail
    assert "李先生" not in detail and "li@example.com" not in detail
    client.post("/logout", data={"csrf_token": csrf_from(detail)})
    login(client, "admin")
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert f"/cases/{case.id}\"" not in client.get(f"/cases/?q={number}").get_data(as_text=True)
    other = file_case()  # (any other case the administrator still sees, in the list and by itself)
    assert f"/cases/{other.id}\"" in client.get("/cases/").get_data(as_text=True)
    assert client.get(f"/cases/{other.id}").status_code == 200
    # nor in the supervision overview, its overdue view or its export (which list every case the reader may see)
    clock.shift(timedelta(days=60))  # (every open step overdue: both on the overdue view if shown)
    login(client, "admin")  # (again: the session has timed out meanwhile)
    for url in ("/supervision/", "/supervision/?overdue=1", "/supervision/export.csv"):
        page = client.get(url).get_data(as_text=True)
        assert number not in page and other.number in page, url
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/cases/").get_data(as_text=True))})
    login(client, "supervisor1")
    assert number in client.get("/supervision/?overdue=1").get_data(as_text=True)


def test_the_file_a_reporter_sent_is_read_only_by_those_who_read_the_reporter(org):
    from app.cases import hooks
    from app.cases.models import Attachment
    from tests.conftest import user

    files = [Attachment(id=1, purpose="report_evidence"), Attachment(id=2, purpose="evidence")]
    assert [a.id for a in hooks.visible_attachments(user("market_cw"), files)] == [1, 2]
    assert [a.id for a in hooks.visible_attachments(user("office1"), files)] == [1, 2]
    assert [a.id for a in hooks.visible_attachments(user("supervisor1"), files)] == [2]


def test_the_reporter_reads_the_reward_decided_for_a_confirmed_report(client, org, clock):
    """Seed 002 五(三) 对举报人实行有偿奖励: the office's reward decision on the staff page (the office's task form) and on
    the reporter's tracking page."""
    from sqlalchemy import select

    from app.cases.models import Case
    from tests.helpers import file_case

    html = _send(client, "某公司", "").get_data(as_text=True)
    number, code = NUM.search(html)[1], CODE.search(html)[1]
    case = db.session.scalar(select(Case).where(Case.number == number))
    complete("office1", only_task(case.id, "assign_report"), {"assignment": "assign", "unit_id": unit_id("市市场监管局"), "reasons": ""})
    trigger = file_case("market_cw")
    complete("market_cw", only_task(case.id, "verify_report"), {"outcome": "filed", "trigger_number": trigger.number, "reasons": "属实。"})
    # The trigger's timeline names the report it was filed from, except to the administrator, who does not see reports.
    for who, sees in (("market_cw", True), ("admin", False)):
        login(client, who)
        assert (number in client.get(f"/cases/{trigger.id}").get_data(as_text=True)) is sees, who
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/cases/").get_data(as_text=True))})
    page = client.get("/public/reports/track").get_data(as_text=True)
    html = client.post("/public/reports/track", data={"csrf_token": csrf_from(page), "number": number, "code": code}).get_data(as_text=True)
    assert "联席会议办公室正在决定对您的举报奖励" in html
    login(client, "office1")
    task = only_task(case.id, "decide_reward")
    form = client.get(f"/tasks/{task.task_id}").get_data(as_text=True)
    assert "奖励金额（元）" in form and "据此举报提起的线索" in form and f"{trigger.number} · 预审" in form
    resp = client.post(f"/tasks/{task.task_id}", data={"csrf_token": csrf_from(form), "reward": "reward", "amount": "",
                                                       "reward_reasons": "属实"})
    assert resp.status_code == 200 and "请按整元填写奖励金额" in resp.get_data(as_text=True)
    client.post(f"/tasks/{task.task_id}", data={"csrf_token": csrf_from(form), "reward": "reward", "amount": "2000",
                                                "reward_reasons": "举报线索属实，按规定给予奖励。"})
    detail = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "2,000 元" in detail and "给予举报奖励 · 2,000 元" in detail.split('id="timeline"')[1]
    assert "据此举报提起的线索" not in detail  # (the trigger's state is shown on the office's form, below)
    client.post("/logout", data={"csrf_token": csrf_from(form)})
    page = client.get("/public/reports/track").get_data(as_text=True)
    html = client.post("/public/reports/track", data={"csrf_token": csrf_from(page), "number": number, "code": code}).get_data(as_text=True)
    assert "您获得举报奖励 2,000 元。" in html and "举报线索属实，按规定给予奖励。" in html


def test_only_reports_filed_count_against_the_address_and_refused_forms_have_their_own_limit(client, org, clock, app, monkeypatch):
    """A citizen whose form was refused (a missing field) may correct it and send it again; a script sending refused
    forms is still stopped by the limit on every submission."""
    from app.extensions import limiter

    monkeypatch.setitem(app.config, "REPORT_RATE_LIMIT", "2 per minute")
    monkeypatch.setitem(app.config, "REPORT_ATTEMPT_RATE_LIMIT", "20 per minute")
    limiter.reset()
    try:
        page = client.get("/public/reports/").get_data(as_text=True)
        assert NUM.search(_send(client, "某公司", "").get_data(as_text=True))  # (one filed first: refused forms after it are not counted)
        refused = [client.post("/public/reports/", data={"csrf_token": csrf_from(page), "subject_kind": "enterprise", "subject_name": "",
                                                         "content": "短", "contact_name": "", "contact": "x"}) for _ in range(3)]
        assert [r.status_code for r in refused] == [200] * 3 and all("请写明被举报的单位或个人" in r.get_data(as_text=True) for r in refused)
        filed = [_send(client, f"某公司{i}", "") for i in range(2)]
        assert [r.status_code for r in filed] == [200, 429]
        assert NUM.search(filed[0].get_data(as_text=True))
        from sqlalchemy import func, select

        from app.cases.models import Case

        assert db.session.scalar(select(func.count()).select_from(Case).where(Case.number.like("JB-%"))) == 2
        # Once that limit is reached, no form is taken from the address until it clears.
        assert client.post("/public/reports/", data={"csrf_token": csrf_from(page), "content": "短"}).status_code == 429
        # Every submission counts toward the looser limit.
        limiter.reset()
        monkeypatch.setitem(app.config, "REPORT_RATE_LIMIT", "100 per minute")
        monkeypatch.setitem(app.config, "REPORT_ATTEMPT_RATE_LIMIT", "4 per minute")
        answers = [client.post("/public/reports/", data={"csrf_token": csrf_from(page), "subject_kind": "enterprise", "subject_name": "",
                                                         "content": "短", "contact_name": "", "contact": "x"}).status_code for _ in range(5)]
        assert answers == [200, 200, 200, 200, 429]
    finally:
        limiter.reset()


@pytest.mark.real_commits
def test_reports_sent_together_from_one_address_file_no_more_than_its_limit(org, clock, app, monkeypatch):
    """Five reports sent at the same moment from one address with a limit of two. Each waits in the view until all
    five are there, so all five have passed the limit's check made before the view: the count made before each
    commit is what holds them to two. (The filing itself is replaced by one that writes nothing, so that the five
    do not also wait on one another's writes: this is about the limit.)"""
    from types import SimpleNamespace

    from app.extensions import limiter
    from app.public_reports import services

    monkeypatch.setitem(app.config, "REPORT_RATE_LIMIT", "2 per minute")
    in_view = threading.Barrier(5)

    def submit(*_args):
        in_view.wait(30)
        return SimpleNamespace(number="JB-2026-0001"), "QUERYCODE"

    monkeypatch.setattr(services, "submit", submit)
    limiter.reset()
    answers = []

    def send():
        with app.app_context():  # (each its own: a page's CSRF token is kept in the app context's g)
            c = app.test_client()
            token = csrf_from(c.get("/public/reports/").get_data(as_text=True))
            answers.append(c.post("/public/reports/", data={
                "csrf_token": token, "subject_kind": "enterprise", "subject_name": "某公司", "subject_code": "",
                "content": "在政府采购中提供虚假业绩材料。", "contact_name": "李先生", "contact": "li@example.com"}).status_code)

    try:
        threads = [threading.Thread(target=send) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        limiter.reset()
    assert sorted(answers) == [200, 200, 429, 429, 429], answers


def test_the_name_of_the_reporters_file_is_not_on_the_timeline_of_those_who_do_not_read_the_reporter(client, org, clock):
    """The file's name may name the reporter (举报人张三身份证.pdf): its timeline entry is shown only to the office and the
    unit the report was assigned to, like the file itself."""
    import io

    from sqlalchemy import select

    from app.cases.models import Case
    from tests.helpers import PDF

    page = client.get("/public/reports/").get_data(as_text=True)
    html = client.post("/public/reports/", data={"csrf_token": csrf_from(page), "subject_kind": "enterprise", "subject_name": "某公司",
                                                 "subject_code": "", "content": "在政府采购中提供虚假业绩材料。", "contact_name": "张三",
                                                 "contact": "zs@example.com", "file": (io.BytesIO(PDF.data), "举报人张三身份证.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    case = db.session.scalar(select(Case).where(Case.number == NUM.search(html)[1]))
    complete("office1", only_task(case.id, "assign_report"), {"assignment": "assign", "unit_id": unit_id("市市场监管局"), "reasons": ""})
    for username, sees in (("office1", True), ("market_cw", True), ("supervisor1", False)):
        login(client, username)
        detail = client.get(f"/cases/{case.id}").get_data(as_text=True)
        assert ("张三身份证" in detail) is sees, username
        client.post("/logout", data={"csrf_token": csrf_from(detail)})


def test_a_reported_persons_number_is_whole_only_for_those_who_verify_the_report_and_each_such_view_is_logged(client, org, clock):
    from sqlalchemy import select

    from app.cases.models import Case
    from app.security_log.models import SecurityEvent

    page = client.get("/public/reports/").get_data(as_text=True)
    html = client.post("/public/reports/", data={"csrf_token": csrf_from(page), "subject_kind": "person", "subject_name": "王某某",
                                                 "subject_code": "510402198503124568",
                                                 # (the number typed in the report's text too, as reporters do; and a second person's)
                                                 "content": "拒不履行法院判决，转移财产。身份证510402198503124568，同伙１１０１０１１９９００３０７４５１４。",
                                                 "contact_name": "李先生", "contact": "li@example.com"}).get_data(as_text=True)
    case = db.session.scalar(select(Case).where(Case.number == NUM.search(html)[1]))
    complete("office1", only_task(case.id, "assign_report"), {"assignment": "assign", "unit_id": unit_id("市市场监管局"), "reasons": ""})
    db.session.commit()
    for username, whole in (("office1", True), ("market_cw", True), ("supervisor1", False)):
        login(client, username)
        detail = client.get(f"/cases/{case.id}").get_data(as_text=True)
        assert ("510402198503124568" in detail) is whole and ("510***********4568" in detail) is not whole, username
        assert ("１１０１０１１９９００３０７４５１４" in detail) is whole and ("１１０***********４５１４" in detail) is not whole, username
        client.post("/logout", data={"csrf_token": csrf_from(detail)})
    views = db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "full_code_view",
                                                           SecurityEvent.entity_key == str(case.id))).all()
    assert len(views) == 2


def test_the_administrator_does_not_read_a_reports_number_in_the_notices_on_the_sla_page(client, org, clock):
    from datetime import date

    from sqlalchemy import select

    from app.cases.models import Case
    from app.supervision import services as supervision
    from tests.conftest import user

    html = _send(client, "某举报对象公司", "").get_data(as_text=True)
    number = NUM.search(html)[1]
    case = db.session.scalar(select(Case).where(Case.number == number))
    complete("office1", only_task(case.id, "assign_report"), {"assignment": "assign", "unit_id": unit_id("市市场监管局"), "reasons": ""})
    other = file_case()
    clock.shift(timedelta(days=60))  # the unit's verification is overdue
    supervision.issue(user("office1"), unit_id("市市场监管局"), "notice", "请加快办理。", date(2027, 1, 22))
    db.session.commit()
    login(client, "admin")
    page = client.get("/supervision/sla").get_data(as_text=True)
    assert number not in page and f'href="/cases/{case.id}"' not in page
    assert other.number in page  # (notices about the cases the administrator sees are still there)
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(client, "supervisor1")
    assert number in client.get("/supervision/sla").get_data(as_text=True)


def test_a_report_carries_at_most_one_file(client, org, clock):
    """The form has one file field; a request sending several is refused with a message and files nothing."""
    import io

    from sqlalchemy import func, select

    from app.cases.models import Attachment, Case
    from tests.helpers import PDF

    page = client.get("/public/reports/").get_data(as_text=True)
    before = db.session.scalar(select(func.count()).select_from(Case))
    html = client.post("/public/reports/", data={
        "csrf_token": csrf_from(page), "subject_kind": "enterprise", "subject_name": "某公司", "subject_code": "",
        "content": "在政府采购中提供虚假业绩材料。", "contact_name": "张三", "contact": "zs@example.com",
        "file": [(io.BytesIO(PDF.data), f"f{i}.pdf") for i in range(3)]}, content_type="multipart/form-data").get_data(as_text=True)
    assert "最多上传一个文件" in html and not NUM.search(html)
    assert db.session.scalar(select(func.count()).select_from(Case)) == before
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_a_report_too_long_is_told_so_not_to_write_more(client, org, clock):
    page = client.get("/public/reports/").get_data(as_text=True)
    html = client.post("/public/reports/", data={"csrf_token": csrf_from(page), "subject_kind": "enterprise", "subject_name": "某公司",
                                                 "subject_code": "", "content": "虚" * 8001, "contact_name": "李先生",
                                                 "contact": "li@example.com"}).get_data(as_text=True)
    assert "最多8000个字符" in html.replace(" ", "") and "至少10个字" not in html and not NUM.search(html)


def test_a_report_form_sent_twice_files_one_report_and_shows_its_code_again_only_where_it_was_filed(client, org, clock):
    from sqlalchemy import func, select

    from app.cases.models import Case

    page = client.get("/public/reports/").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([0-9a-f]{32})"', page).group(1)
    form = {"csrf_token": csrf_from(page), "submission_key": key, "subject_kind": "enterprise", "subject_name": "某贸易公司",
            "subject_code": "", "content": "在政府采购中提供虚假业绩材料。", "contact_name": "李先生", "contact": "li@example.com"}
    first = client.post("/public/reports/", data=form).get_data(as_text=True)
    again = client.post("/public/reports/", data=form).get_data(as_text=True)  # a double click, or a retry after a lost answer
    assert db.session.scalar(select(func.count()).where(Case.kind == "public_report")) == 1
    number, code = NUM.search(first)[1], CODE.search(first)[1]
    assert (NUM.search(again)[1], CODE.search(again)[1]) == (number, code) and "该表单已提交过" in again
    # The form's key is not kept as it was sent (a keyed digest), and the code is random: not derived from the key.
    case = db.session.scalar(select(Case).where(Case.number == number))
    assert case.submission_key != key and len(case.submission_key) == 64
    # Another browser presenting the same key learns the number it filed, never its code.
    other = client.application.test_client()
    token = csrf_from(other.get("/public/reports/").get_data(as_text=True))
    stranger = other.post("/public/reports/", data={"csrf_token": token, "submission_key": key}).get_data(as_text=True)
    assert NUM.search(stranger)[1] == number and not CODE.search(stranger) and code not in stranger
    # Sent again with other content (back after filing): nothing new is filed, and the page says so.
    changed = client.post("/public/reports/", data={**form, "content": "另一件事：虚假宣传，误导消费者。"}).get_data(as_text=True)
    assert "本次未新增举报" in changed and db.session.scalar(select(func.count()).where(Case.kind == "public_report")) == 1
    track = client.get("/public/reports/track").get_data(as_text=True)
    assert "举报待受理交办" in client.post("/public/reports/track", data={"csrf_token": csrf_from(track), "number": number,
                                                                         "code": code}).get_data(as_text=True)
    # A new form (a new key) is a new report, with a code of its own.
    fresh = _send(client, "某贸易公司", "").get_data(as_text=True)
    assert NUM.search(fresh)[1] != number and CODE.search(fresh)[1] != code


def test_a_refused_report_names_the_file_to_choose_again(client, org, clock):
    """The file chosen with a report refused for a missing field is not kept (no account to keep it for): the form says
    so by its name, rather than filing the corrected report without it unseen."""
    import io

    page = client.get("/public/reports/").get_data(as_text=True)
    html = client.post("/public/reports/", data={
        "csrf_token": csrf_from(page), "subject_kind": "enterprise", "subject_name": "某公司", "subject_code": "",
        "content": "在政府采购中提供虚假业绩材料。", "contact_name": "", "contact": "li@example.com",
        "file": (io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "现场照片.pdf")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "举报尚未提交：请重新选择文件 现场照片.pdf 后再提交" in html
