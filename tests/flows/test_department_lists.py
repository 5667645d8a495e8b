"""Lists determined by departments (seed 000 十): an XLSX of rows checked one by one, all or nothing; accepted rows
become listings of their own that the credit check, the API's list format and the public list read, and the units
applying the entry's measures are told to apply them (bpmn/listing.bpmn); a listing expires with its period."""
import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app import clock as app_clock
from app.cases.models import Case, CaseEvent
from app.credit import services as credit
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.listings import imports
from app.listings.models import Listing, ListingUnit, Push
from app.supervision import monitoring
from tests.conftest import user
from tests.helpers import complete, open_tasks, unit_id

HEAD = list(imports.COLUMNS.values())
GOOD = ["黑名单", "示例建材有限公司", "企业", "91510400MA6X000102", "2026-11-02", "提供虚假材料骗取行政许可", "",
        "SC-P-001", "市市场监管局", "资市监信〔2026〕12号", "2026-11-02", "2027-11-01"]
PERSON = ["黑名单", "张某", "自然人", "510402198503124568", "2026-11-10", "拒不履行", "《某条例》第十条", "SC-P-001",
          "市市场监管局", "资市监信〔2026〕13号", "2026-11-10", "2027-11-09"]


def _xlsx(*rows, head=HEAD) -> bytes:
    wb = Workbook()
    wb.active.append(head)
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_file_with_a_bad_row_imports_nothing(org, clock):
    bad_code = GOOD[:3] + ["91510400MA6X000103"] + GOOD[4:]  # wrong check character
    future = GOOD[:4] + ["2027-01-01"] + GOOD[5:]
    over = PERSON[:10] + ["2025-01-01", "2025-12-31"]  # the period is over
    no_entry = PERSON[:7] + ["XX-1"] + PERSON[8:]
    later = PERSON[:10] + ["2027-06-01", "2028-05-31"]  # not in force yet
    as_number = PERSON[:3] + [510402198503124568] + PERSON[4:]  # an identity number typed into a number cell
    others = PERSON[:7] + ["SC-P-002", "市税务局"] + PERSON[9:]  # another department's entry
    with pytest.raises(DomainError) as err:
        imports.import_list(user("market_cw"), "list.xlsx", _xlsx(GOOD, bad_code, future, over, no_entry, PERSON))
    messages = [str(m) for _f, m in err.value.errors]
    assert "有 4 行存在错误" in messages[0]
    assert [m.split("：")[0] for m in messages[1:]] == ["第 3 行", "第 4 行", "第 5 行", "第 6 行"]
    assert "校验码" in messages[1] or "代码" in messages[1]
    db.session.rollback()
    assert db.session.scalar(select(func.count(Listing.id))) == 0 and db.session.scalar(select(func.count(Case.id))) == 0
    with pytest.raises(DomainError):  # another unit's list
        imports.import_list(user("tax_cw"), "list.xlsx", _xlsx(GOOD))
    with pytest.raises(DomainError) as err:
        imports.import_list(user("office1"), "list.xlsx", _xlsx(later, GOOD[:7] + ["SC-P-002"] + GOOD[8:], as_number))
    problems = " ".join(str(m) for _f, m in err.value.errors)
    assert "设置为文本格式" in problems
    assert "有效期尚未开始" in problems and "事项SC-P-002的认定单位是市税务局" in problems and "。；" not in problems
    db.session.rollback()
    assert others[7] == "SC-P-002"
    with pytest.raises(DomainError) as err:  # not a spreadsheet / wrong columns
        imports.import_list(user("market_cw"), "list.xlsx", b"PK not really")
    with pytest.raises(DomainError) as err:
        imports.import_list(user("market_cw"), "list.xlsx", _xlsx(GOOD, head=["a", "b"]))
    assert "主体名称" in str(err.value.errors[0][1])
    with pytest.raises(PermissionDenied):
        imports.import_list(user("expert1"), "list.xlsx", _xlsx(GOOD))
    db.session.rollback()
    # a name of only invisible characters is a missing name (it would be a blank entry on the public list)
    with pytest.raises(DomainError) as err:
        imports.import_list(user("market_cw"), "list.xlsx", _xlsx(GOOD[:1] + ["\u200b\u202e"] + GOOD[2:]))
    assert "主体名称" in " ".join(str(m) for _f, m in err.value.errors)
    db.session.rollback()


def test_imported_rows_are_listings_the_check_answers_and_the_units_apply(org, clock):
    made = imports.import_list(user("market_cw"), "list.xlsx", _xlsx(GOOD, PERSON))
    db.session.commit()
    [record] = made
    assert record.kind == "department_list" and record.number.startswith("BM-") and record.status == "in_effect"
    listings = db.session.scalars(select(Listing).order_by(Listing.id)).all()
    assert [(lst.source, lst.decision_no, lst.period_days) for lst in listings] == [
        ("department", "资市监信〔2026〕12号", 365), ("department", "资市监信〔2026〕13号", 365)]
    assert listings[0].serious and listings[0].legal_basis.startswith("《企业信息公示暂行条例》")  # the entry's, when left empty
    # each unit applying the entry's measures gets a push to apply it, and confirms
    pushes = db.session.scalars(select(Push).where(Push.listing_id == listings[0].id)).all()
    assert {p.action for p in pushes} == {"apply"} and {p.unit_id for p in pushes} == {
        unit_id("市财政局"), unit_id("市住房城乡建设局"), unit_id("市市场监管局")}
    finance_push = next(p for p in pushes if p.unit_id == unit_id("市财政局"))
    task = next(t for t in open_tasks(record.id, "confirm_push") if t.instance_id == finance_push.instance_id)
    complete("finance_cw", task, {"done": True, "note": "已在采购系统设置限制"})
    assert db.session.scalar(select(ListingUnit.state).where(ListingUnit.listing_id == listings[0].id,
                                                            ListingUnit.unit_id == unit_id("市财政局"))) == "applied"
    # the credit check answers for it as for a case's listing, naming the department's document
    answer = credit.check(credit.Requester(unit_id=unit_id("市财政局"), user_id=user("finance_cw").id), GOOD[3], "procurement", "CG-7")
    [f] = answer.findings
    assert answer.verdict == "punished" and f.source == "department" and f.case_number == "资市监信〔2026〕12号"
    assert f.deciding_unit == "市市场监管局" and [m.text for m in f.my_measures] == ["限制参与政府采购活动"]
    # the serious-dishonesty share counts imported listings of serious entries (one enterprise; the person is not counted)
    assert monitoring.serious_share()["subjects"] == 1
    # a row naming a known code under another name is refused (the record is corrected on the subject's page)
    with pytest.raises(DomainError) as err:
        imports.import_list(user("market_cw"), "x.xlsx", _xlsx(GOOD[:1] + ["别名公司"] + GOOD[2:9] + ["另一文号"] + GOOD[10:]))
    assert "与该代码登记的名称不一致" in str(err.value.errors[1][1]) and "示例建材有限公司" not in str(err.value.errors[1][1])
    db.session.rollback()
    # a re-import of the same determination is refused
    with pytest.raises(DomainError) as err:
        imports.import_list(user("office1"), "again.xlsx", _xlsx(GOOD))
    assert "已列入" in str(err.value.errors[1][1])
    db.session.rollback()


def test_an_imported_listing_expires_with_its_period_and_the_record_closes(org, clock):
    today = app_clock.today_local()
    short = GOOD[:4] + [today.isoformat(), GOOD[5], "", GOOD[7], GOOD[8], GOOD[9], today.isoformat(), (today + timedelta(days=2)).isoformat()]
    [record] = imports.import_list(user("office1"), "short.xlsx", _xlsx(short))
    db.session.commit()
    listing = db.session.scalar(select(Listing))
    assert listing.period_end == today + timedelta(days=2)
    clock.shift(timedelta(days=4))
    from app.scheduler.jobs import sweep_timers

    sweep_timers()
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).status == "expired"
    assert db.session.get(Case, record.id).status == "closed"
    lifts = db.session.scalars(select(Push).where(Push.listing_id == listing.id, Push.action == "lift")).all()
    assert lifts and {p.reason for p in lifts} == {"expired"}
    assert "department_list_imported" in set(db.session.scalars(select(CaseEvent.type).where(CaseEvent.case_id == record.id)))


def test_dates_are_read_from_cells_and_text(org, clock):
    assert imports._date(date(2026, 1, 2)) == date(2026, 1, 2)
    assert imports._date("2026年1月2日") == imports._date("2026/01/02") == date(2026, 1, 2)
    assert imports._date("2026-02-30") is None and imports._date("明天") is None


def test_the_importing_unit_may_correct_or_deregister_its_listed_subjects(org, clock):
    from app.dueprocess import subject_changes

    imports.import_list(user("market_cw"), "list.xlsx", _xlsx(GOOD))
    db.session.commit()
    listing = db.session.scalar(select(Listing))
    assert subject_changes.may_record(user("market_cw"), listing.subject_id)
    assert not subject_changes.may_record(user("court_cw"), listing.subject_id)


def test_the_inbox_names_the_subject_and_the_action_of_each_push(client, org, clock):
    """A department's list is one record of many subjects: each unit's push row in the inbox names its own subject and
    says what to do with the measure, so that two rows of one list can be told apart."""
    import re

    from tests.conftest import login

    imports.import_list(user("market_cw"), "list.xlsx", _xlsx(GOOD, PERSON))
    db.session.commit()
    login(client, "finance_cw")
    html = client.get("/tasks/").get_data(as_text=True)
    rows = [r for r in re.findall(r"<tr class=.*?</tr>", html, re.S) if "确认措施调整" in r]
    assert len(rows) == 2
    company = next(r for r in rows if "示例建材有限公司" in r)
    person = next(r for r in rows if r is not company)
    assert "张某" not in company and "张某" in person and "示例建材有限公司" not in person
    assert all("实施措施" in r for r in rows)
    assert "510402198503124568" not in html  # (the person's number stays masked)


def test_an_objection_to_a_departments_own_listing_suspends_its_measures_and_the_department_replies(org, clock):
    """Seed 001 二(三)2: the subject objects to the body that determined it (for a department's list, the department),
    and the joint measures Xinlian pushed to the units are suspended while it is handled; an objection found right ends
    the listing and the units lift the measures. The complaint to the office stays open to the subject."""
    from app.enums import CaseKind
    from app.rights import objections
    from tests.helpers import PDF, task_of

    [record] = imports.import_list(user("market_cw"), "list.xlsx", _xlsx(GOOD, PERSON))
    db.session.commit()
    company, person = db.session.scalars(select(Listing).where(Listing.case_id == record.id).order_by(Listing.id)).all()
    assert [s.id for s in objections.paper_candidates(user("market_cw"), record)] == [company.subject_id, person.subject_id]
    assert objections.paper_candidates(user("finance_cw"), record) is None  # (not the department that listed them)
    with pytest.raises(PermissionDenied):
        objections.file_on_paper(user("finance_cw"), record.id, person.subject_id, "异议。", app_clock.today_local(), [PDF])
    db.session.rollback()
    obj = objections.file_on_paper(user("market_cw"), record.id, person.subject_id, "未拒不履行（信函）。", app_clock.today_local(), [PDF])
    db.session.commit()
    assert obj.kind == CaseKind.OBJECTION and db.session.get(Listing, person.id).status == "suspended"
    assert db.session.get(Listing, company.id).status == "in_effect"  # (another subject of the list: untouched)
    reply = task_of(obj.id, "reply_objection")
    assert (reply.role, reply.unit_id) == ("caseworker", unit_id("市市场监管局"))  # the department answers
    complete("market_cw", reply, {"outcome": "upheld", "reasons": "经复核，已履行。", "served_on": app_clock.today_local()})
    assert db.session.get(Listing, person.id).status == "revoked"
    assert {p.action for p in db.session.scalars(select(Push).where(Push.listing_id == person.id))} == {"apply", "suspend", "lift"}
    assert credit.check(credit.Requester(unit_id=unit_id("市财政局"), user_id=user("finance_cw").id), PERSON[3],
                        "procurement", "CG-9").verdict != "punished"


def test_a_list_the_office_imported_for_a_department_is_objected_to_at_that_department(org, clock):
    from app.rights import objections

    [record] = imports.import_list(user("office1"), "list.xlsx", _xlsx(GOOD, PERSON))  # (the office imports for 市市场监管局)
    db.session.commit()
    company, person = db.session.scalars(select(Listing).where(Listing.case_id == record.id).order_by(Listing.id)).all()
    assert [s.id for s in objections.paper_candidates(user("market_cw"), record)] == [company.subject_id, person.subject_id]
    assert objections.paper_candidates(user("tax_cw"), record) is None


def test_the_uploaded_list_naming_a_person_is_kept_from_supervisors_and_the_administrator(client, org, clock):
    """The file prints identity numbers whole: the case page masks them for supervisors and the administrator, so the
    file is not theirs to download; the units' staff download it, each opening a whole-number view in the security log."""
    from app.cases.models import Attachment
    from app.security_log.models import SecurityEvent
    from tests.conftest import login

    [record] = imports.import_list(user("market_cw"), "list.xlsx", _xlsx(PERSON))
    db.session.commit()
    att = db.session.scalar(select(Attachment).where(Attachment.case_id == record.id, Attachment.purpose == imports.LIST_FILE))
    url = f"/cases/{record.id}/files/{att.id}"
    for who in ("supervisor1", "admin"):
        other = client.application.test_client()
        login(other, who)
        assert other.get(f"/cases/{record.id}").status_code == 200 and other.get(url).status_code == 404, who
    login(client, "market_cw")
    assert client.get(url).status_code == 200
    logged = db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "full_code_view",
                                                            SecurityEvent.entity == "attachment")).all()
    assert [e.entity_key for e in logged] == [str(att.id)]


def test_a_unit_that_cannot_apply_a_departments_measure_says_so_with_its_reasons(client, org, clock):
    """Seed 000 十 对执行情况进行全面准确登记, seed 001 二(一)2 执行反馈: told to apply a department's list, a unit that cannot
    says why; the listing, the credit check and the exchange read it as 无法实施, not as applied."""
    from app.cases import tasks
    from app.errors import DomainError

    [record] = imports.import_list(user("market_cw"), "list.xlsx", _xlsx(PERSON))
    db.session.commit()
    finance = unit_id("市财政局")
    [push] = [t for t in open_tasks(record.id, "confirm_push") if t.unit_id == finance]
    with pytest.raises(DomainError, match="原因"):
        tasks.complete(user("finance_cw"), push.task_id, {"cannot": True, "note": ""})
    db.session.rollback()
    with pytest.raises(DomainError, match="只勾选一项"):  # (both ticked: which is it?)
        tasks.complete(user("finance_cw"), push.task_id, {"cannot": True, "done": True, "note": "原因"})
    db.session.rollback()
    tasks.complete(user("finance_cw"), push.task_id, {"cannot": True, "note": "本单位业务系统暂无法识别自然人"})
    db.session.commit()
    listing = db.session.scalar(select(Listing).where(Listing.case_id == record.id))
    lu = db.session.scalar(select(ListingUnit).where(ListingUnit.listing_id == listing.id, ListingUnit.unit_id == finance))
    assert lu.state == "cannot"
    answer = credit.check(credit.Requester(unit_id=finance, user_id=user("finance_cw").id), PERSON[3], "procurement", "CG-9")
    assert answer.findings[0].my_state == "cannot"
    # The batch check's sheet says it as the page does (it listed the measure as if applied).
    from openpyxl import load_workbook

    from app.credit import batch

    sheet, _n = batch.run(credit.Requester(unit_id=finance, user_id=user("finance_cw").id), "s.csv",
                          f"代码,事项类型,事项编号\n{PERSON[3]},procurement,CG-10\n".encode())
    [_head, row] = list(load_workbook(io.BytesIO(sheet)).active.iter_rows(values_only=True))
    assert row[6].endswith("（无法实施）"), row
    from tests.conftest import login

    housing = next(t for t in open_tasks(record.id, "confirm_push") if t.unit_id == unit_id("市住房城乡建设局"))
    login(client, "housing_cw")
    assert "本单位无法实施该措施" in client.get(f"/tasks/{housing.task_id}").get_data(as_text=True)
    staff = client.application.test_client()
    login(staff, "market_cw")  # (the record's timeline says it, not a plain confirmation)
    assert "该单位无法实施" in staff.get(f"/cases/{record.id}").get_data(as_text=True)
