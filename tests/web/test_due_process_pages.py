"""The prior notice and statements through the pages: the determining body's notice task, the subject's
statement on the portal, a paper statement recorded by staff, and who may do what."""
import io

from sqlalchemy import select

from app.dueprocess import services as dueprocess
from app.extensions import db
from tests.conftest import csrf_from, login
from tests.helpers import COMPANY, COMPANY2, PDF, applicant_for, complete, file_case, issue_codes, only_task, open_tasks, schedule


def _logout(client):
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/tasks/", follow_redirects=True).get_data(as_text=True))})


def _noticed_by_page(client, subjects=(COMPANY,)):
    case = file_case(subjects=subjects)
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    schedule("market_lead", only_task(case.id, "schedule_meeting"), notice=False)
    ot = only_task(case.id, "issue_notice")
    login(client, "market_lead")
    page = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    assert "拟作出的决定（惩戒措施和期限）" in page and "期限：自决定印发之日起" in page  # drafted from the catalog
    resp = client.post(f"/tasks/{ot.task_id}", data={"csrf_token": csrf_from(page), "intended": "", "grounds": "g", "legal_basis": "l"})
    assert "请说明拟作出的决定" in resp.get_data(as_text=True) and only_task(case.id, "issue_notice").id == ot.id
    client.post(f"/tasks/{ot.task_id}", data={"csrf_token": csrf_from(page), "intended": "限制其参与政府采购，期限一年。",
                                               "grounds": "提供虚假材料。", "legal_basis": "《企业信息公示暂行条例》"})
    assert open_tasks(case.id, "issue_notice") == []
    return case


def test_the_subject_states_its_case_on_the_portal(client, org, clock):
    case = _noticed_by_page(client)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "事先告知与陈述申辩" in html and "限制其参与政府采购，期限一年。" in html and "录入书面陈述申辩" in html
    codes = issue_codes(case)
    applicant_for(case, codes, "app1")
    _logout(client)
    login(client, "app1")
    assert case.number in client.get("/portal/").get_data(as_text=True)  # told, so it follows the case
    html = client.get(f"/portal/cases/{case.id}").get_data(as_text=True)
    assert "拟认定事项告知书" in html and "提供虚假材料。" in html and "陈述申辩或放弃" in html
    # The units' own work is not listed as what the subject waits for (the meeting is being arranged meanwhile).
    from app.rights.queries import SUBJECT_STEPS

    internal = [t for t in open_tasks(case.id) if t.bpmn_id not in SUBJECT_STEPS]
    assert internal and not [t.name for t in internal if t.name in html]
    # the unit it states its case to (on paper too), and credit repair among its rights
    assert "认定主体</dt><dd class=\"col-sm-9\">市市场监管局</dd>" in html and "向处理该失信行为的单位申请信用修复" in html
    page = client.get(f"/portal/cases/{case.id}/statement").get_data(as_text=True)
    resp = client.post(f"/portal/cases/{case.id}/statement", data={"csrf_token": csrf_from(page), "statement": "", "submit": "1"})
    assert "请填写陈述申辩内容。" in resp.get_data(as_text=True)
    assert dueprocess.notices_of(case.id)[0].state == "open"
    resp = client.post(f"/portal/cases/{case.id}/statement", data={"csrf_token": csrf_from(page),
                                                                    "statement": "<b>已整改</b>", "submit": "1"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "您的陈述申辩已收到。" in html and "&lt;b&gt;已整改&lt;/b&gt;" in html
    assert dueprocess.notices_of(case.id)[0].channel == "portal"
    assert len(open_tasks(case.id, "determination")) == 1
    # Where the case is now, in words that do not read as decided (the staff's step is called 认定).
    assert "<strong>认定中：将由认定会议决定是否实施联合奖惩（尚未作出决定）</strong>" in client.get(f"/portal/cases/{case.id}").get_data(as_text=True)
    assert "认定中：将由认定会议决定是否实施联合奖惩（尚未作出决定）" in client.get("/portal/").get_data(as_text=True)
    # the meeting sees it beside the decision form
    _logout(client)
    login(client, "market_lead")
    html = client.get(f"/tasks/{only_task(case.id, 'determination').task_id}").get_data(as_text=True)
    assert "&lt;b&gt;已整改&lt;/b&gt;" in html and "对当事人陈述申辩的答复" in html


def test_staff_record_a_paper_statement_and_others_may_not(client, org, clock):
    case = _noticed_by_page(client, subjects=(COMPANY, COMPANY2))
    a, b = dueprocess.notices_of(case.id)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    # Without the scan of the signed statement nothing is recorded.
    resp = client.post(f"/cases/{case.id}/notices/{a.id}/statement", data={"csrf_token": csrf_from(page), "statement": "书面陈述",
                                                                          "submit": "1"}, follow_redirects=True)
    refused = resp.get_data(as_text=True)
    assert "请附上当事人签字的陈述申辩书或放弃声明" in refused
    # the form comes back open with the statement as typed (a long statement is not typed twice)
    assert '<details class="mt-1" open>' in refused and 'name="statement" rows="4" maxlength="8000">书面陈述</textarea>' in refused
    db.session.expire_all()
    assert dueprocess.notices_of(case.id)[0].state == "open"
    resp = client.post(f"/cases/{case.id}/notices/{a.id}/statement", data={"csrf_token": csrf_from(page), "statement": "书面陈述",
                                                                          "submit": "1", "files": [(io.BytesIO(PDF.data), "陈述.pdf")]},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "已录入书面陈述申辩。" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert dueprocess.notices_of(case.id)[0].state == "stated"
    _logout(client)
    # A supervisor sees the case but is not the determining body; a unit not party to it finds no such case.
    for who, status, words in (("supervisor1", 200, "只有认定单位可以录入书面陈述申辩。"), ("tax_cw", 404, "案件不存在。")):
        login(client, who)
        page = client.get("/tasks/", follow_redirects=True).get_data(as_text=True)
        resp = client.post(f"/cases/{case.id}/notices/{b.id}/statement", data={"csrf_token": csrf_from(page), "waive": "1"},
                           follow_redirects=True)
        db.session.expire_all()
        assert dueprocess.notices_of(case.id)[1].state == "open"
        assert resp.status_code == status and words in resp.get_data(as_text=True), who
        _logout(client)


def test_the_serving_unit_records_service_on_the_case_page(client, org, clock):
    from tests.helpers import PDF, in_effect_case

    case, codes = in_effect_case()
    login(client, "market_lead")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "决定送达" in page and "尚未登记" in page
    sid = case.subjects[0].subject_id
    resp = client.post(f"/cases/{case.id}/service", data={"csrf_token": csrf_from(page), "subject_id": sid, "way": "in_person",
                                                       "served_on": "2026-11-23", "note": "当面签收"}, follow_redirects=True)
    refused = resp.get_data(as_text=True)
    assert "请上传送达回证（回执或扫描件）。" in refused
    # the form comes back open with what was typed and the reason beside it
    form = refused[refused.index(f'<input type="hidden" name="subject_id" value="{sid}">') - 600:]
    assert "<details class=\"mt-1\" open>" in form and 'value="in_person" selected' in form and 'value="2026-11-23"' in form
    assert "当面签收</textarea>" in form and 'role="alert">请上传送达回证' in form
    resp = client.post(f"/cases/{case.id}/service", data={"csrf_token": csrf_from(page), "subject_id": sid, "way": "in_person",
                                                       "served_on": "2026-11-23", "note": "当面签收",
                                                       "proof": (__import__("io").BytesIO(PDF.data), "送达回证.pdf")},
                       content_type="multipart/form-data", follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "已登记决定送达情况。" in html and "当面签收" in html
    applicant_for(case, codes, "app2")
    _logout(client)
    login(client, "app2")
    html = client.get(f"/portal/cases/{case.id}").get_data(as_text=True)
    assert "决定已于2026年11月23日（直接送达）送达您。" in html
    assert "拟认定事项告知书" in html and "认定决定现已作出，陈述申辩期已经结束" in html  # (the notice's words, dated by now)
    assert "认定决定已作出，此期限不再适用" in html  # (the period's last day, said to be over)
    assert "期限至 2027年1月22日（自决定送达之日起计算）" in html
    # Once that day has passed the page says so instead of offering a form that would be refused.
    clock.move_to("2027-01-25T02:00:00+00:00")
    login(client, "app2")
    html = client.get(f"/portal/cases/{case.id}").get_data(as_text=True)
    assert "提出异议的期限已于 2027年1月22日 届满" in html and f"/portal/cases/{case.id}/objection\"" not in html
    assert client.post(f"/cases/{case.id}/service", data={"csrf_token": csrf_from(page), "subject_id": sid, "way": "portal",
                                                          "served_on": "2026-11-23"}).status_code in (302, 403)


def test_one_page_per_subject_within_the_readers_rights(client, org, clock):
    from app.credit import services as credit
    from tests.conftest import user
    from tests.helpers import in_effect_case

    case, codes = in_effect_case()
    subject = case.subjects[0].subject
    credit.check(credit.Requester.of_user(user("tax_cw")), subject.code, "licence", "XK-1")
    credit.check(credit.Requester.of_user(user("court_cw")), subject.code, "subsidy", "BT-1")
    db.session.commit()
    login(client, "market_lead")
    assert f'/subjects/{subject.id}"' in client.get(f"/cases/{case.id}").get_data(as_text=True)
    html = client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    assert subject.name in html and "黑名单" in html and f'href="/cases/{case.id}"' in html
    assert "已告知当事人拟认定事项" in html and "当事人放弃陈述申辩" in html
    assert "仅显示本单位的信用核查" in html and "市税务局" not in html.split("按时间顺序")[1]  # other units' checks hidden
    _logout(client)
    from app.listings.models import Listing

    listing_units = [lu.unit.name for lu in db.session.scalar(select(Listing).where(Listing.case_id == case.id)).units]
    assert listing_units and all(f"{name}: " in html.split("按时间顺序")[0] for name in listing_units)  # party: every unit's state
    login(client, "tax_cw")
    html = client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    assert "黑名单" in html and case.number in html and f'href="/cases/{case.id}"' not in html  # not party: no case link
    # (a unit not party sees the listing as its check told it: not how every other unit applies its measures)
    assert not any(f"{name}: " in html.split("按时间顺序")[0] for name in listing_units)
    assert "市税务局" in html.split("按时间顺序")[1] and "市中级人民法院" not in html.split("按时间顺序")[1]
    _logout(client)
    login(client, "supervisor1")
    html = client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    assert "市税务局" in html.split("按时间顺序")[1] and "市中级人民法院" in html.split("按时间顺序")[1]
    _logout(client)
    applicant_for(case, codes, "app3")
    login(client, "app3")
    assert client.get(f"/subjects/{subject.id}").status_code == 403
    assert client.get("/subjects/999999").status_code == 403  # (refused before the lookup: says nothing of which ids exist)
    _logout(client)
    # A subject of a case under way in another unit, with no listing and no check of the reader's, is no such
    # subject to the reader: counting ids does not reveal who is being looked into.
    from tests.helpers import PERSON, file_case

    pending = file_case(subjects=(PERSON,))
    db.session.commit()
    person = pending.subjects[0].subject
    login(client, "env_cw")
    assert client.get(f"/subjects/{person.id}").status_code == 404
    # A listed subject is learned through the credit check, which is logged: not by counting ids on this page.
    assert client.get(f"/subjects/{subject.id}").status_code == 404
    credit.check(credit.Requester.of_user(user("env_cw")), subject.code, "licence", "XK-2")
    db.session.commit()
    html = client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    assert "黑名单" in html and "生态环境局" in html.split("按时间顺序")[1]
    _logout(client)
    login(client, "market_cw")
    assert person.name in client.get(f"/subjects/{person.id}").get_data(as_text=True)  # its own case
    _logout(client)
    login(client, "auditor")
    assert client.get(f"/subjects/{person.id}").status_code == 403 and client.get("/subjects/999999").status_code == 403
    _logout(client)
    # A revoked listing (the determination found wrong) is not what the check tells other units: a unit that checked
    # the subject no longer sees it.
    listing = db.session.scalar(select(Listing).where(Listing.subject_id == subject.id))
    listing.status = "revoked"
    db.session.commit()
    login(client, "env_cw")
    html = client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    assert "黑名单" not in html.split("按时间顺序")[0] and "生态环境局" in html.split("按时间顺序")[1]


def test_administrators_edit_and_preview_the_decision_template(client, org, clock):
    login(client, "admin")
    page = client.get("/admin/documents/decision").get_data(as_text=True)
    assert "救济途径" in page and "文书模板" in client.get("/admin/").get_data(as_text=True)
    body = "<html><head></head><body><h1>{{ title }}</h1><p>{{ subject.name }}</p></body></html>"
    resp = client.post("/admin/documents/decision", data={"csrf_token": csrf_from(page), "body": body, "preview": "1"})
    assert resp.status_code == 200 and resp.mimetype == "application/pdf" and resp.data.startswith(b"%PDF")
    resp = client.post("/admin/documents/decision", data={"csrf_token": csrf_from(page), "body": "{{ broken", "reason": "改",
                                                         "save": "1"})
    assert "模板第 1 行有语法错误" in resp.get_data(as_text=True)
    resp = client.post("/admin/documents/decision", data={"csrf_token": csrf_from(page), "body": body, "reason": "简化",
                                                         "save": "1"}, follow_redirects=True)
    assert "决定书模板已保存" in resp.get_data(as_text=True)
    assert "{{ subject.name }}</p></body></html>" in client.get("/admin/documents/decision").get_data(as_text=True).replace("&lt;", "<").replace("&gt;", ">")
    _logout(client)
    login(client, "office1")
    assert client.get("/admin/documents/decision").status_code == 403


def test_corrections_are_reported_from_the_portal_and_the_subject_page(client, org, clock):
    from app.cases.models import Case
    from tests.helpers import in_effect_case

    case, codes = in_effect_case()
    subject = case.subjects[0].subject
    applicant_for(case, codes, "app4")
    login(client, "app4")
    assert "报告信息错误" in client.get(f"/portal/cases/{case.id}").get_data(as_text=True)
    page = client.get(f"/portal/cases/{case.id}/correction").get_data(as_text=True)
    resp = client.post(f"/portal/cases/{case.id}/correction", data={"csrf_token": csrf_from(page), "field": "name",
                                                                    "proposed": "", "reason": "x"})
    assert "请填写正确的信息。" in resp.get_data(as_text=True)
    resp = client.post(f"/portal/cases/{case.id}/correction", data={"csrf_token": csrf_from(page), "field": "name",
                                                                    "proposed": "测试建材股份有限公司", "reason": "名称已变更"},
                       follow_redirects=True)
    html = resp.get_data(as_text=True)
    corr = db.session.scalar(__import__("sqlalchemy").select(Case).where(Case.kind == "correction"))
    assert corr.number in html and "负责该记录的单位核实" in html
    _logout(client)
    login(client, "finance_cw")
    assert f"/subjects/{subject.id}/correction" in client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    page = client.get(f"/subjects/{subject.id}/correction").get_data(as_text=True)
    resp = client.post(f"/subjects/{subject.id}/correction", data={"csrf_token": csrf_from(page), "field": "legal_representative",
                                                                   "proposed": "李某", "reason": "登记有误"}, follow_redirects=True)
    assert "信息更正" in resp.get_data(as_text=True)
    _logout(client)
    # Not party to the subject's cases, or a role that watches or runs the system: refused on opening the form (the
    # subject page shows them no link), not after they have typed it.
    from sqlalchemy import func, select

    from app.credit import services as credit
    from tests.conftest import user

    credit.check(credit.Requester.of_user(user("court_cw")), subject.code, "licence", "XK-9")  # (so the page shows)
    db.session.commit()
    reported = db.session.scalar(select(func.count()).where(Case.kind == "correction"))
    for who in ("court_cw", "supervisor1", "admin"):
        login(client, who)
        assert client.get(f"/subjects/{subject.id}/correction").status_code == 403, who
        assert f"/subjects/{subject.id}/correction" not in client.get(f"/subjects/{subject.id}").get_data(as_text=True), who
        token = csrf_from(client.get("/tasks/", follow_redirects=True).get_data(as_text=True))
        resp = client.post(f"/subjects/{subject.id}/correction", data={"csrf_token": token, "field": "name",
                                                                       "proposed": "某", "reason": "r"})
        assert resp.status_code == 403, who
        _logout(client)
    assert db.session.scalar(select(func.count()).where(Case.kind == "correction")) == reported


def test_the_subject_sees_its_own_record_on_the_portal(client, org, clock):
    from app.credit import services as credit
    from tests.conftest import user
    from tests.helpers import in_effect_case

    case, codes = in_effect_case()
    subject = case.subjects[0].subject
    credit.check(credit.Requester.of_user(user("tax_cw")), subject.code, "licence", "XK-1")
    db.session.commit()
    applicant_for(case, codes, "app5")
    login(client, "app5")
    html = client.get("/portal/record").get_data(as_text=True)
    assert "我的信用记录" in html and "黑名单" in html and f'href="/portal/cases/{case.id}"' in html
    assert "市税务局" in html and "当事人放弃陈述申辩" in html
    assert "市财政局: 已实施" in html
    assert client.get(f"/subjects/{subject.id}").status_code == 403
    # While its objection suspends the punishment, the measures read suspended, as on the case page.
    from app.rights import objections

    objections.file_objection(user("app5"), case.id, "异议", [])
    db.session.commit()
    html = client.get("/portal/record").get_data(as_text=True)
    assert "市财政局: 暂停执行，已通知该单位，待其确认" in html and "已实施" not in html
    assert "届满日待恢复执行后重新计算（暂停期间不计入）" in html  # (its end is not known: not a bare dash)
    _logout(client)
    login(client, "market_cw")
    assert client.get("/portal/record").status_code == 403


def test_a_merger_is_recorded_from_the_subject_page(client, org, clock):
    from sqlalchemy import select

    from app.cases.models import Subject
    from app.credit import services as credit
    from tests.conftest import user
    from tests.helpers import in_effect_case, unit_id

    case, _codes = in_effect_case()
    subject = case.subjects[0].subject
    login(client, "court_cw")  # not party to a case about the subject, never checked it: no such subject to it
    assert client.get(f"/subjects/{subject.id}/registration").status_code == 404
    credit.check(credit.Requester.of_user(user("court_cw")), subject.code, "licence", "XK-9")
    db.session.commit()
    assert client.get(f"/subjects/{subject.id}/registration").status_code == 403  # (known by its check: not its to record)
    _logout(client)
    login(client, "market_cw")
    page = client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    assert "记录注销或合并" in page
    form_page = client.get(f"/subjects/{subject.id}/registration").get_data(as_text=True)
    data = {"csrf_token": csrf_from(form_page), "kind": "merged", "on_date": "2026-11-20", "basis": "准予合并登记通知书（示例）",
            "reason": "吸收合并", "successor_code": "", "successor_name": ""}
    html = client.post(f"/subjects/{subject.id}/registration", data=data).get_data(as_text=True)
    assert "请填写合并后主体的统一社会信用代码" in html and db.session.get(Subject, subject.id).status == "active"
    data.update(successor_code="91510400MA6X00090A", successor_name="测试建材集团有限公司")
    resp = client.post(f"/subjects/{subject.id}/registration", data=data, follow_redirects=True)
    html = resp.get_data(as_text=True)
    successor = db.session.scalar(select(Subject).where(Subject.code == "91510400MA6X00090A"))
    assert resp.request.path == f"/subjects/{successor.id}" and "测试建材有限公司于2026年11月20日合并入本主体" in html
    assert "承继自测试建材有限公司" in html
    old_page = client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    assert "已于2026年11月20日合并入测试建材集团有限公司" in old_page and "记录注销或合并" not in old_page
    _logout(client)
    login(client, "finance_cw")
    answer = credit.check(credit.Requester(unit_id=unit_id("市财政局"), user_id=user("finance_cw").id), subject.code, "procurement", "CG-2")
    db.session.commit()
    html = client.get(f"/check/{answer.check_id}").get_data(as_text=True)
    assert "合并入测试建材集团有限公司（91510400MA6X00090A）" in html


def test_the_subjects_record_follows_its_objection_suspension_resumption_and_outcome(client, org, clock):
    from tests.helpers import do, in_effect_case, objection_rejected, only_task

    case, codes = in_effect_case()
    a, obj = objection_rejected(case, codes, "app6")
    do(a, only_task(obj.id, "applicant_next"), {"next_step": "accept", "grounds": ""})
    login(client, "app6")
    html = client.get("/portal/record").get_data(as_text=True)
    assert "暂停执行惩戒" in html and "恢复执行惩戒" in html and obj.number in html
    assert "异议已办结：申请人接受答复" in html  # how the objection ended
    assert "23:59" not in html  # days are shown as days


def test_the_service_of_a_notice_is_recorded_on_the_case_page(client, org, clock):
    """While a notice's period runs, the determining body records its service under the notices; the period then
    counts from that day. Answered, the notice offers no such form."""
    from datetime import date

    from app import clock as app_clock

    case = _noticed_by_page(client, subjects=(COMPANY, COMPANY2))
    a, b = dueprocess.notices_of(case.id)
    clock.move_to("2026-11-25T02:00:00+00:00")
    client = client.application.test_client()  # (two days later: a new session)
    login(client, "market_lead")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert page.count(f'/notices/{a.id}/service"') == 1 and f'/notices/{b.id}/service"' in page
    form = {"csrf_token": csrf_from(page), "way": "post", "served_on": "2026-11-25"}
    refused = client.post(f"/cases/{case.id}/notices/{a.id}/service", data=form, follow_redirects=True)
    html = refused.get_data(as_text=True)
    assert "请上传送达回证" in html
    kept = html[html.index(f'/notices/{a.id}/service"') - 300:]
    assert "<details class=\"mt-1\" open>" in kept and 'value="post" selected' in kept and 'value="2026-11-25"' in kept
    db.session.expire_all()
    assert dueprocess.notices_of(case.id)[0].served_on is None
    done = client.post(f"/cases/{case.id}/notices/{a.id}/service", content_type="multipart/form-data", follow_redirects=True,
                       data=form | {"proof": (io.BytesIO(PDF.data), "回执.pdf")})
    assert "陈述申辩期间自送达之日起计算" in done.get_data(as_text=True)
    db.session.expire_all()
    a = dueprocess.notices_of(case.id)[0]
    assert a.served_on == date(2026, 11, 25) and app_clock.local_date(a.statement_due_at) == date(2026, 12, 2)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'/notices/{a.id}/service"' not in page and f'/notices/{b.id}/service"' in page  # (recorded: its form is gone)


def test_a_check_shows_the_listings_there_were_when_it_was_made_not_later_ones(client, org, clock):
    from datetime import timedelta

    from app.credit import services as credit
    from tests.conftest import user
    from tests.helpers import in_effect_case

    case, _codes = in_effect_case()
    subject = case.subjects[0].subject
    credit.check(credit.Requester.of_user(user("env_cw")), subject.code, "licence", "XK-3")
    db.session.commit()
    clock.shift(timedelta(days=3))
    later, _ = in_effect_case()  # (the same company, punished again after the check)
    login(client, "env_cw")
    html = client.get(f"/subjects/{subject.id}").get_data(as_text=True).split("按时间顺序")[0]
    assert case.number in html and later.number not in html  # (a new check tells it of the new one)
    credit.check(credit.Requester.of_user(user("env_cw")), subject.code, "licence", "XK-4")
    db.session.commit()
    assert later.number in client.get(f"/subjects/{subject.id}").get_data(as_text=True).split("按时间顺序")[0]


def test_a_decision_unserved_after_seven_days_is_shown_late_to_its_unit_and_listed_for_supervisors(client, org, clock):
    """《行政处罚法》第六十一条: served within 7 days of its issue, working days (第八十五条). Until the service is recorded the
    subject's objection window does not start, so a decision left unserved is shown late on the case page and listed on
    the overdue page."""
    from tests.helpers import in_effect_case

    case, _codes = in_effect_case()  # issued Mon 23 Nov 2026
    login(client, "market_lead")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "应于 2026年12月2日 前送达" in page and "已逾期" not in page  # (Mon 23 Nov + 7 working days)
    _logout(client)
    login(client, "supervisor1")
    assert case.number not in client.get("/supervision/sla").get_data(as_text=True).split('id="unserved"')[1]
    _logout(client)
    clock.move_to("2026-12-03T02:00:00+00:00")
    login(client, "supervisor1")
    unserved = client.get("/supervision/sla").get_data(as_text=True).split('id="unserved"')[1].split("</table>")[0]
    assert case.number in unserved and case.subjects[0].subject.name in unserved and ">1</td>" in unserved
    _logout(client)
    login(client, "market_lead")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "应于 2026年12月2日 前送达 · 已逾期 1 个工作日" in page
    client.post(f"/cases/{case.id}/service", data={"csrf_token": csrf_from(page), "subject_id": case.subjects[0].subject_id,
                                                   "way": "post", "served_on": "2026-12-02",
                                                   "proof": (io.BytesIO(PDF.data), "送达回证.pdf")}, content_type="multipart/form-data")
    assert "已逾期" not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    _logout(client)
    login(client, "supervisor1")
    assert case.number not in client.get("/supervision/sla").get_data(as_text=True).split('id="unserved"')[1]


def test_the_template_preview_states_the_rules_in_force_and_a_whole_period(org, clock):
    from datetime import timedelta

    from app import clock as app_clock
    from app.dueprocess import decision_document
    from app.workdays.rules import change, ensure_seeded
    from tests.conftest import user

    ensure_seeded()
    change(user("admin"), "objection_window", 30, "working", "本地决定")
    db.session.commit()
    sample = decision_document.sample_context()
    assert sample["objection_window_text"] == "30个工作日" and sample["objection_window_days"] == 30
    today = app_clock.today_local()
    assert sample["period_start"] != sample["period_end"]
    assert sample["period_end"] == decision_document._cn(today + timedelta(days=364))


def test_a_paper_statement_received_in_time_is_recorded_after_the_period(client, org, clock):
    """The period over (the procedure at its determination), the case page still offers to record a statement received
    on paper, asks the day it arrived, and refuses one that arrived after the period, keeping what was typed."""
    from app import clock as app_clock
    from app.scheduler.jobs import sweep_timers

    case = _noticed_by_page(client)
    [n] = dueprocess.notices_of(case.id)
    last_day = app_clock.local_date(n.statement_due_at)
    clock.move_to(n.statement_due_at + __import__("datetime").timedelta(hours=10))
    sweep_timers()
    db.session.commit()
    client = client.application.test_client()  # (the session of a week ago has timed out)
    login(client, "market_lead")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "期限已过，未登记陈述申辩" in page and 'name="received_on"' in page
    data = {"csrf_token": csrf_from(page), "statement": "寄达的陈述", "submit": "1", "received_on": app_clock.today_local().isoformat(),
            "files": [(io.BytesIO(PDF.data), "陈述.pdf")]}
    refused = client.post(f"/cases/{case.id}/notices/{n.id}/statement", data=data, content_type="multipart/form-data",
                          follow_redirects=True).get_data(as_text=True)
    assert "陈述申辩在期限届满后才收到" in refused and ">寄达的陈述</textarea>" in refused
    data.update(received_on=last_day.isoformat(), files=[(io.BytesIO(PDF.data), "陈述.pdf")])
    done = client.post(f"/cases/{case.id}/notices/{n.id}/statement", data=data, content_type="multipart/form-data",
                       follow_redirects=True).get_data(as_text=True)
    assert "已录入书面陈述申辩。" in done
    db.session.expire_all()
    assert dueprocess.notices_of(case.id)[0].state == "stated"


def test_the_record_and_case_page_read_a_day_of_suspension_resumption_and_complaint_in_order(client, org, clock):
    """An objection rejected the day it was filed and complained of that day: the record lists the second suspension
    on top (the punishment is suspended now), and the pause that ended the day it began says no day was lost."""
    from tests.helpers import do, in_effect_case, objection_rejected, task_of

    case, codes = in_effect_case()
    applicant, obj = objection_rejected(case, codes, "app6")
    do(applicant, task_of(obj.id, "applicant_next"), {"next_step": "complain", "grounds": "答复未回应关键证据。"})
    login(client, "app6")
    html = client.get("/portal/record").get_data(as_text=True)
    suspended, resumed = html.find("暂停执行惩戒"), html.find("恢复执行惩戒")
    listed = html.find('操作内容">黑名单')
    # newest on top: suspended again, resumed, suspended, listed (all that day)
    assert -1 < suspended < resumed < html.find("暂停执行惩戒", resumed) < listed
    assert "暂停执行，当日即恢复执行（未影响期限）" in client.get(f"/portal/cases/{case.id}").get_data(as_text=True)
