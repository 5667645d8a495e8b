"""The decision document (决定书): numbered per determining unit and year, one PDF copy per subject with the
CJK font embedded, rendered from the administrators' template, issued to the units and the office."""
import io
import time

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.auth.models import User
from app.blobs import store as blobs
from app.cases.models import Attachment, Case, CaseUnit
from app.dueprocess import decision_document
from app.errors import DomainError, NotFound
from app.extensions import db
from app.rights import queries as portal
from tests.conftest import user
from tests.helpers import COMPANY, COMPANY2, applicant_for, event_types, in_effect_case, unit_id


def _copies(case_id):
    return list(db.session.scalars(select(Attachment).where(Attachment.case_id == case_id, Attachment.purpose == "decision",
                                                            Attachment.subject_id.is_not(None)).order_by(Attachment.id)))


def _pdf(att) -> tuple[str, bytes]:
    data = blobs.read(att.sha256)
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages), data


def test_each_subject_gets_a_numbered_copy_with_an_embedded_font(org, clock):
    case, _codes = in_effect_case(subjects=(COMPANY, COMPANY2))
    case = db.session.get(Case, case.id)
    assert case.decision_no == "市市场监管局信惩决〔2026〕1号"
    first, second = _copies(case.id)
    text, data = _pdf(first)
    assert b"/FontFile2" in data  # the TrueType font is embedded, not referenced
    assert "联合惩戒决定书" in text and case.decision_no in text
    assert COMPANY[1] in text and COMPANY2[1] not in text  # addressed to one subject
    assert "市财政局" in text and "异议" in text and "2026年11月23日" in text
    # the remedies with their time limits: objection window, reply, complaint window; paper or the portal's access code
    flat = text.replace("\n", "")
    assert "60日内" in flat and "5个工作日内" in flat and "10个工作日内" in flat and "访问码" in flat
    # and credit repair: to the unit that handled the behaviour, after the minimum publication period
    assert "信用修复" in flat and "公示满90日后向市市场监管局提出信用修复申请" in flat
    assert COMPANY2[1] in _pdf(second)[0]
    assert "decision_issued" in event_types(case.id)
    # issued to the units that attended and the office as well as the implementers
    relations = set(db.session.scalars(select(CaseUnit.unit_id).where(CaseUnit.case_id == case.id)))
    assert unit_id("市发展改革委（市社会信用体系建设联席会议办公室）") in relations
    # the next decision of the same unit in the year gets the next number
    other, _ = in_effect_case(subjects=(("enterprise", "测试三有限公司", "91510400MA6X00090A"),))
    assert db.session.get(Case, other.id).decision_no == "市市场监管局信惩决〔2026〕2号"


def test_a_subject_is_served_its_own_copy_only(org, clock):
    case, codes = in_effect_case(subjects=(COMPANY, COMPANY2))
    applicant = applicant_for(case, codes)
    docs = portal.documents_for(applicant, db.session.get(Case, case.id))
    mine = [d for d in docs if d.subject_id is not None]
    assert len(mine) == 1 and COMPANY[1] in mine[0].filename
    # A signed decision uploaded as it is (addressed to no subject in particular) carries the other subject's data: not
    # served where the case has another subject; served where the subject is the case's only one.
    from app.cases import attachments
    from tests.helpers import PDF

    [signed] = attachments.store(case.id, user("market_lead"), [PDF], "decision", "decision_files")
    db.session.commit()
    assert signed.id not in {d.id for d in portal.documents_for(applicant, db.session.get(Case, case.id))}
    with pytest.raises(NotFound):
        portal.document(applicant, case.id, signed.id)
    alone, _codes = in_effect_case()  # (the same company, alone in this case)
    [signed] = attachments.store(alone.id, user("market_lead"), [PDF], "decision", "decision_files")
    db.session.commit()
    assert signed.id in {d.id for d in portal.documents_for(applicant, db.session.get(Case, alone.id))}


def test_administrators_edit_the_template_and_bad_ones_are_refused(org, clock):
    admin = user("admin")
    with pytest.raises(DomainError) as err:
        decision_document.save_template(admin, "<p>{{ subject.name </p>", "试")
    assert err.value.errors[0][0] == "body"
    with pytest.raises(DomainError):
        decision_document.save_template(user("office1"), "<p>x</p>", "试")
    with pytest.raises(DomainError) as err:  # the sandbox refuses reaching into Python, saying so in Chinese
        decision_document.save_template(admin, "<p>{{ case.__class__.__mro__ }}</p>", "试")
    assert "读取值的 __class__ 属性" in str(err.value.errors[0][1]) and "unsafe" not in str(err.value.errors[0][1])
    decision_document.save_template(admin, "<html><head></head><body><h1>决定书 {{ number }}</h1><p>{{ subject.name }}</p>"
                                           "<p>[{{ case.created_by }}|{{ subject.id }}]</p>"
                                           '<img src="file:///etc/passwd"/></body></html>', "简化版式")
    db.session.commit()
    case, _ = in_effect_case()
    text, data = _pdf(_copies(case.id)[0])
    assert "决定书 市市场监管局信惩决〔2026〕1号" in text and COMPANY[1] in text and b"root:" not in data
    assert "[|]" in text  # the template sees plain values, not the database behind them
    with pytest.raises(DomainError):
        decision_document.save_template(admin, "<p>{{ case.created_by.password_hash }}</p>", "试")
    # Loops that would keep a server busy without writing anything are refused before anything runs: three nested
    # loops of a thousand (a thousand million steps), a loop that calls itself, a macro (which may call itself).
    busy = ["{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}{% endfor %}{% endfor %}",
            "{% for x in [[1]] recursive %}{{ loop(x) }}{% endfor %}",
            "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
            # (two loops are allowed, but not filters doing a thousand steps in each of their million turns)
            "{% for a in range(1000) %}{% for b in range(1000) %}{% if (range(1000)|map('string')|join)|length < 0 %}x"
            "{% endif %}{% endfor %}{% endfor %}"]
    for body in busy:
        with pytest.raises(DomainError) as err:
            decision_document.save_template(admin, f"<p>{body}</p>", "试")
        assert "模板使用了不允许的内容" in str(err.value.errors[0][1]), body
    decision_document.save_template(admin, "<p>{% for s in range(3) %}{% for m in range(2) %}{{ s }}{{ m }}{% endfor %}{% endfor %}</p>", "两层")
    # Values too large for a document, made in one step (in C, between two lines of the render) or step by step: each
    # refused within moments, before it holds the server's memory.
    large = ["{{ ('x'*1000*1000*1000)|length }}", "{{ ('x'|center(10**9))|length }}", "{{ 'x'.ljust(10**9)|length }}",
             "{{ '%900000000s'|format('x') }}", "{{ '%900000000s' % 'x' }}", "{{ '{:>900000000}'.format('x') }}",
             "{{ ('x'*1000)|replace('x', 'y'*1000)|length }}", "{{ ('x'*1000).replace('x', 'y'*1000)|length }}",
             "{{ ((['x'*1000]*1000)|join)|length }}", "{{ ('x'*200000 + 'y'*200000)|length }}",
             "{% set ns = namespace(s='x'*1000) %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
             "{% set l = range(1000)|map('string')|map('center', 299000)|list %}{{ l|length }}",
             # (each made in one step from small parts: measured before they run)
             "{{ ('a'*1000).join('b'*100000)|length }}", "{{ ('\t'*1000).expandtabs(100000)|length }}",
             "{{ ('\n'*1000)|indent(100000, true, true)|length }}", "{{ (['x'*100] * 1000)|join('y'*1000)|length }}",
             "{% for i in range(5000) %}{% endfor %}"]
    for body in large:
        started = time.monotonic()
        with pytest.raises(DomainError) as err:
            decision_document.save_template(admin, f"<p>{body}</p>", "试")
        assert "模板使用了不允许的内容" in str(err.value.errors[0][1]) and time.monotonic() - started < 5, body
    # (what documents do stays allowed: formats, replacements, joins of a document's size)
    decision_document.save_template(admin, "<p>{{ '%05d'|format(3) }}{{ '{:>5}'.format(1) }}{{ 'a b'.replace(' ', '-') }}"
                                           "{{ ['甲', '乙']|join('、') }}{{ ('第' ~ 1 ~ '条') * 3 }}{{ 'x'|center(80) }}"
                                           "{{ '{:,}'.format(1200000) }}{{ '%s（代码 91510400MA6X000102）' % '某公司' }}"
                                           "{{ '、'.join(['甲', '乙']) }}{{ 'a\tb'.expandtabs(4) }}{{ 'a\nb'|indent(2) }}</p>", "格式")


@pytest.mark.parametrize("filler", [0, 8, 12, 16, 20, 24])
def test_long_facts_and_paragraphs_on_a_page_break_still_make_the_document(org, filler):
    """xhtml2pdf cannot split a CJK paragraph across a page break: facts longer than a page, or a paragraph that fell on
    a break, made the decision impossible to issue. Long paragraphs are cut after sentences and kept whole on a page."""
    sentence = "该公司在政府采购活动中提供虚假材料谋取中标、成交，情节严重，经查证属实；"
    context = decision_document.sample_context()
    context["case"] = dict(context["case"], facts=sentence * 120)  # ~4,000 characters, several pages
    context["statement_answer"] = "\n".join(["经核实，陈述申辩意见不予采纳。"] * filler) or context["statement_answer"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        decision_document.render_pdf(decision_document.default_template(), context))).pages)
    flat = text.replace("\n", "")
    assert flat.count("经查证属实") == 120 and "救济途径" in flat  # every sentence, in order, and the rest of the document
    assert decision_document._chunks("甲" * 300 + "&amp;" + "乙" * 300, ()) == ["甲" * 240, "甲" * 60 + "&amp;" + "乙" * 175, "乙" * 125]


def test_the_administrator_neither_issues_access_codes_nor_records_service(org, clock):
    """A code opens the subject's portal account: only those serving the decision hand it over (the administrator
    runs the system, and would otherwise hold the subject's account); nor does it record the decision's service, from
    which the subject's objection window runs."""
    from datetime import date

    from app.dueprocess import services as dueprocess
    from app.errors import PermissionDenied
    from app.rights import accounts
    from tests.helpers import PDF

    case, _codes = in_effect_case()
    subject_id = case.subjects[0].subject_id
    with pytest.raises(PermissionDenied):
        accounts.issue_code(user("admin"), db.session.get(Case, case.id), subject_id)
    with pytest.raises(PermissionDenied):
        dueprocess.record_service(user("admin"), case.id, subject_id, "post", date(2026, 11, 24), "", [PDF])
    db.session.rollback()
    assert accounts.issue_code(user("office1"), db.session.get(Case, case.id), subject_id)


def test_an_organisation_is_named_by_its_credit_code_not_an_identity_number(org, clock):
    """Seed 000 五: a legal person is named with its unified social credit code (a social organisation as well as an
    enterprise), a natural person with the number of its identity card."""
    case, _codes = in_effect_case(subjects=(("social_org", "某行业协会", "51510400MJ0001234P"),))
    flat = _pdf(_copies(case.id)[0])[0].replace("\n", "")
    assert "统一社会信用代码" in flat and "身份证号码" not in flat.split("某行业协会")[1][:40]


def test_the_decision_says_each_remedys_time_limit_as_its_rule_counts_it(org, clock):
    """An office that counts the objection window in working days and the complaint window in calendar days: the decision
    served on the party says so, as the deadlines are counted (not 日 and 个工作日 whatever the rules)."""
    from app.workdays.rules import change, ensure_seeded

    ensure_seeded()
    change(user("admin"), "objection_window", 30, "working", "本地决定")
    change(user("admin"), "complaint_window", 15, "calendar", "本地决定")
    db.session.commit()
    case, _codes = in_effect_case()
    flat = _pdf(_copies(case.id)[0])[0].replace("\n", "")
    assert "自收到本决定书之日起30个工作日内" in flat and "自收到答复之日起15日内" in flat and "5个工作日内" in flat


def test_the_meeting_decides_for_each_subject_and_one_it_does_not_act_on_is_told_why(client, org, clock):
    """Seed 001 二(二)2 共同审查和认定是否实施: two subjects, each told and heard on its own; the meeting acts on one.
    Only that one is listed (measures pushed, on the black list, may object); the other's copy of the decision says
    no joint punishment is taken on it, with the meeting's reason, and the case page and timeline say so too."""
    from app.cases.models import Subject
    from app.listings.models import Listing
    from app.rights import accounts, objections
    from tests.conftest import login
    from tests.helpers import complete, determine, file_case, implement_all, issue_codes, only_task, open_tasks, schedule

    case = file_case(subjects=(COMPANY, COMPANY2))
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    first, second = [cs.subject_id for cs in db.session.get(Case, case.id).subjects]
    ot = only_task(case.id, "schedule_meeting")
    for bad, field in (([], "subject_ids"), ([first, 999999], "subject_ids"), ([first], "subjects_reason")):
        with pytest.raises(DomainError) as refused:
            determine("market_lead", ot, subject_ids=bad)
        db.session.rollback()
        assert refused.value.errors[0][0] == field, bad
        ot = only_task(case.id, "determination")
    assert db.session.scalar(select(Listing.id).where(Listing.case_id == case.id)) is None
    login(client, "market_lead")
    form = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    assert form.count('name="subject_ids"') == 2 and form.count("checked") >= 2 and 'name="subjects_reason"' in form
    single = file_case(subjects=(COMPANY,))
    complete("market_lead", only_task(single.id, "pre_review"), {"outcome": "accept"})
    schedule("market_lead", only_task(single.id, "schedule_meeting"))
    form = client.get(f"/tasks/{only_task(single.id, 'determination').task_id}").get_data(as_text=True)
    assert "measures" in form and 'name="subject_ids"' not in form  # (one subject: acting is acting on it)
    determine("market_lead", ot, subject_ids=[first], subjects_reason="第二家公司已在认定前完成整改，不予实施。")
    case = db.session.get(Case, case.id)
    assert case.decision == "act"
    assert [lst.subject_id for lst in db.session.scalars(select(Listing).where(Listing.case_id == case.id))] == [first]
    texts = {att.subject_id: _pdf(att)[0] for att in _copies(case.id)}
    assert "由下列单位依法实施" in texts[first] and "不予实施" not in texts[first]
    assert "决定对当事人不予实施联合惩戒" in texts[second] and "已在认定前完成整改" in texts[second]
    assert "由下列单位依法实施" not in texts[second] and "救济途径" not in texts[second]
    codes = issue_codes(case)
    name2 = db.session.get(Subject, second).name
    user2 = accounts.register("enterprise", COMPANY2[2], codes[second], "applicant2", "A-long-passw0rd", "联系人")
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        objections.file_objection(user2, case.id, "异议。", [])
    db.session.rollback()
    assert "未对该主体实施联合惩戒" in str(refused.value.message)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)  # (the convener's case page)
    assert "不予实施的主体" in page and name2 in page and "已在认定前完成整改" in page
    # Every list that names the case's subjects says which one the decision left out (an implementing unit's inbox:
    # its implementation task names both subjects).
    name1 = db.session.get(Subject, first).name
    implementing = next(t.unit_id for t in open_tasks(case.id) if t.bpmn_id == "implement")
    unit_staff = client.application.test_client()
    login(unit_staff, db.session.scalar(select(User.username).where(User.unit_id == implementing, User.role == "caseworker")))
    for url in ("/tasks/", "/cases/?q=" + name2[:4]):
        rows = [r for r in unit_staff.get(url).get_data(as_text=True).split("<tr") if case.number in r]
        assert rows and all(f"{name2}" in r and "决定不予实施" in r for r in rows), url
        assert all(r.count("决定不予实施") == 1 and r.index(name1) < r.index(name2) < r.index("决定不予实施") for r in rows), url
    # The left-out subject's copy is not the implementing units' to read (they take no measure against it); the acted
    # subject's is. The deciding unit reads both.
    # The unit's implementation task says what it applies and to whom: not to the subject left out.
    impl = next(t for t in open_tasks(case.id) if t.bpmn_id == "implement" and t.unit_id == implementing)
    task_page = unit_staff.get(f"/tasks/{impl.task_id}").get_data(as_text=True)
    legend = task_page.split("实施结果（本单位对")[1].split("）")[0]
    assert name1 in legend and name2 not in legend
    copy_of = {att.subject_id: att.id for att in _copies(case.id)}
    assert unit_staff.get(f"/cases/{case.id}/files/{copy_of[first]}").status_code == 200
    assert unit_staff.get(f"/cases/{case.id}/files/{copy_of[second]}").status_code == 404
    assert f"files/{copy_of[second]}" not in unit_staff.get(f"/cases/{case.id}").get_data(as_text=True)
    assert client.get(f"/cases/{case.id}/files/{copy_of[second]}").status_code == 200  # (market_lead: the deciding unit)
    implement_all(case.id)  # (the units report the measures applied: to the other subject)
    portal = client.application.test_client()
    login(portal, "applicant2")
    page = portal.get(f"/portal/cases/{case.id}").get_data(as_text=True)
    # (no objection or repair offered: its prior notice's rights, read before the decision, name them as rights)
    assert "不对您实施" in page and "/objection\"" not in page and "/repair\"" not in page
    assert "措施已实施" not in page
    for form in ("objection", "repair"):  # (no form for nothing: told so on its case page)
        told = portal.get(f"/portal/cases/{case.id}/{form}", follow_redirects=True).get_data(as_text=True)
        assert "本决定未对该主体实施联合惩戒" in told and 'name="grounds"' not in told and 'name="correction"' not in told
    record = portal.get("/portal/record").get_data(as_text=True)  # (its own credit record: the decision on it)
    assert f"{case.number} · 不予联合奖惩" in record and f"{case.number} · 实施联合奖惩" not in record


def test_each_copy_answers_its_own_subjects_statement_only(org, clock):
    """One subject stated its case, the other waived: the meeting's answer is on the first one's copy, not on the copy
    served to the subject that made no statement (it named the other party)."""
    from app.dueprocess import services as dueprocess
    from tests.conftest import user
    from tests.helpers import PDF, complete, determine, file_case, give_notice, only_task, schedule

    case = file_case(subjects=(COMPANY, COMPANY2))
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    schedule("market_lead", only_task(case.id, "schedule_meeting"), notice=False)
    first, second = give_notice("market_lead", case.id, None)
    dueprocess.record_on_paper(user("market_lead"), first.id, "我公司已完成整改。", [PDF])
    dueprocess.record_on_paper(user("market_lead"), second.id, "", [PDF], waive=True)
    db.session.commit()
    # Everything missing is said at once: the statement's answer, the measures, why a subject is left out.
    with pytest.raises(DomainError) as refused:
        determine("market_lead", only_task(case.id, "determination"), measures=[], subject_ids=[first.subject_id])
    db.session.rollback()
    assert [f for f, _m in refused.value.errors] == ["statement_answer", "measures", "subjects_reason"]
    determine("market_lead", only_task(case.id, "determination"), statement_answer="测试建材有限公司的陈述申辩经核实不成立，不予采纳。")
    texts = {att.subject_id: _pdf(att)[0] for att in _copies(case.id)}
    assert "对陈述申辩的答复" in texts[first.subject_id] and "不予采纳" in texts[first.subject_id]
    assert "对陈述申辩的答复" not in texts[second.subject_id] and "测试建材有限公司的陈述申辩" not in texts[second.subject_id]
    assert "三、决定" in texts[second.subject_id] and "四、决定" in texts[first.subject_id]


def test_two_subjects_that_stated_their_case_are_each_answered_on_their_own_copy(org, clock, client):
    """Both subjects stated their case: the meeting answers each (one shared answer, naming both defences, is refused),
    and each copy, portal page and notice row carries only the answer to its own subject's statement."""
    from app.dueprocess import services as dueprocess
    from tests.conftest import csrf_from, login, user
    from tests.helpers import PDF, complete, determine, file_case, give_notice, only_task, schedule

    case = file_case(subjects=(COMPANY, COMPANY2))
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    schedule("market_lead", only_task(case.id, "schedule_meeting"), notice=False)
    first, second = give_notice("market_lead", case.id, None)
    dueprocess.record_on_paper(user("market_lead"), first.id, "甲：已整改，罚款已缴清。", [PDF])
    dueprocess.record_on_paper(user("market_lead"), second.id, "乙：系被冒名登记。", [PDF])
    db.session.commit()
    with pytest.raises(DomainError) as refused:  # one answer for both
        determine("market_lead", only_task(case.id, "determination"), statement_answer="两家公司的陈述均不予采纳。")
    db.session.rollback()
    assert refused.value.errors[0][0] is None
    with pytest.raises(DomainError) as refused:  # the second left unanswered
        determine("market_lead", only_task(case.id, "determination"), statement_answers=["已整改不影响认定，不予采纳。", " "])
    db.session.rollback()
    assert [f for f, _m in refused.value.errors] == ["statement_answers-1"]
    # The form asks for one answer per subject, each labelled with its name.
    login(client, "market_lead")
    page = client.get(f"/tasks/{only_task(case.id, 'determination').task_id}").get_data(as_text=True)
    names = [cs.subject.name for cs in sorted(case.subjects, key=lambda cs: [first.subject_id, second.subject_id].index(cs.subject_id))]
    assert 'name="statement_answers-0"' in page and 'name="statement_answers-1"' in page and 'name="statement_answer"' not in page
    assert page.index(f"对{names[0]}陈述申辩的答复") < page.index(f"对{names[1]}陈述申辩的答复")
    from app import clock as app_clock
    from app.joint.tasks import measure_choices
    from tests.helpers import experts_confirm

    form = {"csrf_token": csrf_from(page), "meeting_date": app_clock.today_local().isoformat(),
            "attending_unit_ids": [str(user("market_lead").unit_id)], "attending_expert_ids": [str(e) for e in experts_confirm(case.id)],
            "minutes": "会议纪要。", "decision": "act", "subject_ids": [str(first.subject_id), str(second.subject_id)],
            "measures": [k for k, _m, _v in measure_choices(case)], "period_days": "365", "period_reason": "纪要所定。",
            "statement_answers-0": "甲的答复", "statement_answers-1": ""}
    refused = client.post(f"/tasks/{only_task(case.id, 'determination').task_id}", data=form).get_data(as_text=True)
    assert "请答复该主体的陈述申辩" in refused and "甲的答复</textarea>" in refused
    assert db.session.get(Case, case.id).decision is None
    determine("market_lead", only_task(case.id, "determination"),
              statement_answers=["甲公司所称已整改不影响认定，不予采纳。", "乙公司所称被冒名登记，经核实属实，予以采纳。"])
    texts = {att.subject_id: _pdf(att)[0] for att in _copies(case.id)}
    assert "甲公司所称已整改" in texts[first.subject_id] and "乙公司" not in texts[first.subject_id]
    assert "乙公司所称被冒名登记" in texts[second.subject_id] and "甲公司" not in texts[second.subject_id]
    a, b = dueprocess.notices_of(case.id)
    assert (a.answer, b.answer) == ("甲公司所称已整改不影响认定，不予采纳。", "乙公司所称被冒名登记，经核实属实，予以采纳。")
    assert db.session.get(Case, case.id).determination["statements"]["statement_answers"] == {
        str(first.subject_id): a.answer, str(second.subject_id): b.answer}


def test_a_statement_recorded_while_the_determination_form_is_open_gets_its_own_answer_field(org, clock, client):
    """Review: the form opened with one statement (one answer field); a second subject's letter of the period's last
    day was recorded meanwhile; sent, the form came back with no answer field at all, the typed answer lost. It now
    comes back with one field per subject, the typed answer in its subject's field."""
    import re
    from datetime import timedelta

    from app import clock as app_clock
    from app.dueprocess import services as dueprocess
    from app.joint.tasks import measure_choices
    from app.scheduler.jobs import sweep_timers
    from tests.conftest import csrf_from, login, user
    from tests.helpers import PDF, complete, experts_confirm, file_case, give_notice, only_task, schedule

    case = file_case(subjects=(COMPANY, COMPANY2))
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    schedule("market_lead", only_task(case.id, "schedule_meeting"), notice=False)
    first, second = give_notice("market_lead", case.id, None)
    dueprocess.record_on_paper(user("market_lead"), first.id, "甲：已整改。", [PDF])
    db.session.commit()
    last_day = app_clock.local_date(second.statement_due_at)
    clock.move_to(second.statement_due_at + timedelta(hours=10))
    sweep_timers()
    db.session.commit()
    client = client.application.test_client()
    login(client, "market_lead")
    ot = only_task(case.id, "determination")
    page = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    assert 'name="statement_answer"' in page and page.count('name="statements_shown"') == 1
    dueprocess.record_on_paper(user("market_cw"), second.id, "乙：系被冒名登记。", [PDF], received_on=last_day)
    db.session.commit()
    shown = re.search(r'name="statements_shown"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="statements_shown"', page)
    form = {"csrf_token": csrf_from(page), "meeting_date": app_clock.today_local().isoformat(),
            "attending_unit_ids": [str(user("market_lead").unit_id)],
            "attending_expert_ids": [str(e) for e in experts_confirm(case.id)],
            "minutes": "会议纪要。", "decision": "act", "subject_ids": [str(first.subject_id), str(second.subject_id)],
            "measures": [k for k, _m, _v in measure_choices(case)], "period_days": "365", "period_reason": "纪要所定。",
            "statement_answer": "对甲的答复：不予采纳。", "statements_shown": shown.group(1) or shown.group(2)}
    again = client.post(f"/tasks/{ot.task_id}", data=form).get_data(as_text=True)
    assert db.session.get(Case, case.id).decision is None
    assert again.count('name="statements_shown"') == 1 and 'name="statement_answer"' not in again
    first_field = again[again.index('name="statement_answers-0"'):]
    assert first_field.index("对甲的答复：不予采纳。") < first_field.index('name="statement_answers-1"')
    assert "请答复该主体的陈述申辩" in again
