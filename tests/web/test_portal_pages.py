"""Applicant portal and public lists through the test client: registration with an access code, status
pages, filing an objection, and every route tried as another applicant."""
import io
import re

import pytest
from sqlalchemy import select, update

from app.cases.models import Case, OpenTask
from app.clock import today_local
from app.errors import DomainError
from app.extensions import db
from app.rights import objections
from tests.conftest import csrf_from, login, user
from tests.helpers import COMPANY, COMPANY2, PDF, applicant_for, in_effect_case, listings_of, open_tasks


def test_register_with_access_code_and_follow_the_case(client, org, clock):
    case, codes = in_effect_case()
    subject = case.subjects[0].subject
    page = client.get("/portal/register").get_data(as_text=True)
    resp = client.post("/portal/register", data={"csrf_token": csrf_from(page), "kind": "enterprise", "subject_code": subject.code,
                                                 "access_code": "AAAA-BBBB-CCCC", "username": "app1", "password": "A-long-passw0rd",
                                                 "password2": "A-long-passw0rd"})
    assert "代码与访问码不匹配，或访问码已被使用。" in resp.get_data(as_text=True)
    # Without a valid access code the form does not tell whether a login name (a staff member's) exists.
    resp = client.post("/portal/register", data={"csrf_token": csrf_from(page), "kind": "enterprise", "subject_code": subject.code,
                                                 "access_code": "AAAA-BBBB-CCCC", "username": "admin", "password": "A-long-passw0rd",
                                                 "password2": "A-long-passw0rd"})
    assert "该用户名已被使用" not in resp.get_data(as_text=True)
    resp = client.post("/portal/register", data={"csrf_token": csrf_from(page), "kind": "enterprise", "subject_code": subject.code,
                                                 "access_code": codes[subject.id], "username": "admin",
                                                 "password": "A-long-passw0rd", "password2": "A-long-passw0rd"})
    assert "该用户名已被使用" in resp.get_data(as_text=True)  # (with the code: choose another name)
    resp = client.post("/portal/register", data={"csrf_token": csrf_from(page), "kind": "enterprise", "subject_code": subject.code,
                                                 # typed from the paper: lower case, groups apart by spaces
                                                 "access_code": codes[subject.id].lower().replace("-", " "), "username": "app1",
                                                 "password": "A-long-passw0rd", "password2": "A-long-passw0rd"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert case.number in html
    html = client.get(f"/portal/cases/{case.id}").get_data(as_text=True)
    assert "2026年12月22日" in html  # when the period ends, in plain words
    assert "会议确定本期限的理由: 会议纪要：按违法情节和整改情况确定期限。" in html  # (why it differs from the catalog)
    page = client.get(f"/portal/cases/{case.id}/objection").get_data(as_text=True)
    assert "同一认定只受理一次异议" in page  # (told before filing, not only in the reply)
    assert "受理单位:</strong> 市市场监管局" in page  # (the unit it goes to, by name)
    resp = client.post(f"/portal/cases/{case.id}/objection", data={"csrf_token": csrf_from(page), "grounds": "异议理由"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    obj = db.session.scalar(select(Case).where(Case.kind == "objection"))
    assert obj.number in html and "2026年11月30日" in html  # the reply is due in 5 working days
    assert listings_of(case.id)[0].status == "suspended"
    # Its measures read as being suspended (the units are told; each confirms), not as applied.
    measures = client.get(f"/portal/cases/{case.id}").get_data(as_text=True).split("<h2 class=\"h6 mt-3\">措施</h2>")[1].split("</ul>")[0]
    assert "暂停执行，已通知该单位，待其确认" in measures and "已实施" not in measures
    # A second objection is refused with a link to the open one.
    resp = client.post(f"/portal/cases/{case.id}/objection", data={"csrf_token": csrf_from(page), "grounds": "再来"}, follow_redirects=True)
    assert f"/portal/cases/{obj.id}" in resp.get_data(as_text=True)


def test_access_codes_on_the_timeline_name_the_subject_a_replacement_and_the_account_opened(client, org, clock):
    from app.cases.models import CaseEvent
    from app.enums import EventType
    from app.rights import accounts

    case, codes = in_effect_case()
    subject = case.subjects[0].subject
    old = codes[subject.id]
    new = accounts.issue_code(user("market_cw"), case, subject.id)  # issued again before use: the first one stops working
    db.session.commit()
    page = client.get("/portal/register").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "kind": "enterprise", "subject_code": subject.code, "username": "app1",
            "password": "A-long-passw0rd", "password2": "A-long-passw0rd"}
    assert "访问码不匹配" in client.post("/portal/register", data={**form, "access_code": old}).get_data(as_text=True)
    client.post("/portal/register", data={**form, "access_code": new})
    used = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.type == EventType.ACCESS_CODE_USED))
    assert used.details["subject"] == subject.name and used.actor_id is not None
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/portal/").get_data(as_text=True))})
    login(client, "market_cw")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "替换此前生成的访问码（原访问码已失效）" in html and "当事主体已凭访问码开通门户账号" in html
    assert html.count(f"{subject.name} · 替换此前生成的访问码") == 1


def test_no_applicant_reaches_another_subjects_case_by_any_route(client, org, clock):
    mine, codes = in_effect_case()
    theirs, their_codes = in_effect_case(subjects=(COMPANY2,))
    applicant_for(mine, codes, "me")
    other = applicant_for(theirs, their_codes, "other")
    their_obj = objections.file_objection(other, theirs.id, "他们的异议", [])
    db.session.commit()
    from tests.helpers import only_task

    login(client, "me")
    assert theirs.number not in client.get("/portal/").get_data(as_text=True)
    for url in (f"/portal/cases/{theirs.id}", f"/portal/cases/{theirs.id}/objection", f"/portal/cases/{their_obj.id}",
                "/cases/", "/supervision/", "/experts/", "/cases/new"):
        assert client.get(url).status_code == 403, url
    for url in (f"/cases/{theirs.id}", f"/cases/{mine.id}"):  # the staff pages of a case: none for them
        assert client.get(url).status_code == 404, url
    page = client.get(f"/portal/cases/{mine.id}/objection").get_data(as_text=True)
    assert client.post(f"/portal/cases/{theirs.id}/objection", data={"csrf_token": csrf_from(page), "grounds": "x"}).status_code == 403
    # Their tasks are theirs alone.
    from app.cases import tasks as task_service
    from tests.conftest import user

    task_service.complete(user("market_lead"), only_task(their_obj.id, "reply_objection").task_id, {"outcome": "rejected", "reasons": "r"})
    db.session.commit()
    t = only_task(their_obj.id, "applicant_next")
    assert client.get(f"/tasks/{t.task_id}").status_code == 403
    assert t.task_id not in client.get("/tasks/").get_data(as_text=True)


def test_public_lists_show_names_and_masked_codes_only(client, org, clock):
    case, _codes = in_effect_case()
    html = client.get("/public/").get_data(as_text=True)
    subject = case.subjects[0].subject
    assert subject.name in html and subject.code not in html and "915104********0102" in html
    assert case.facts not in html and case.number not in html
    assert subject.name in client.get("/public/?q=" + subject.code).get_data(as_text=True)
    assert subject.name not in client.get("/public/?q=别的公司").get_data(as_text=True)
    assert subject.name not in client.get("/public/?list=reward").get_data(as_text=True)
    beyond = client.get("/public/?page=999").get_data(as_text=True)  # past the last page: said so, not "nobody"
    assert "第 999 页超出了最后一页（共 1 页）" in beyond and "暂无列入名单的主体" not in beyond and "本页没有条目" in beyond
    # A listed subject learns from the list itself how to object or repair, and where (seed 000 四 信用异议、信用修复)
    assert "被列入名单？您的权利" in html and "收到决定之日起60个自然日内" in html and 'href="/portal/register"' in html
    assert "被列入名单？您的权利" not in client.get("/public/?list=reward").get_data(as_text=True)  # (a reward: nothing to object to)


def test_the_serious_dishonesty_list_holds_only_listings_marked_serious(client, org, clock):
    """Seed 003 8① 发布严重失信主体名单: its own public list, part of the black list."""
    from app.listings.models import Listing

    serious, _codes = in_effect_case()  # SC-P-001 marks serious dishonesty
    plain, _codes = in_effect_case(subjects=(COMPANY2,))
    db.session.execute(update(Listing).where(Listing.case_id == plain.id).values(serious=False))
    db.session.commit()
    page = client.get("/public/?list=serious").get_data(as_text=True)
    assert "严重失信主体名单" in page and 'aria-current="page"' in page
    assert serious.subjects[0].subject.name in page and plain.subjects[0].subject.name not in page
    black = client.get("/public/?list=punishment").get_data(as_text=True)
    assert serious.subjects[0].subject.name in black and plain.subjects[0].subject.name in black


def test_repair_pages_and_published_results(client, org, clock):
    mine, codes = in_effect_case()
    theirs, their_codes = in_effect_case(subjects=(COMPANY2,))
    applicant_for(mine, codes, "me")
    applicant_for(theirs, their_codes, "other")
    login(client, "me")
    html = client.get(f"/portal/cases/{mine.id}/repair").get_data(as_text=True)
    assert "申请表将于 2027年2月21日 开放" in html and 'name="correction"' not in html  # no form that cannot succeed yet
    resp = client.post(f"/portal/cases/{mine.id}/repair", data={"csrf_token": csrf_from(html), "correction": "已整改", "pledge": "y"})
    assert resp.status_code == 200 and "您可自 2027年2月21日 起提出申请" in resp.get_data(as_text=True)  # not yet eligible, said so
    assert client.get(f"/portal/cases/{theirs.id}/repair").status_code == 403
    assert "2027" not in client.get("/public/?list=repairs").get_data(as_text=True).split("<table")[1]
    clock.move_to("2027-02-21T01:00:00+00:00")
    login(client, "me")  # (a session idle that long has ended)
    form = client.get(f"/portal/cases/{mine.id}/repair").get_data(as_text=True)
    assert 'name="correction"' in form and "受理单位:</strong> 市市场监管局" in form
    # The evidence is marked required before the applicant sends the form (the service refuses it missing).
    assert re.search(r'for="files">[^<]*</label> <span class="xl-required"', form)
    # Refused for the missing pledge: the evidence already sent is kept for the next submission, not asked for again.
    import io

    from tests.helpers import PDF

    resp = client.post(f"/portal/cases/{mine.id}/repair", data={"csrf_token": csrf_from(form), "correction": "已整改",
                                                                 "files": [(io.BytesIO(PDF.data), "整改证明.pdf")]},
                       content_type="multipart/form-data")
    again = resp.get_data(as_text=True)
    token = re.search(r'name="staged-files" type="checkbox" value="([0-9a-f]+)"', again).group(1)
    assert resp.status_code == 200 and "整改证明.pdf" in again
    resp = client.post(f"/portal/cases/{mine.id}/repair", data={
        "csrf_token": csrf_from(again), "correction": "已整改", "pledge": "y", "staged-files": token,
        "commitment_files": [(io.BytesIO(PDF.data), "承诺书.pdf")]}, content_type="multipart/form-data")
    assert resp.status_code == 302
    rep = db.session.scalar(select(Case).where(Case.kind == "repair"))
    from app.cases.models import Attachment

    assert sorted(db.session.scalars(select(Attachment.filename).where(Attachment.case_id == rep.id))) == ["承诺书.pdf", "整改证明.pdf"]
    # The case's page now shows the application being handled, not a second form that would be refused.
    page = client.get(f"/portal/cases/{mine.id}").get_data(as_text=True)
    assert "您的信用修复申请正在办理" in page and rep.number in page and f"/portal/cases/{mine.id}/repair\"" not in page
    again = client.get(f"/portal/cases/{mine.id}/repair")  # (typed in: led to the application, not a second form)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/portal/cases/{rep.id}")
    # The repair's own page lists the unit's review as what the applicant waits for.
    assert "审核修复申请" in client.get(f"/portal/cases/{rep.id}").get_data(as_text=True)


def test_implementing_units_see_their_measures_suspended(client, org, clock):
    case, codes = in_effect_case()
    applicant = applicant_for(case, codes)
    objections.file_objection(applicant, case.id, "异议", [])
    db.session.commit()
    login(client, "finance_cw")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "异议或投诉处理期间暂停执行" in html  # the listing's status
    # and the header, beside the case's 生效中, says its subject's punishment is suspended
    assert "其中 1 个主体的惩戒暂停执行（异议或投诉处理中）" in html.split('id="listings-suspended"')[1][:80]
    # ... and so do the case lists, beside the same status
    for url, who in (("/cases/", client), ("/supervision/", None)):
        if who is None:
            who = client.application.test_client()
            login(who, "supervisor1")
        row = who.get(url).get_data(as_text=True).split(f">{case.number}</a>")[1].split("</tr>")[0]
        assert "生效中" in row and "其中 1 个主体的惩戒暂停执行（异议或投诉处理中）" in row, url
    push = next(t for t in open_tasks(case.id, "confirm_push") if t.unit_id == user("finance_cw").unit_id)
    inbox = client.get("/tasks/").get_data(as_text=True)
    assert push.task_id in inbox  # the push waits in the unit's inbox
    page = client.get(f"/tasks/{push.task_id}").get_data(as_text=True)
    # The step says what to do, to whom and since when, and the unit's own measures (not only the case's push table).
    subject = case.subjects[0].subject.name
    assert f"对 {subject}：暂停措施（推送于 2026年11月23日）" in page and "本单位实施的措施：限制参与政府采购活动" in page
    resp = client.post(f"/tasks/{push.task_id}", data={"csrf_token": csrf_from(page), "done": "y", "note": "已暂停"})
    assert resp.status_code == 302
    states = {lu.unit_id: lu.state for lu in listings_of(case.id)[0].units}
    assert states[user("finance_cw").unit_id] == "suspended"


def test_applicant_finds_and_completes_its_task_from_the_inbox(client, org, clock):
    from app.cases import tasks as task_service
    from tests.conftest import user
    from tests.helpers import only_task

    case, codes = in_effect_case()
    applicant = applicant_for(case, codes, "me")
    obj = objections.file_objection(applicant, case.id, "异议", [])
    db.session.commit()
    task_service.complete(user("market_lead"), only_task(obj.id, "reply_objection").task_id, {"outcome": "rejected", "reasons": "不成立"})
    db.session.commit()
    t = only_task(obj.id, "applicant_next")
    login(client, "me")
    parent = client.get(f"/portal/cases/{case.id}").get_data(as_text=True)
    assert "您的异议已答复：请接受答复或向联席会议办公室投诉" in parent and "您的异议正在处理中" not in parent
    assert t.task_id in client.get("/tasks/").get_data(as_text=True)
    assert t.task_id in client.get(f"/portal/cases/{obj.id}").get_data(as_text=True)
    page = client.get(f"/tasks/{t.task_id}").get_data(as_text=True)
    assert "本地默认值" not in page and "可配置" not in page  # no internal configuration notes for applicants
    assert 'name="received_on"' not in page  # (a complaint through the portal arrives as it is sent)
    # What each choice means, before the one that cannot be taken back (and the browser asks to confirm it).
    assert "接受答复后，本次异议即办结" in page and "依据不客观或认定事实有误" in page and "data-confirm=" in page
    resp = client.post(f"/tasks/{t.task_id}", data={"csrf_token": csrf_from(page), "next_step": "accept", "grounds": ""})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/portal/cases/{obj.id}")


def test_out_of_range_ids_get_a_clear_answer_not_an_error(client, org, clock):
    login(client, "supervisor1")
    big = "99999999999999999999"
    for url in (f"/cases/{big}", f"/supervision/reports/{big}", f"/experts/draws/{big}/verify", f"/admin/catalog/1/diff?a={big}&b=1"):
        assert client.get(url).status_code in (400, 403, 404), url  # never a 500 (PostgreSQL: 400, SQLite: 404)
    # In a form, a value that cannot be accepted, not "page not found", on either database.
    case, _codes = in_effect_case()
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/tasks/", follow_redirects=True).get_data(as_text=True))})
    login(client, "market_lead")
    token = csrf_from(client.get("/tasks/", follow_redirects=True).get_data(as_text=True))
    resp = client.post(f"/cases/{case.id}/listings/end", data={"csrf_token": token, "listing_id": big + "999", "way": "revoked",
                                                                "reasons": "撤销。", "files": (io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "决定.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and "无法接收" in resp.get_data(as_text=True)


def test_access_codes_are_shown_once_stored_hashed_and_replaced_when_issued_again(client, org, clock):
    import re

    from app.rights import accounts
    from app.rights.models import AccessCode

    case, _codes = in_effect_case()
    subject = case.subjects[0].subject
    login(client, "market_lead")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    resp = client.post(f"/cases/{case.id}/access-code/{subject.id}", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    # Shown in the access-code section (where the page opens), in its subject's row: a case may have several
    row = re.search(r"<tr><td>([^<]*)</td>\s*<td><div class=\"alert[^>]*role=\"alert\"><div>访问码：<strong[^>]*>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})<", html)
    assert row and row.group(1) == subject.name, html[html.find('id="access"'):][:1500]
    first = row.group(2)
    assert resp.request.path == f"/cases/{case.id}"
    assert first not in client.get(f"/cases/{case.id}").get_data(as_text=True)  # shown once
    row = db.session.scalar(select(AccessCode).where(AccessCode.case_id == case.id))
    assert first not in str([getattr(row, c.name) for c in AccessCode.__table__.columns])  # only the hash is kept
    client.post(f"/cases/{case.id}/access-code/{subject.id}", data={"csrf_token": csrf_from(page)})
    with pytest.raises(DomainError):  # the first code was replaced
        accounts.register("enterprise", subject.code, first, "late", "A-long-passw0rd", "")
    db.session.rollback()
    other = client.application.test_client()
    login(other, "housing_cw")  # implements a measure, but does not serve the decision
    their_page = other.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "access-code" not in their_page
    resp = other.post(f"/cases/{case.id}/access-code/{subject.id}", data={"csrf_token": csrf_from(their_page)}, follow_redirects=True)
    assert "您的单位不负责送达该决定" in resp.get_data(as_text=True)


def test_the_applicant_sees_grounds_basis_deciding_unit_and_the_decision_document(client, org, clock):
    from app.cases.attachments import Upload
    from app.cases.models import Attachment
    from tests.helpers import PDF, complete, determine, file_case, implement_all, issue_codes, only_task

    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"), days=30,
              files=[Upload("会议纪要.pdf", PDF.data), Upload("联合惩戒决定书.pdf", PDF.data, field="decision_files")])
    codes = issue_codes(case)
    complete("office1", only_task(case.id, "file_decision"), {})
    implement_all(case.id)
    applicant_for(case, codes)
    login(client, "applicant1")
    html = client.get(f"/portal/cases/{case.id}").get_data(as_text=True)
    assert "被列入严重违法失信企业名单" in html  # the behaviour cited
    assert "企业因严重违法行为被市场监管部门列入严重违法失信企业名单" in html  # its grounds
    assert "《企业信息公示暂行条例》第十八条" in html and "依据。" in html  # legal basis: the catalog's and the case's
    assert "市场监管专项小组" in html  # who decided
    assert "联合惩戒决定书.pdf" in html and "会议纪要.pdf" not in html
    assert "本地默认值" not in html and "可配置" not in html
    decision = db.session.scalar(select(Attachment).where(Attachment.filename == "联合惩戒决定书.pdf"))
    minutes = db.session.scalar(select(Attachment).where(Attachment.filename == "会议纪要.pdf"))
    assert decision.purpose == "decision" and minutes.purpose == "minutes"
    with client.get(f"/portal/cases/{case.id}/files/{decision.id}") as resp:
        assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    assert client.get(f"/portal/cases/{case.id}/files/{minutes.id}").status_code in (403, 404)
    assert client.get(f"/cases/{case.id}/files/{minutes.id}").status_code in (302, 403, 404)
    html = client.get(f"/portal/cases/{case.id}/objection").get_data(as_text=True)
    assert "本地默认值" not in html and "可配置" not in html


def test_after_repair_the_applicant_page_shows_the_end_by_repair_not_the_old_end(client, org, clock):
    from datetime import timedelta

    from app.rights import repair
    from tests.helpers import PDF, do, task_of

    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    old_end = listings_of(case.id)[0].period_end
    clock.shift(timedelta(days=100))
    rep = repair.apply(applicant, case.id, "已整改", True, [PDF], [])
    db.session.commit()
    # The staff's page names the applicant's pledge as its credit commitment (not as a legal basis).
    staff = client.application.test_client()
    login(staff, "market_cw")
    body = staff.get(f"/cases/{rep.id}").get_data(as_text=True)
    assert "信用承诺书</dt>" in body and "法律依据</dt>" not in body
    do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "approve", "reasons": "准予"})
    db.session.commit()
    login(client, "applicant1")
    html = client.get(f"/portal/cases/{case.id}").get_data(as_text=True)
    listing = listings_of(case.id)[0]
    assert listing.status == "repaired"
    old = f"{old_end.year}年{old_end.month}月{old_end.day}日"
    ended = f"{listing.ended_on.year}年{listing.ended_on.month}月{listing.ended_on.day}日"
    assert ended in html and "信用修复" in html
    assert old not in html  # the end it would have had is not presented as its end
    # Where it is: the applicant's punishment ended by repair, not "in effect" (the case's own status), here and in the list.
    assert "已信用修复，提前移出" in html.split("当前状态")[1][:120]
    assert "信用修复" in client.get("/portal/").get_data(as_text=True).split(case.number)[1][:600]
    # The units were told to lift the measures: until they confirm, the measures read as being lifted, not applied.
    measures = html.split("<h2 class=\"h6 mt-3\">措施</h2>")[1].split("</ul>")[0]
    assert "解除中" in measures and "已实施" not in measures


def test_an_objection_is_shown_as_filed_by_its_applicant_not_by_the_unit_that_handles_it(client, org, clock):
    case, codes = in_effect_case()
    applicant = applicant_for(case, codes, "app5")
    obj = objections.file_objection(applicant, case.id, "异议", [])
    db.session.commit()
    login(client, "market_lead")
    html = client.get(f"/cases/{obj.id}").get_data(as_text=True)
    assert "申报单位</dt>" not in html  # (a unit files a trigger; the subject applies)
    filed = html.split("申请人</dt>")[1].split("</dd>")[0]
    assert applicant.full_name in filed and "市市场监管局" not in filed
    assert "承办方" not in html  # (where it goes is its current step)
    # The subject's own words are its grounds, not the facts a unit found.
    assert "异议理由</dt>" in html and "基本事实</dt>" not in html
    trigger = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "承办方" in trigger and "基本事实</dt>" in trigger and "申报单位</dt>" in trigger
    # A deadline counted with weekends only (the year's holidays not entered) is marked for the subject as for staff.
    reply = db.session.scalar(select(OpenTask).where(OpenTask.case_id == obj.id, OpenTask.bpmn_id == "reply_objection"))
    reply.calendar_fallback = True
    db.session.commit()
    mine = client.application.test_client()
    login(mine, "app5")
    assert "仅按周末推算：计算该期限时当年节假日安排尚未录入（录入后不重新计算）。" in mine.get(f"/portal/cases/{obj.id}").get_data(as_text=True)


def test_an_expired_objection_form_keeps_the_grounds_and_files_nothing(client, org, clock):
    case, codes = in_effect_case()
    applicant_for(case, codes, "me")
    login(client, "me")
    client.get(f"/portal/cases/{case.id}/objection")
    grounds = "该处罚决定已被行政复议机关撤销，" * 30
    resp = client.post(f"/portal/cases/{case.id}/objection", data={"csrf_token": "expired", "grounds": grounds})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "表单已过期" in html and grounds in html
    assert db.session.scalar(select(Case).where(Case.kind == "objection")) is None
    assert listings_of(case.id)[0].status == "in_effect"


def test_the_public_list_finds_a_person_only_by_the_whole_name_or_number(client, org, clock):
    """A person is shown masked (王某, 510***********4568): searching parts of the name would spell it out two
    characters at a time, so a person is found only by the whole name or the whole number; organisations by any part."""
    in_effect_case(subjects=(("person", "王小明", "510402198503124568"), COMPANY))
    found = "510***********4568"
    assert found in client.get("/public/").get_data(as_text=True)
    for q in ("小明", "王小", "王"):
        assert found not in client.get("/public/?q=" + q).get_data(as_text=True), q
    assert found in client.get("/public/?q=王小明").get_data(as_text=True)
    assert found in client.get("/public/?q=510402198503124568").get_data(as_text=True)
    assert COMPANY[1] in client.get("/public/?q=" + COMPANY[1][2:5]).get_data(as_text=True)  # an organisation by a part


def test_public_list_searches_are_throttled_per_address(client, org, clock, app, monkeypatch):
    from app.extensions import limiter

    monkeypatch.setitem(app.config, "PUBLIC_SEARCH_RATE_LIMIT", "3 per minute")
    limiter.reset()
    try:
        assert [client.get(f"/public/?q=51040219850312456{i}").status_code for i in range(4)] == [200, 200, 200, 429]
        assert client.get("/public/").status_code == 200  # browsing the list is not a search
    finally:
        limiter.reset()


def test_a_write_that_lost_a_race_is_told_as_a_conflict_not_a_500(client, org, clock, monkeypatch):
    """Two applications sent at once: the later one's write fails on the case's next timeline entry (a unique key);
    it is answered 409 with a message, and nothing of it is kept."""
    from sqlalchemy.exc import IntegrityError

    from app.rights import objections

    case, codes = in_effect_case()
    applicant_for(case, codes)
    login(client, "applicant1")
    page = client.get(f"/portal/cases/{case.id}/objection").get_data(as_text=True)

    def lost(*_a, **_k):
        raise IntegrityError("INSERT INTO case_event", {}, Exception("UNIQUE constraint failed: case_event.case_id, case_event.seq"))

    monkeypatch.setattr(objections, "file_objection", lost)
    resp = client.post(f"/portal/cases/{case.id}/objection", data={"csrf_token": csrf_from(page), "grounds": "异议"})
    assert resp.status_code == 409 and "他人刚刚同时修改了此内容" in resp.get_data(as_text=True)
    assert db.session.scalar(select(Case).where(Case.kind == "objection")) is None


def test_after_its_objection_is_handled_the_page_offers_no_second_one(client, org, clock):
    from tests.helpers import do, task_of

    case, codes = in_effect_case()
    applicant = applicant_for(case, codes)
    obj = objections.file_objection(applicant, case.id, "异议。", [])
    db.session.commit()
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "不成立。"})
    do(applicant, task_of(obj.id, "applicant_next"), {"next_step": "accept"})
    login(client, applicant.username)
    html = client.get(f"/portal/cases/{case.id}").get_data(as_text=True)
    assert "已处理" in html and f"/portal/cases/{obj.id}" in html and f"/portal/cases/{case.id}/objection" not in html
    resp = client.get(f"/portal/cases/{case.id}/objection")  # no form that cannot succeed: the case page says why
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/portal/cases/{case.id}")
    resp = client.post(f"/portal/cases/{case.id}/objection", data={"csrf_token": csrf_from(html), "grounds": "再来"}, follow_redirects=True)
    assert obj.number in resp.get_data(as_text=True) and listings_of(case.id)[0].status == "in_effect"
    assert db.session.scalar(select(Case.id).where(Case.kind == "objection", Case.id != obj.id)) is None


def test_the_deciding_unit_registers_an_objection_received_on_paper_from_the_case_page(client, org, clock):
    import io

    from tests.helpers import PDF

    case, _codes = in_effect_case()
    subject = case.subjects[0].subject
    login(client, "market_lead")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="paper-objection"' in page and subject.name in page.split('id="paper-objection"')[1]
    resp = client.post(f"/cases/{case.id}/objection-on-paper", data={"csrf_token": csrf_from(page), "subject_id": subject.id,
                                                                     "received_on": "2026-11-23", "grounds": "信函异议"},
                       follow_redirects=True)
    refused = resp.get_data(as_text=True)
    assert "请附上书面异议的扫描件" in refused and listings_of(case.id)[0].status == "in_effect"
    # the form comes back open with what was typed (only the files must be chosen again)
    section = refused.split('id="paper-objection"')[1]
    assert "<details open>" in section and ">信函异议</textarea>" in section and 'value="2026-11-23"' in section
    resp = client.post(f"/cases/{case.id}/objection-on-paper", data={
        "csrf_token": csrf_from(page), "subject_id": subject.id, "received_on": "2026-11-23", "grounds": "信函异议",
        "files": [(io.BytesIO(PDF.data), "异议书.pdf")]}, content_type="multipart/form-data", follow_redirects=True)
    obj = db.session.scalar(select(Case).where(Case.kind == "objection"))
    assert obj.number in resp.get_data(as_text=True) and listings_of(case.id)[0].status == "suspended"
    assert 'id="paper-objection"' not in client.get(f"/cases/{case.id}").get_data(as_text=True)  # (one at a time)
    obj_page = client.get(f"/cases/{obj.id}").get_data(as_text=True)
    assert "书面收到，收到日期 2026年11月23日" in obj_page  # on its timeline
    assert "登记单位</dt>" in obj_page and "申报单位</dt>" not in obj_page  # (the unit registered the letter; it did not file it)
    other = client.application.test_client()
    login(other, "finance_cw")  # a unit applying the measures, not the deciding one: no such form
    assert 'id="paper-objection"' not in other.get(f"/cases/{case.id}").get_data(as_text=True)
    # After the reply, the office records the subject's written answer: the form speaks of the subject, scan required.
    from app import clock as app_clock
    from tests.helpers import do, task_of

    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "不成立。", "served_on": app_clock.today_local()})
    office = client.application.test_client()
    login(office, "office1")
    form = office.get(f"/tasks/{task_of(obj.id, 'applicant_next').task_id}").get_data(as_text=True)
    assert "主体的书面答复" in form and "主体向联席会议办公室投诉" in form
    assert re.search(r"主体书面答复的扫描件</label>\s*<span class=\"xl-required\"", form)
    assert 'name="received_on"' in form and "书面投诉收到日期" in form  # (a complaint on paper suspends from its day)


def test_the_handling_unit_registers_a_repair_application_brought_to_its_desk(client, org, clock):
    import io
    from datetime import timedelta

    from tests.helpers import PDF

    case, _codes = in_effect_case(days=365)
    subject = case.subjects[0].subject
    clock.shift(timedelta(days=100))
    login(client, "market_cw")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="desk-repair"' in page
    resp = client.post(f"/cases/{case.id}/repair-at-desk", data={
        "csrf_token": csrf_from(page), "subject_id": subject.id, "correction": "已整改",
        "commitment_files": [(io.BytesIO(PDF.data), "承诺书.pdf")],
        "files": [(io.BytesIO(PDF.data), "整改证明.pdf")]}, content_type="multipart/form-data", follow_redirects=True)
    assert "请填写收到申请的日期" in resp.get_data(as_text=True)
    resp = client.post(f"/cases/{case.id}/repair-at-desk", data={
        "csrf_token": csrf_from(page), "subject_id": subject.id, "correction": "已整改", "received_on": today_local().isoformat(),
        "files": [(io.BytesIO(PDF.data), "整改证明.pdf")]}, content_type="multipart/form-data", follow_redirects=True)
    assert "请附上签字的信用承诺书扫描件" in resp.get_data(as_text=True)
    assert db.session.scalar(select(Case.id).where(Case.kind == "repair")) is None
    resp = client.post(f"/cases/{case.id}/repair-at-desk", data={
        "csrf_token": csrf_from(page), "subject_id": subject.id, "correction": "已整改", "received_on": today_local().isoformat(),
        "files": [(io.BytesIO(PDF.data), "整改证明.pdf")], "commitment_files": [(io.BytesIO(PDF.data), "承诺书.pdf")]},
        content_type="multipart/form-data", follow_redirects=True)
    rep = db.session.scalar(select(Case).where(Case.kind == "repair"))
    assert rep is not None and rep.number in resp.get_data(as_text=True) and open_tasks(rep.id, "review_repair")


def test_the_hearing_form_offers_the_deciding_unit_ticked(client, org, clock):
    """The unit whose determination is complained of must be heard: the office's form starts with it ticked."""
    from tests.helpers import do, objection_rejected, task_of, unit_id

    case, codes = in_effect_case()
    applicant, obj = objection_rejected(case, codes, "me")
    do(applicant, task_of(obj.id, "applicant_next"), {"next_step": "complain", "grounds": "答复未回应关键证据。"})
    login(client, "office1")
    page = client.get(f"/tasks/{task_of(obj.id, 'schedule_hearing').task_id}").get_data(as_text=True)
    ticked = [re.search(r'value="(\d+)"', i).group(1) for i in re.findall(r'<input[^>]*name="attending_unit_ids"[^>]*>', page)
              if " checked" in i]
    assert ticked == [str(unit_id("市市场监管局"))]


def test_a_refused_objection_keeps_the_evidence_already_sent(client, org, clock):
    import io

    from tests.helpers import PDF

    case, codes = in_effect_case()
    applicant_for(case, codes, "me")
    login(client, "me")
    page = client.get(f"/portal/cases/{case.id}/objection").get_data(as_text=True)
    resp = client.post(f"/portal/cases/{case.id}/objection", data={"csrf_token": csrf_from(page), "grounds": "",
                                                                   "files": [(io.BytesIO(PDF.data), "证据.pdf")]},
                       content_type="multipart/form-data")
    again = resp.get_data(as_text=True)
    token = re.search(r'name="staged-files" type="checkbox" value="([0-9a-f]+)"', again).group(1)
    resp = client.post(f"/portal/cases/{case.id}/objection", data={"csrf_token": csrf_from(again), "grounds": "事实认定有误。",
                                                                   "staged-files": token})
    assert resp.status_code == 302
    from app.cases.models import Attachment

    obj = db.session.scalar(select(Case).where(Case.kind == "objection"))
    assert db.session.scalars(select(Attachment.filename).where(Attachment.case_id == obj.id)).all() == ["证据.pdf"]


def test_a_locked_database_is_busy_not_someone_elses_change(client, org, monkeypatch):
    """SQLite says "database is locked" when another writer holds it: the login (or any form) is answered 409 with
    a message that it was busy, not that someone changed the same thing, and nothing is kept."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from app.auth import routes as auth_routes

    def locked(*_a, **_k):  # (the driver's own error, as SQLite raises it)
        raise OperationalError("UPDATE user", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(auth_routes, "authenticate", locked)
    page = client.get("/login").get_data(as_text=True)
    resp = client.post("/login", data={"csrf_token": csrf_from(page), "username": "market_cw", "password": "demo1234"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "系统正忙" in html and "他人刚刚同时修改了此内容" not in html


def test_the_applicant_reads_back_what_it_submitted(client, org, clock):
    """An objection's grounds, a repair application's correction and pledge, and a complaint's grounds are shown to the
    applicant on the request's page (it used to see only the original case's facts)."""
    from datetime import timedelta

    from app.rights import repair
    from tests.helpers import PDF, objection_rejected

    case, codes = in_effect_case(days=365)
    applicant, obj = objection_rejected(case, codes, "me", grounds="处罚决定所依据的检查记录日期有误。")
    db.session.commit()
    login(client, "me")
    html = client.get(f"/portal/cases/{obj.id}").get_data(as_text=True)
    assert "您提交的内容" in html and "处罚决定所依据的检查记录日期有误。" in html.split("您提交的内容")[1]
    from tests.helpers import do, task_of

    do(applicant, task_of(obj.id, "applicant_next"), {"next_step": "complain", "grounds": "答复未回应检查日期问题。"})
    db.session.commit()
    html = client.get(f"/portal/cases/{obj.id}").get_data(as_text=True)
    assert "您的投诉理由: 答复未回应检查日期问题。" in html.split("决定与办理过程")[1]
    case2, codes2 = in_effect_case(days=365, subjects=(COMPANY2,))
    applicant2 = applicant_for(case2, codes2, "me2")
    clock.shift(timedelta(days=100))  # (past the shortest publication period)
    rep = repair.apply(applicant2, case2.id, "已全部整改并缴清罚款。", True, [PDF], [])
    db.session.commit()
    other = client.application.test_client()
    login(other, "me2")
    html = other.get(f"/portal/cases/{rep.id}").get_data(as_text=True)
    assert "已全部整改并缴清罚款。" in html.split("您提交的内容")[1] and "您的信用承诺" in html


def test_rule_lengths_and_day_kinds_set_by_the_administrators_are_what_people_are_told_and_counted(client, org, clock):
    """The objection window and the reporting interval follow their rule's kind of day as set (an office may count
    the window in working days); the public list and the portal say the lengths as they are now."""
    from datetime import date
    from types import SimpleNamespace

    from app.listings.services import next_report_at
    from app.workdays.rules import change, ensure_seeded

    ensure_seeded()
    served = SimpleNamespace(served_on=date(2026, 10, 12))
    calendar_case = SimpleNamespace(rules={"objection_window": {"days": 60, "day_kind": "calendar"}})
    working_case = SimpleNamespace(rules={"objection_window": {"days": 10, "day_kind": "working"}})
    assert objections.objection_last_day(calendar_case, served) == date(2026, 12, 11)
    assert objections.objection_last_day(working_case, served) == date(2026, 10, 26)  # two weeks of working days
    change(user("admin"), "objection_window", 30, "working", "本地决定")
    change(user("admin"), "objection_reply", 8, "working", "本地决定")
    change(user("admin"), "report_interval", 10, "working", "本地决定")
    db.session.commit()
    public = client.get("/public/").get_data(as_text=True)
    # (the rule for decisions made now; one served earlier states its own, which the page points to first)
    assert "送达您的决定书载明的期限内（按现行规则作出的决定，为收到决定之日起30个工作日内）" in public
    case, codes = in_effect_case()
    applicant_for(case, codes)
    login(client, "applicant1")
    assert "该单位应在8个工作日内书面答复" in client.get(f"/portal/cases/{case.id}/objection").get_data(as_text=True)
    # Decided on Monday 23 November: ten working days on end on Monday 7 December, the next ten on 21 December. The
    # points are counted from the start of the period, not from the day a report was done (a late one moves none).
    assert next_report_at(case.id).startswith("2026-12-07")
    clock.move_to("2026-12-09T02:00:00+00:00")
    assert next_report_at(case.id).startswith("2026-12-21")


def test_the_objection_form_of_an_objection_leads_back_to_it_with_the_reason(client, org, clock):
    case, codes = in_effect_case()
    applicant = applicant_for(case, codes, "app6")
    obj = objections.file_objection(applicant, case.id, "异议", [])
    db.session.commit()
    login(client, "app6")
    resp = client.get(f"/portal/cases/{obj.id}/objection")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/portal/cases/{obj.id}")
    assert "仅可对实施失信联合惩戒的决定提出异议" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_a_step_refused_by_the_service_says_to_correct_the_marked_fields_as_one_refused_by_the_form(client, org, clock):
    case, codes = in_effect_case()
    obj = objections.file_objection(applicant_for(case, codes, "app6"), case.id, "异议", [])
    db.session.commit()
    reply = db.session.scalar(select(OpenTask).where(OpenTask.case_id == obj.id, OpenTask.bpmn_id == "reply_objection"))
    login(client, "market_lead")
    page = client.get(f"/tasks/{reply.task_id}").get_data(as_text=True)
    for values in ({}, {"outcome": "partly", "reasons": "部分成立"}):  # (the form's check; the service's: no unit chosen)
        html = client.post(f"/tasks/{reply.task_id}", data={"csrf_token": csrf_from(page), **values}).get_data(as_text=True)
        assert html.count("请按提示修改标注的填写项") == 1, values
    assert "请选择解除措施的单位" in html and "is-invalid" in html


def test_a_repair_form_is_offered_only_under_a_decision_to_punish_and_an_unknown_list_is_not_found(client, org, clock):
    case, codes = in_effect_case()
    applicant = applicant_for(case, codes)
    obj = objections.file_objection(applicant, case.id, "处罚所依据的决定已被撤销。", [])
    db.session.commit()
    login(client, "applicant1")
    resp = client.get(f"/portal/cases/{obj.id}/repair", follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "信用修复须针对联合惩戒决定申请" in html and 'name="correction"' not in html
    assert client.get(f"/portal/cases/{case.id}/repair").status_code == 200
    assert client.get("/public/?list=xyz").status_code == 404
    assert client.get("/public/?list=reward").status_code == 200


def test_the_supplement_form_says_what_the_reviewer_asked_for(client, org, clock):
    from datetime import timedelta

    from app.rights import repair
    from tests.helpers import PDF, do, task_of

    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    clock.shift(timedelta(days=100))
    rep = repair.apply(applicant, case.id, "已整改。", True, [PDF], [])
    db.session.commit()
    do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "supplement", "reasons": "请补充复查合格意见书扫描件。"})
    login(client, "applicant1")
    html = client.get(f"/tasks/{task_of(rep.id, 'supplement_repair').task_id}").get_data(as_text=True)
    form = html.split('name="supplement"')[0]
    assert "审核单位要求补充的材料" in form and "请补充复查合格意见书扫描件。" in form.split("审核单位要求补充的材料")[1]


def test_the_applicants_confirmation_speaks_to_them_not_of_a_workflow_step(client, org, clock):
    from tests.helpers import objection_rejected, task_of

    case, codes = in_effect_case()
    _applicant, obj = objection_rejected(case, codes)
    login(client, "applicant1")
    page = client.get(f"/tasks/{task_of(obj.id, 'applicant_next').task_id}").get_data(as_text=True)
    assert 'data-confirm="确定提交吗？提交后无法撤回。"' in page and "本环节" not in page


def test_english_pages_use_english_punctuation_around_composed_text(client, org, clock):
    case, codes = in_effect_case()
    applicant = applicant_for(case, codes)
    objections.file_objection(applicant, case.id, "处罚所依据的决定已被撤销。", [])
    db.session.commit()
    login(client, "applicant1")
    client.get("/lang/en")
    html = client.get(f"/portal/cases/{case.id}").get_data(as_text=True)
    assert "(Suspended: the unit has been told)" in html and "（Suspended" not in html


def test_the_objection_form_and_case_page_say_when_the_time_to_object_begins_and_ends(client, org, clock):
    """Before the decision's service is recorded the time has not begun (60 days from service, as set); once it is,
    the last day is given, on the case page and the form alike."""
    from datetime import date

    from app.dueprocess import services as dueprocess

    case, codes = in_effect_case()
    applicant_for(case, codes, "me")
    login(client, "me")
    for url in (f"/portal/cases/{case.id}", f"/portal/cases/{case.id}/objection"):
        assert "决定书送达之日起60个自然日内；决定书的送达尚未记录，期限尚未起算" in client.get(url).get_data(as_text=True)
    dueprocess.record_service(user("market_lead"), case.id, case.subjects[0].subject_id, "in_person", date(2026, 11, 23), "", [PDF])
    db.session.commit()
    for url in (f"/portal/cases/{case.id}", f"/portal/cases/{case.id}/objection"):
        assert "2027年1月22日" in client.get(url).get_data(as_text=True)
