"""Administration: catalog versions and citations, retirement, XLSX import/export with row errors, deadline
rules affecting only later cases, holiday edits moving new deadlines, BPMN upload accepted and refused,
organisation management, and who may change anything."""
import io
from datetime import date
from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.audit.models import AdminChange
from app.auth.models import User
from app.catalog.models import CatalogEntry, CatalogVersion
from app.clock import LOCAL_TZ
from app.engine.models import ProcessVersion
from app.extensions import db
from tests.conftest import csrf_from, login, user
from tests.helpers import COMPANY2, entry_id, file_case, only_task

BPMN = Path(__file__).resolve().parents[2] / "bpmn" / "joint_punishment.bpmn"


def entry_form(page, **over):
    data = {"csrf_token": csrf_from(page), "kind": "punishment", "group": "市场监管专项小组", "behaviour": "虚假广告严重违法",
            "admin_unit": "市市场监管局", "grounds": "发布虚假广告情节严重", "legal_basis": "《广告法》第五十五条",
            # (SC-P-001's own measures: a revision of that national entry that changed one would have to mark it local)
            "measures": "M1|限制参与政府采购活动|市财政局\nM2|限制参与工程建设项目招标投标|市住房城乡建设局\n"
                        "M3|列为重点监管对象，提高抽查比例和频次|市市场监管局", "measure_content": "",
            "required_evidence": "行政处罚决定书", "default_period_days": "365", "reason": ""}
    data.update(over)
    return data


def test_catalog_edit_makes_a_version_and_cases_keep_citing_theirs(client, org, clock):
    old = file_case()  # cites SC-P-001 v1
    login(client, "office1")
    eid = entry_id("SC-P-001")
    page = client.get(f"/admin/catalog/{eid}").get_data(as_text=True)
    resp = client.post(f"/admin/catalog/{eid}", data=entry_form(page, behaviour="被列入严重违法失信名单（修订）", reason=""))
    assert resp.status_code == 200 and "请说明修改原因（法律法规、机构职能变化或更正）。" in resp.get_data(as_text=True)
    client.post(f"/admin/catalog/{eid}", data=entry_form(page, behaviour="被列入严重违法失信名单（修订）", reason="依据新规修订"))
    versions = db.session.scalars(select(CatalogVersion).where(CatalogVersion.entry_id == eid).order_by(CatalogVersion.version_no)).all()
    assert [v.version_no for v in versions] == [1, 2] and versions[1].change_reason == "依据新规修订"
    assert old.entries[0].catalog_version_id == versions[0].id
    new = file_case(subjects=(COMPANY2,))
    assert new.entries[0].catalog_version_id == versions[1].id
    html = client.get(f"/admin/catalog/{eid}/diff?a={versions[0].id}&b={versions[1].id}").get_data(as_text=True)
    assert "（修订）" in html and "table-warning" in html
    assert db.session.scalar(select(func.count(AdminChange.id)).where(AdminChange.entity == "catalog")) == 1


def test_retired_entry_is_refused_for_new_cases_while_running_cases_go_on(client, org, clock):
    from app.errors import DomainError
    from tests.helpers import complete

    running = file_case()
    login(client, "office1")
    eid = entry_id("SC-P-001")
    page = client.get(f"/admin/catalog/{eid}").get_data(as_text=True)
    client.post(f"/admin/catalog/{eid}/retire", data={"csrf_token": csrf_from(page), "r-reason": "法规废止"})
    assert db.session.get(CatalogEntry, eid).retired_at is not None
    again = client.post(f"/admin/catalog/{eid}/retire", data={"csrf_token": csrf_from(page), "r-reason": "法规废止"},
                        follow_redirects=True).get_data(as_text=True)
    assert "该事项已经停用" in again and "请填写理由" not in again  # (one message: its own)
    try:
        file_case(subjects=(COMPANY2,))
    except DomainError:
        db.session.rollback()
    else:
        raise AssertionError("a retired entry must not be cited by a new case")
    complete("market_lead", only_task(running.id, "pre_review"), {"outcome": "accept"})  # the running case goes on


def test_catalog_import_reports_row_errors_and_imports_nothing_then_imports(client, org, clock):
    login(client, "office1")
    exported = load_workbook(io.BytesIO(client.get("/admin/catalog/export.xlsx").data))
    rows = [[c.value for c in r] for r in exported.active.iter_rows()]
    assert rows[0][0] == "编码" and len(rows) == 7  # header + the six demo entries
    before = db.session.scalar(select(func.count(CatalogVersion.id)))
    wb = Workbook()
    ws = wb.active
    ws.append(rows[0])
    ws.append(["NEW-1", "惩戒", "市场监管专项小组", "新行为", "市市场监管局", "依据", "设列", "M1|措施|市财政局", "", "", "180"])
    ws.append(["NEW-2", "惩戒", "不存在的小组", "新行为", "市市场监管局", "依据", "设列", "M1|措施|不存在的单位", "", "", "-3"])
    buf = io.BytesIO()
    wb.save(buf)
    page = client.get("/admin/catalog").get_data(as_text=True)
    html = client.post("/admin/catalog/import", data={"csrf_token": csrf_from(page), "file": (io.BytesIO(buf.getvalue()), "c.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "第 3 行" in html and "第 2 行" not in html
    assert db.session.scalar(select(func.count(CatalogVersion.id))) == before
    wb2 = Workbook()
    wb2.active.append(rows[0])
    wb2.active.append(["NEW-1", "惩戒", "市场监管专项小组", "新行为", "市市场监管局", "依据", "设列", "M1|措施|市财政局", "", "", "180"])
    buf = io.BytesIO()
    wb2.save(buf)
    client.post("/admin/catalog/import", data={"csrf_token": csrf_from(page), "file": (io.BytesIO(buf.getvalue()), "c.xlsx")},
                content_type="multipart/form-data")
    assert db.session.scalar(select(CatalogEntry).where(CatalogEntry.code == "NEW-1")).current_version.default_period_days == 180
    bad = io.BytesIO(b"not a spreadsheet")
    html = client.post("/admin/catalog/import", data={"csrf_token": csrf_from(page), "file": (bad, "c.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "XLSX" in html


def test_rule_change_affects_only_cases_started_afterwards(client, org, clock):
    from app.workdays.rules import ensure_seeded

    ensure_seeded()
    db.session.commit()
    before = file_case()
    login(client, "admin")
    page = client.get("/admin/rules").get_data(as_text=True)
    # A refusal names its own reason (not "the length" for a wrong kind of day or a long source) and changes nothing.
    bad = client.post("/admin/rules", follow_redirects=True, data={
        "csrf_token": csrf_from(page), "name": "pre_review", "days": "2", "day_kind": "lunar", "source": "x" * 201})
    html = bad.get_data(as_text=True)
    assert "时限天数须为" not in html and "计算方式" in html and "来源" in html
    # A length out of range, or not a number, is told once with the range it must fall in.
    for days in ("999", "abc"):
        html = client.post("/admin/rules", follow_redirects=True, data={
            "csrf_token": csrf_from(page), "name": "pre_review", "days": days, "day_kind": "working", "source": ""}).get_data(as_text=True)
        assert html.count("时限天数须为 1 至 365 之间的整数") == 1, days
        assert "预审时限 · 时限天数：时限天数须为" in html, days  # (which rule of the list)
    # The sources name the policy documents by their numbers, not the project's "seed 00N".
    assert "安政办发〔2017〕64号 (八)" in page and "seed 004" not in page
    # Saving a new length alone keeps the configured source as it was (the form shows it by its document's number).
    import re

    shown = re.search(r'<input name="source" value="([^"]*)"[^>]*form="rule-publicity_inspection"', page).group(1)
    client.post("/admin/rules", data={"csrf_token": csrf_from(page), "name": "publicity_inspection", "days": "21",
                                      "day_kind": "working", "source": shown})
    from app.workdays.models import DeadlineRule

    assert db.session.get(DeadlineRule, "publicity_inspection").source == "seed 004 (八)"
    client.post("/admin/rules", data={"csrf_token": csrf_from(page), "name": "pre_review", "days": "2", "day_kind": "working", "source": "本地决定"})
    after = file_case(subjects=(COMPANY2,))
    assert only_task(before.id, "pre_review").deadline_days == 5
    assert only_task(after.id, "pre_review").deadline_days == 2
    assert only_task(after.id, "pre_review").due_at.astimezone(LOCAL_TZ).date() == date(2026, 11, 25)
    # The running case keeps its rule even for steps opened later.
    from tests.helpers import complete

    complete("market_lead", only_task(before.id, "pre_review"), {"outcome": "return", "reasons": "补充"})
    complete("market_cw", only_task(before.id, "amend_trigger"), {"facts": "f", "legal_basis": "l"})
    assert only_task(before.id, "pre_review").deadline_days == 5


def test_holiday_edit_moves_a_newly_computed_deadline(client, org, clock):
    login(client, "admin")
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "2026年10月10日" in page  # a working Saturday the library knows
    client.post("/admin/calendar?year=2026", data={"csrf_token": csrf_from(page), "d-day": "2026-11-25", "d-status": "off", "d-name": "地方假日（测试）"})
    case = file_case()
    # 5 working days from Mon 23 Nov without Wed 25 Nov: 24, 26, 27, 30 Nov, 1 Dec.
    assert only_task(case.id, "pre_review").due_at.astimezone(LOCAL_TZ).date() == date(2026, 12, 1)
    page = client.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert "⚠" in page
    client.post("/admin/calendar?year=2027", data={"csrf_token": csrf_from(page), "y-source": "国办发明电〔2026〕X号"})
    from app.workdays.services import year_source

    assert year_source(2027) == "entered"


def test_bpmn_upload_accepted_and_refused(client, org, clock):
    login(client, "admin")
    page = client.get("/admin/processes").get_data(as_text=True)
    n = db.session.scalar(select(func.count(ProcessVersion.id)))
    bad = BPMN.read_bytes().replace(b'value="joint_punishment.pre_review"', b'value="no.such.form"', 1)
    html = client.post("/admin/processes", data={"csrf_token": csrf_from(page), "file": (io.BytesIO(bad), "jp.bpmn")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "其中的用户任务不符合本系统的要求。技术细节：jp.bpmn: pre_review：表单 'no.such.form' 不存在" in html.replace("&#39;", "'")
    assert db.session.scalar(select(func.count(ProcessVersion.id))) == n
    torn = BPMN.read_bytes()[:-40]  # (well-formed up to where it stops: lxml names the line)
    html = client.post("/admin/processes", data={"csrf_token": csrf_from(page), "file": (io.BytesIO(torn), "jp.bpmn")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "不是格式正确的 XML（第" in html and "技术细节" in html
    html = client.post("/admin/processes", data={"csrf_token": csrf_from(page), "file": (io.BytesIO(b"<bpmn"), "jp.bpmn")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "XML" in html and db.session.scalar(select(func.count(ProcessVersion.id))) == n
    running = file_case()
    good = BPMN.read_bytes().replace("专项小组预审".encode(), "专项小组预审（新版）".encode(), 1)
    client.post("/admin/processes", data={"csrf_token": csrf_from(page), "file": (io.BytesIO(good), "jp.bpmn")},
                content_type="multipart/form-data")
    assert db.session.scalar(select(func.count(ProcessVersion.id))) == n + 1
    new = file_case(subjects=(COMPANY2,))
    from app.engine.models import ProcessInstance

    v_old = db.session.scalar(select(ProcessInstance.process_version_id).where(ProcessInstance.case_id == running.id))
    v_new = db.session.scalar(select(ProcessInstance.process_version_id).where(ProcessInstance.case_id == new.id))
    assert v_old != v_new
    rows = client.get("/admin/processes").get_data(as_text=True).split("<tr>")
    old_row = next(r for r in rows if f"<td>#{v_old} " in r)
    assert old_row.count("<td>1</td>") == 1  # the running case still counts on the old version
    # The way back from a version found faulty: uploading the earlier file again makes it the one new cases take.
    client.post("/admin/processes", data={"csrf_token": csrf_from(page), "file": (io.BytesIO(BPMN.read_bytes()), "jp.bpmn")},
                content_type="multipart/form-data")
    assert db.session.scalar(select(func.count(ProcessVersion.id))) == n + 1
    again = file_case(subjects=(COMPANY2,))
    assert db.session.scalar(select(ProcessInstance.process_version_id).where(ProcessInstance.case_id == again.id)) == v_old
    # A condition that is not Python is refused when deployed (it failed only when a case reached it), and so is a
    # process id the system does not run.
    broken = BPMN.read_bytes().replace(b"review_outcome == 'return'", b"this is (( not python", 1)
    assert broken != BPMN.read_bytes()
    for bad, lead in ((broken, "其中的条件表达式或脚本不是有效的 Python"),
                      (BPMN.read_bytes().replace(b'id="joint_punishment"', b'id="joint_punishmentX"'), "其流程标识不是本系统运行的流程")):
        html = client.post("/admin/processes", data={"csrf_token": csrf_from(page), "file": (io.BytesIO(bad), "jp.bpmn")},
                           content_type="multipart/form-data").get_data(as_text=True)
        assert lead in html and db.session.scalar(select(func.count(ProcessVersion.id))) == n + 1
    # The system administrator deploys models but has no part in cases (三员分立): an expression that could run any Python
    # (import, dunder attributes, open/getattr/eval) is refused, so a model cannot read the data or the keys.
    for evil in (b"__import__('os').system('id') or review_outcome == 'return'",
                 b"().__class__.__bases__[0].__subclasses__() and review_outcome == 'return'",
                 b"open('/etc/passwd') and review_outcome == 'return'",
                 b"getattr(review_outcome, 'upper') and review_outcome == 'return'",
                 b"'{0.__class__}'.format(review_outcome) and review_outcome == 'return'"):
        html = client.post("/admin/processes", data={"csrf_token": csrf_from(page), "file": (
            io.BytesIO(BPMN.read_bytes().replace(b"review_outcome == 'return'", evil, 1)), "jp.bpmn")},
                           content_type="multipart/form-data").get_data(as_text=True)
        assert "表达式不允许" in html and db.session.scalar(select(func.count(ProcessVersion.id))) == n + 1, evil


def test_users_units_and_permissions(client, org, clock):
    login(client, "admin")
    page = client.get("/admin/users").get_data(as_text=True)
    resp = client.post("/admin/users", data={"csrf_token": csrf_from(page), "username": "new_cw", "full_name": "新经办",
                                             "role": "caseworker", "unit_id": str(user("market_cw").unit_id), "active": "y"},
                       follow_redirects=True)
    assert "new_cw" in resp.get_data(as_text=True)
    u = db.session.scalar(select(User).where(User.username == "new_cw"))
    client.post(f"/admin/users/{u.id}", data={"csrf_token": csrf_from(page), "username": "new_cw", "full_name": "新经办",
                                               "role": "caseworker", "unit_id": str(u.unit_id)})  # active unticked
    db.session.refresh(u)
    assert u.active is False
    page = client.get("/admin/units").get_data(as_text=True)
    client.post("/admin/units", data={"csrf_token": csrf_from(page), "name": "市交通运输局", "kind": "member", "active": "y"})
    html = client.post("/admin/units", data={"csrf_token": csrf_from(page), "name": "市交通运输局", "kind": "member", "active": "y"}).get_data(as_text=True)
    assert "该名称的单位已存在。" in html
    html = client.post("/admin/units", data={"csrf_token": csrf_from(page), "name": "第二个办公室", "kind": "office", "active": "y"}).get_data(as_text=True)
    assert "联席会议办公室只有一个" in html
    sup = client.application.test_client()
    login(sup, "supervisor1")
    assert "市交通运输局" in sup.get("/admin/audit").get_data(as_text=True)
    for username, url in (("office1", "/admin/users"), ("office1", "/admin/rules"), ("supervisor1", "/admin/catalog/new"),
                          ("market_cw", "/admin/catalog"), ("market_cw", "/admin/audit"), ("office1", "/admin/processes")):
        c = client.application.test_client()
        login(c, username)
        assert c.get(url).status_code == 403, (username, url)


def test_an_administrator_names_a_units_liaison(client, org, clock):
    from app.auth.models import Unit

    login(client, "admin")
    finance = db.session.scalar(select(Unit).where(Unit.name == "市财政局"))
    page = client.get(f"/admin/units/{finance.id}").get_data(as_text=True)
    assert "联系人" in page and "马经办（finance_cw）" in page and "陈经办（tax_cw）" not in page  # only the unit's own staff
    form = {"csrf_token": csrf_from(page), "name": finance.name, "kind": finance.kind, "active": "y",
            "liaison_id": str(user("tax_cw").id), "liaison_phone": "028-1234"}
    html = client.post(f"/admin/units/{finance.id}", data=form).get_data(as_text=True)
    assert "不是有效的选择" in html or "联系人须为本单位" in html  # another unit's caseworker is refused
    form.update(liaison_id=str(user("finance_cw").id), liaison_phone="打我电话")
    html = client.post(f"/admin/units/{finance.id}", data=form).get_data(as_text=True)
    assert "请用数字填写电话号码" in html
    form.update(liaison_phone="028-26601234")
    client.post(f"/admin/units/{finance.id}", data=form, follow_redirects=True)
    db.session.refresh(finance)
    assert finance.liaison_id == user("finance_cw").id and finance.liaison_phone == "028-26601234"
    assert "马经办 · 028-26601234" in client.get("/admin/units").get_data(as_text=True)
    change = db.session.scalar(select(AdminChange).where(AdminChange.entity == "unit", AdminChange.entity_key == str(finance.id))
                               .order_by(AdminChange.id.desc()))
    assert change.after["liaison_phone"] == "028-26601234"


def test_entries_record_their_source_and_whether_they_mark_serious_dishonesty(client, org, clock):
    from app.catalog import admin as catalog

    login(client, "office1")
    page = client.get("/admin/catalog/new").get_data(as_text=True)
    assert "全国失信惩戒措施基础清单" in page and "严重失信主体" in page
    html = client.post("/admin/catalog/new", data=entry_form(page, code="LOC-1", source="local", source_document="")).get_data(as_text=True)
    assert "请写明设立该事项的清单或本地决定" in html
    html = client.post("/admin/catalog/new", data=entry_form(page, code="LOC-2", measures="M1|汇总|市发展改革委（市社会信用体系建设联席会议办公室）"))
    assert "不实施措施" in html.get_data(as_text=True)
    assert db.session.scalar(select(CatalogEntry.id).where(CatalogEntry.code == "LOC-1")) is None
    html = client.post("/admin/catalog/new", data=entry_form(page, code="REW-1", kind="reward", serious="y",
                                                             source="national")).get_data(as_text=True)
    assert "只有惩戒事项才能认定严重失信主体" in html
    client.post("/admin/catalog/new", data=entry_form(page, code="LOC-1", source="local", serious="y",
                                                      source_document="资阳市人民政府关于……的决定（示例）"))
    v = db.session.scalar(select(CatalogEntry).where(CatalogEntry.code == "LOC-1")).current_version
    assert (v.source, v.serious) == ("local", True) and "示例" in v.source_document
    # export carries the columns; an old file (without them) imports without dropping the mark
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(client.get("/admin/catalog/export.xlsx").data)).active.iter_rows()]
    assert rows[0][-3:] == catalog.HEADER[-3:]
    loc = next(r for r in rows if r[0] == "LOC-1")
    assert loc[-3:] == ["本地补充", "资阳市人民政府关于……的决定（示例）", "是"]
    wb = Workbook()
    wb.active.append(catalog.LEGACY_HEADER)
    wb.active.append(loc[:11][:6] + ["设列依据（修订）"] + loc[7:11])
    buf = io.BytesIO()
    wb.save(buf)
    page = client.get("/admin/catalog").get_data(as_text=True)
    client.post("/admin/catalog/import", data={"csrf_token": csrf_from(page), "file": (io.BytesIO(buf.getvalue()), "c.xlsx")},
                content_type="multipart/form-data")
    v2 = db.session.scalar(select(CatalogEntry).where(CatalogEntry.code == "LOC-1")).current_version
    assert v2.version_no == 2 and v2.legal_basis == "设列依据（修订）" and v2.serious and v2.source == "local"


def test_an_administrator_enters_the_registered_enterprises(client, org, clock):
    from app.supervision import monitoring

    login(client, "admin")
    page = client.get("/supervision/dashboard").get_data(as_text=True)
    assert "尚未录入" in page
    resp = client.post("/supervision/registered-enterprises", data={"csrf_token": csrf_from(page), "count": "十万", "as_of": "2026-10-31",
                                                                   "source": "市市场监管局"}, follow_redirects=True)
    assert "请以正整数填写登记在册的企业数" in resp.get_data(as_text=True)
    client.post("/supervision/registered-enterprises", data={"csrf_token": csrf_from(page), "count": "98,765", "as_of": "2026-10-31",
                                                            "source": "市市场监管局10月市场主体统计"})
    share = monitoring.serious_share()
    assert share["registered"] == 98765 and share["as_of"].isoformat() == "2026-10-31"
    assert "2026年10月31日" in client.get("/supervision/dashboard").get_data(as_text=True)
    sup = client.application.test_client()
    login(sup, "supervisor1")
    sup_page = sup.get("/supervision/dashboard").get_data(as_text=True)
    assert "录入登记在册企业数" not in sup_page
    resp = sup.post("/supervision/registered-enterprises",
                    data={"csrf_token": csrf_from(sup_page), "count": "1", "as_of": "2026-11-01", "source": "x"})
    assert resp.status_code == 403 and monitoring.serious_share()["registered"] == 98765


def test_the_monthly_catalog_ledger_lists_changes_and_measures_cleaned_up(client, org, clock):
    from app.catalog import admin as catalog

    office = user("office1")
    sc1 = db.session.get(CatalogEntry, entry_id("SC-P-001"))
    e = catalog.entry_in_from_version(sc1.current_version)
    e.measures = "\n".join(line for line in e.measures.splitlines() if "政府采购" not in line)  # measure cleaned up
    catalog.revise(office, sc1, e, "清理超出法定依据的措施")
    catalog.retire(office, db.session.get(CatalogEntry, entry_id("SC-R-001")), "依据废止")
    db.session.commit()
    login(client, "office1")
    html = client.get("/admin/catalog/ledger?month=2026-11").get_data(as_text=True)
    assert "清理超出法定依据的措施" in html and "M1 限制参与政府采购活动（市财政局）" in html and "依据废止" in html
    assert "本月没有变动" in client.get("/admin/catalog/ledger?month=2026-10").get_data(as_text=True)
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(client.get("/admin/catalog/ledger.xlsx?month=2026-11").data)).active.iter_rows()]
    assert rows[0][0] == "时间" and any(r[1] == "SC-P-001" and "政府采购" in (r[7] or "") for r in rows[1:])
    # A month that does not exist is not found, on the page and its export alike (the page showed this month's rows)
    # — no 500: out of the calendar's range, a trailing newline, full-width digits that no download name may carry.
    for bad in ("2026-13", "abc", "0000-01", "9999-12", "2026-11%0a", "２０２６-11"):
        assert client.get(f"/admin/catalog/ledger.xlsx?month={bad}").status_code == 404
        assert client.get(f"/admin/catalog/ledger?month={bad}").status_code == 404
    sup = client.application.test_client()
    login(sup, "market_cw")
    assert sup.get("/admin/catalog/ledger").status_code == 403


def test_a_measure_added_to_a_national_entry_names_the_local_decision_that_sets_it(client, org, clock):
    """Seed 003 1: 严格执行全国失信惩戒措施基础清单…编制补充清单. A measure added to an entry of the national basic list is a
    local supplement and names its decision; unmarked it was saved as national."""
    import pytest

    from app.catalog import admin as catalog
    from app.errors import DomainError

    office = user("office1")
    sc1 = db.session.get(CatalogEntry, entry_id("SC-P-001"))
    assert sc1.current_version.source == "national"
    e = catalog.entry_in_from_version(sc1.current_version)
    added = "M9|限制其参与本市优质民办学校招生|市市场监管局"
    e.measures = e.measures + "\n" + added
    with pytest.raises(DomainError, match="M9"):
        catalog.revise(office, sc1, e, "本市补充措施")
    db.session.rollback()
    e.measures = e.measures.replace(added, added + "|攀府发〔2026〕9号")
    v = catalog.revise(office, sc1, e, "本市补充措施")
    db.session.commit()
    assert v.source == "national" and v.measure("M9")["basis"] == "攀府发〔2026〕9号"
    assert catalog.entry_in_from_version(v).measures.splitlines()[-1] == added + "|攀府发〔2026〕9号"  # (edited again as given)
    e = catalog.entry_in_from_version(v)  # the decision dropped from the supplement: it would read as national
    e.measures = e.measures.replace("|攀府发〔2026〕9号", "")
    with pytest.raises(DomainError, match="M9"):
        catalog.revise(office, sc1, e, "整理")
    db.session.rollback()
    from app.catalog_proposals import services as proposals  # (a unit's proposal is checked as it is made)

    e.admin_unit = "市市场监管局"
    with pytest.raises(DomainError, match="M9"):
        proposals.propose(user("market_cw"), sc1.id, e, "建议调整")
    db.session.rollback()
    login(client, "office1")
    html = client.get("/admin/catalog/ledger?month=2026-11").get_data(as_text=True)
    assert "M9 限制其参与本市优质民办学校招生（市市场监管局）［本市补充：攀府发〔2026〕9号］" in html
