"""Expert pages: the expert database (office/admin), CSV/XLSX import with row errors, the draw verification
page, and experts' access: their own invitations and, once confirmed, that case's file — nothing else."""
import io

from openpyxl import Workbook
from sqlalchemy import func, select

from app.cases.models import Attachment, OpenTask
from app.experts.models import Draw, Expert, Invitation
from app.extensions import db
from tests.conftest import csrf_from, login
from tests.helpers import complete, file_case, only_task, schedule

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def scheduled_case():
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    schedule("market_lead", only_task(case.id, "schedule_meeting"))
    return case


def expert_login(inv) -> str:
    from app.auth.models import User

    return db.session.scalar(select(User.username).where(User.expert_id == inv.expert_id))


def test_expert_sees_only_own_invitation_and_the_file_only_after_confirming(client, org, clock):
    case = scheduled_case()
    other_case = scheduled_case()
    inv = db.session.scalars(select(Invitation).where(Invitation.case_id == case.id)).first()
    login(client, expert_login(inv))
    inbox = client.get("/tasks/").get_data(as_text=True)
    assert case.subjects[0].subject.name in inbox and "915104****" not in inbox  # named, without its (masked) code
    ot = db.session.scalar(select(OpenTask).where(OpenTask.instance_id == inv.instance_id))
    assert ot.task_id in inbox
    others = db.session.scalars(select(OpenTask).where(OpenTask.bpmn_id == "respond_invitation", OpenTask.id != ot.id)).all()
    assert not any(o.task_id in inbox for o in others if o.assignee_id != ot.assignee_id)
    # Before confirming: the invitation page, not the file.
    page = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    assert case.number in page and "事实。" not in page
    subject = case.subjects[0].subject  # named, so that an expert with an interest in it declines; its code is not shown
    assert subject.name in page and subject.code not in page and "利害关系" in page
    att = db.session.scalar(select(Attachment.id).where(Attachment.case_id == case.id))
    for url in (f"/cases/{case.id}", f"/cases/{case.id}/files/{att}"):
        assert client.get(url).status_code == 404
    # Confirm, then the file opens — that case only.
    client.post(f"/tasks/{ot.task_id}", data={"csrf_token": csrf_from(page), "answer": "confirm", "reason": ""})
    assert db.session.get(Invitation, inv.id).status == "confirmed"
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "事实。" in html and "办理轨迹" not in html  # no timeline: who declined and why is not theirs to see
    # The opinion step has no deadline of its own: its page says it is due at the meeting the expert was drawn onto.
    from app.experts.models import Draw

    opinion = db.session.scalar(select(OpenTask).where(OpenTask.instance_id == inv.instance_id, OpenTask.bpmn_id == "submit_opinion"))
    meeting = db.session.get(Draw, inv.draw_id).meeting_date
    shown = f"{meeting.year}年{meeting.month}月{meeting.day}日"
    assert f"请在 {shown} 召开的会议之前或会上提交书面意见" in client.get(f"/tasks/{opinion.task_id}").get_data(as_text=True)
    assert "当事主体访问码" not in html  # (serving the decision is the units' work)
    with client.get(f"/cases/{case.id}/files/{att}") as resp:
        assert resp.status_code == 200
    # Not a proof of service (the subject's address and signature) or a unit's implementation record.
    from app.cases import attachments
    from tests.conftest import user

    for purpose, name in (("service", "送达回证.pdf"), ("implementation", "实施记录.pdf")):
        (stored,) = attachments.store(case.id, user("market_cw"), [attachments.Upload(name, PDF)], purpose)
        db.session.commit()
        assert name not in client.get(f"/cases/{case.id}").get_data(as_text=True)
        assert client.get(f"/cases/{case.id}/files/{stored.id}").status_code == 404
    other_att = db.session.scalar(select(Attachment.id).where(Attachment.case_id == other_case.id))
    for url in (f"/cases/{other_case.id}", f"/cases/{other_case.id}/files/{other_att}"):
        assert client.get(url).status_code == 404, url  # (as a case that does not exist)
    for url in ("/supervision/", "/experts/", "/experts/new", "/experts/import", "/cases/new"):
        assert client.get(url).status_code == 403, url
    assert case.number in client.get("/cases/").get_data(as_text=True)
    assert other_case.number not in client.get("/cases/").get_data(as_text=True)
    # Another expert's task cannot be opened or answered.
    foreign = db.session.scalar(select(OpenTask).where(OpenTask.case_id == other_case.id, OpenTask.bpmn_id == "respond_invitation",
                                                       OpenTask.assignee_id != ot.assignee_id))
    assert client.get(f"/tasks/{foreign.task_id}").status_code == 403
    assert client.post(f"/tasks/{foreign.task_id}", data={"csrf_token": csrf_from(html), "answer": "confirm"}).status_code == 403


def test_verify_page_is_for_office_supervisors_and_the_experts_who_confirmed(client, org, clock):
    from tests.helpers import experts_confirm

    case = scheduled_case()
    d = db.session.scalar(select(Draw).where(Draw.case_id == case.id))
    drawn = db.session.scalars(select(Invitation).where(Invitation.draw_id == d.id)).first()
    c = client.application.test_client()
    login(c, expert_login(drawn))
    assert c.get(f"/experts/draws/{d.id}/verify").status_code == 403  # invited, not yet confirmed: not the panel yet
    reserve = next(p["expert_id"] for p in d.picks if p["role"] != "member")
    experts_confirm(case.id)
    for username, status in (("office1", 200), ("supervisor1", 200), (expert_login(drawn), 200), ("market_cw", 404)):
        c = client.application.test_client()
        login(c, username)
        resp = c.get(f"/experts/draws/{d.id}/verify")
        assert resp.status_code == status, username
        if status == 200:
            assert "抽取记录经复核一致" in resp.get_data(as_text=True) or "verifies" in resp.get_data(as_text=True)
    # The confirmed expert's case page links the record, as the invitation promised; the other experts' opinions stay out.
    c = client.application.test_client()
    login(c, expert_login(drawn))
    page = c.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/experts/draws/{d.id}/verify"' in page and "核验本次抽取" in page
    not_drawn = db.session.scalar(select(Expert).where(Expert.id.not_in([p["expert_id"] for p in d.picks]), Expert.name == "秦工程师"))
    from app.auth.models import User

    c = client.application.test_client()
    login(c, db.session.scalar(select(User.username).where(User.expert_id == not_drawn.id)))
    assert c.get(f"/experts/draws/{d.id}/verify").status_code == 404  # not even told the draw exists
    c = client.application.test_client()
    login(c, db.session.scalar(select(User.username).where(User.expert_id == reserve)))
    assert c.get(f"/experts/draws/{d.id}/verify").status_code == 404  # a reserve never invited
    # An expert who has given their opinion still took part: they may verify the draw too.
    from app.experts import services as expert_services

    inv = db.session.get(Invitation, drawn.id)
    expert_services.submit_opinion(db.session.scalar(select(User).where(User.expert_id == inv.expert_id)), inv, "support", "同意")
    db.session.commit()
    assert db.session.get(Invitation, drawn.id).status == "opinion"
    c = client.application.test_client()
    login(c, expert_login(drawn))
    assert c.get(f"/experts/draws/{d.id}/verify").status_code == 200


def test_office_adds_an_expert_with_login_and_unavailable_period(client, org):
    login(client, "office1")
    page = client.get("/experts/new").get_data(as_text=True)
    resp = client.post("/experts/new", data={"csrf_token": csrf_from(page), "name": "新专家", "fields": ["legal", "finance"],
                                             "affiliation": "某律所", "affiliated_unit_id": "0", "contact": "1", "active": "y",
                                             "username": "newexpert"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    expert = db.session.scalar(select(Expert).where(Expert.name == "新专家"))
    assert expert is not None and expert.fields == ["finance", "legal"] and "newexpert" in html
    resp = client.post(f"/experts/{expert.id}/unavailable", data={"csrf_token": csrf_from(html), "u-start": "2026-12-01", "u-end": "2026-11-01"},
                       follow_redirects=True)
    assert expert.unavailable == []
    client.post(f"/experts/{expert.id}/unavailable", data={"csrf_token": csrf_from(html), "u-start": "2026-12-01", "u-end": "2026-12-03", "u-reason": "休假"})
    db.session.refresh(expert)
    assert len(expert.unavailable) == 1
    # The account follows every account's rules: a look-alike or spaced name is refused, the initial password must be
    # changed at the first login; the expert, its account, its edits and its periods are in the record of changes.
    from app.audit.models import AdminChange
    from app.auth.models import User

    refused = client.post("/experts/new", data={"csrf_token": csrf_from(page), "name": "另一专家", "fields": ["legal"],
                                                "affiliation": "某所", "affiliated_unit_id": "0", "contact": "1", "active": "y",
                                                "username": "аdmin 2"}).get_data(as_text=True)
    assert "半角" in refused and db.session.scalar(select(Expert).where(Expert.name == "另一专家")) is None
    account = db.session.scalar(select(User).where(User.username == "newexpert"))
    assert account.must_change_password
    edit = client.get(f"/experts/{expert.id}").get_data(as_text=True)
    client.post(f"/experts/{expert.id}", data={"csrf_token": csrf_from(edit), "name": "新专家", "fields": ["legal", "finance"],
                                                     "affiliation": "另一律所", "affiliated_unit_id": "0", "contact": "1", "active": "y"})
    changes = db.session.execute(select(AdminChange.entity, AdminChange.entity_key, AdminChange.action, AdminChange.after)
                                 .where(AdminChange.entity.in_(("expert", "user"))).order_by(AdminChange.id)).all()
    assert [(c.entity, c.action) for c in changes] == [("expert", "create"), ("user", "create"), ("expert", "unavailable_add"),
                                                       ("expert", "change")]
    assert changes[1].entity_key == str(account.id) and changes[3].after == {"affiliation": "另一律所"}


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_reports_each_bad_row_and_imports_nothing(client, org):
    login(client, "office1")
    before = db.session.scalar(select(func.count(Expert.id)))
    rows = [["姓名", "领域", "工作单位", "关联成员单位", "关联主体代码", "联系方式", "是否在库"],
            ["甲专家", "法律；金融", "某律所", "", "", "1", "是"],
            ["", "法律", "某律所", "", "", "", "是"],
            ["乙专家", "天文", "某台", "", "", "", "是"],
            ["丙专家", "金融", "某行", "不存在的单位", "", "", "是"],
            ["丁专家", "金融", "某行", "", "91510400MA6X000103", "", "也许"]]
    page = client.get("/experts/import").get_data(as_text=True)
    html = client.post("/experts/import", data={"csrf_token": csrf_from(page), "file": (io.BytesIO(_xlsx(rows)), "experts.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    for n in (3, 4, 5, 6):
        assert f"第 {n} 行" in html or f"Row {n}" in html, n
    assert "第 2 行" not in html and "Row 2:" not in html
    assert db.session.scalar(select(func.count(Expert.id))) == before
    good = "姓名,领域,工作单位,关联成员单位\n甲专家,法律；金融,某律所,\n乙专家,生态环境,某院,市生态环境局\n".encode()
    page = client.get("/experts/import").get_data(as_text=True)
    resp = client.post("/experts/import", data={"csrf_token": csrf_from(page), "file": (io.BytesIO(good), "experts.csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    assert db.session.scalar(select(func.count(Expert.id))) == before + 2
    b = db.session.scalar(select(Expert).where(Expert.name == "乙专家"))
    assert b.fields == ["environment"] and b.affiliated_unit_id is not None


def test_caseworkers_and_group_leads_cannot_manage_experts(client, org):
    for username in ("market_cw", "market_lead", "supervisor1"):
        c = client.application.test_client()
        login(c, username)
        for url in ("/experts/", "/experts/new", "/experts/import", "/experts/1"):
            assert c.get(url).status_code == 403, (username, url)


def test_experts_see_exclusion_reasons_but_not_the_subjects_codes(client, org, clock):
    from app.experts.models import Expert

    e = db.session.scalar(select(Expert).where(Expert.name == "冯研究员"))
    e.affiliated_subject_code = "91510400MA6X000102"  # works for the subject of the case
    db.session.commit()
    case = scheduled_case()
    d = db.session.scalar(select(Draw).where(Draw.case_id == case.id))
    drawn = db.session.scalars(select(Invitation).where(Invitation.draw_id == d.id)).first()
    from tests.helpers import experts_confirm

    experts_confirm(case.id)  # (the panel is shown to experts who confirmed they attend)
    login(client, expert_login(drawn))
    html = client.get(f"/experts/draws/{d.id}/verify").get_data(as_text=True)
    assert "与当事主体有关联" in html and "91510400MA6X000102" not in html


def test_a_confirmed_expert_reads_the_prior_notice_and_each_subjects_statement(client, org, clock):
    """The meeting answers the statements (国办发〔2020〕49号 (八)): the experts it draws read them with the file, read
    only (no recording or service forms)."""
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    schedule("market_lead", only_task(case.id, "schedule_meeting"), notice="我公司已于2026年11月完成整改，请求不予惩戒。")
    inv = db.session.scalars(select(Invitation).where(Invitation.case_id == case.id)).first()
    ot = db.session.scalar(select(OpenTask).where(OpenTask.instance_id == inv.instance_id))
    login(client, expert_login(inv))
    page = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    client.post(f"/tasks/{ot.task_id}", data={"csrf_token": csrf_from(page), "answer": "confirm", "reason": ""})
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "告知与陈述申辩" in html and "我公司已于2026年11月完成整改" in html and "拟采取联合惩戒措施。" in html
    assert "记录纸质陈述申辩" not in html and "notices/" not in html.split("告知与陈述申辩")[1].split("</section>")[0]
