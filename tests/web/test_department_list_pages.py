"""The department-list page: template, upload with row errors shown together, a successful import, and the
listing on the public list naming the department's document."""
import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.listings.models import Listing
from tests.conftest import csrf_from, login
from tests.flows.test_department_lists import GOOD, HEAD

API_KEYS = ["list", "subject_name", "subject_kind", "subject_code", "determined_on", "grounds", "legal_basis", "entry_code",
            "deciding_unit", "case_number", "period_start", "period_end", "status"]


def _file(head, *rows):
    wb = Workbook()
    wb.active.append(head)
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return io.BytesIO(buf.getvalue())


def test_a_department_imports_its_list_through_the_page(client, org, clock):
    login(client, "market_cw")
    page = client.get("/lists/department/").get_data(as_text=True)
    assert "部门名单" in page and "下载模板" in page
    tpl = load_workbook(io.BytesIO(client.get("/lists/department/template.xlsx").data)).active
    assert [c.value for c in tpl[1]] == HEAD
    bad = GOOD[:8] + ["市税务局"] + GOOD[9:]
    html = client.post("/lists/department/", data={"csrf_token": csrf_from(page), "file": (_file(HEAD, GOOD, bad), "l.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "未导入任何数据" in html and "第 3 行：单位只能导入本单位认定的名单" in html
    assert db.session.scalar(select(func.count(Listing.id))) == 0
    html = client.post("/lists/department/", data={"csrf_token": csrf_from(page), "file": (io.BytesIO(b"x"), "l.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "XLSX" in html
    # the API's own export format (English keys, extra columns ignored) imports as it is
    row = ["black", "示例建材有限公司", "enterprise", GOOD[3], "2026-11-02", GOOD[5], "", "SC-P-001", "市市场监管局", "文号-1",
           "2026-11-02", "2027-11-01", "in_effect"]
    resp = client.post("/lists/department/", data={"csrf_token": csrf_from(page), "file": (_file(API_KEYS, row), "api.xlsx")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "已导入 1 行" in resp.get_data(as_text=True) and resp.request.path.startswith("/cases/")
    public = client.get("/public/?list=punishment").get_data(as_text=True)
    assert "示例建材有限公司" in public and "文号-1" in public and "部门报送" in public
    assert "BM-" in client.get("/lists/department/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(public)})
    login(client, "tax_cw")  # another department does not see this import
    assert "BM-" not in client.get("/lists/department/").get_data(as_text=True)


def test_the_department_registers_an_objection_to_its_own_listing_from_the_records_page(client, org, clock):
    """The record's page offers the department the paper objection form for the subjects on the listings page; the
    objection's own page opens, and the public rights text is true for department lists too."""
    from app import clock as app_clock
    from app.cases.models import Case
    from app.listings import imports
    from tests.conftest import user
    from tests.flows.test_department_lists import PERSON, _xlsx
    from tests.helpers import PDF

    [record] = imports.import_list(user("market_cw"), "list.xlsx", _xlsx(GOOD, PERSON))
    db.session.commit()
    login(client, "market_cw")
    page = client.get(f"/cases/{record.id}").get_data(as_text=True)
    assert 'id="paper-objection"' in page and "张某" in page.split('id="po-subject"')[1].split("</select>")[0]
    person = db.session.scalar(select(Listing).where(Listing.case_id == record.id, Listing.decision_no == PERSON[9]))
    resp = client.post(f"/cases/{record.id}/objection-on-paper", content_type="multipart/form-data", follow_redirects=True, data={
        "csrf_token": csrf_from(page), "subject_id": str(person.subject_id), "received_on": app_clock.today_local().isoformat(),
        "grounds": "已履行义务（信函）。", "files": (io.BytesIO(PDF.data), "异议书.pdf")})
    html = resp.get_data(as_text=True)
    obj = db.session.scalar(select(Case).where(Case.kind == "objection"))
    assert resp.status_code == 200 and obj is not None and obj.number in html
    assert db.session.get(Listing, person.id).status == "suspended"



def test_a_paper_objection_refused_comes_back_on_the_subjects_listings_page(client, org, clock):
    """Registered from a filtered, paged view of a long list: refused (a day before the determination), the form comes
    back on the same view with the subject chosen, not on page 1 with another subject selected; nothing is written."""
    from app.cases.models import Case
    from app.listings import imports
    from tests.conftest import user
    from tests.flows.test_department_lists import PERSON, _xlsx
    from tests.helpers import PDF

    [record] = imports.import_list(user("market_cw"), "list.xlsx", _xlsx(GOOD, PERSON))
    db.session.commit()
    person = db.session.scalar(select(Listing).where(Listing.case_id == record.id, Listing.decision_no == PERSON[9]))
    login(client, "market_cw")
    page = client.get(f"/cases/{record.id}", query_string={"q": "张某"}).get_data(as_text=True)
    action = page.split('id="paper-objection"')[1].split('action="')[1].split('"')[0]
    assert "q=" in action
    resp = client.post(action.replace("&amp;", "&"), content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "subject_id": str(person.subject_id), "received_on": "2026-11-01",  # (decided 11-10)
        "grounds": "已履行义务（信函）。", "files": (io.BytesIO(PDF.data), "异议书.pdf")})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "不早于决定日期" in html
    chosen = html.split('id="po-subject"')[1].split("</select>")[0]
    assert f'value="{person.subject_id}" selected' in chosen and "示例建材有限公司" not in chosen
    assert db.session.scalar(select(Case).where(Case.kind == "objection")) is None
    assert db.session.get(Listing, person.id).status == "in_effect"


def test_the_imports_table_counts_each_imports_subjects_in_one_query(client, org, clock):
    """The table of imports shows each import's number of rows without loading them: the page costs the same number of
    statements with one import as with two."""
    import re

    from tests.flows.test_department_lists import PERSON
    from tests.flows.test_push_writes import statements

    login(client, "market_cw")
    page = client.get("/lists/department/").get_data(as_text=True)

    def send(*rows):
        resp = client.post("/lists/department/", data={"csrf_token": csrf_from(page), "file": (_file(HEAD, *rows), "l.xlsx")},
                           content_type="multipart/form-data", follow_redirects=True)
        assert f"已导入 {len(rows)} 行" in resp.get_data(as_text=True)

    def counts() -> tuple[list[int], int]:
        with statements() as seen:
            html = client.get("/lists/department/").get_data(as_text=True)
        table = html[html.index("<h2"):]
        return [int(n) for n in re.findall(r"</td><td>(\d+)</td>\s*<td class=\"small text-nowrap\">", table)], len(seen)

    send(GOOD, PERSON[:9] + [GOOD[9]] + PERSON[10:])  # two rows under one document: one import of two subjects
    first, cost = counts()
    assert first == [2]
    send(GOOD[:1] + ["另一建材有限公司", GOOD[2], "91510400MA6X00090A"] + GOOD[4:9] + ["资市监信〔2026〕14号"] + GOOD[10:])
    second, cost_after = counts()
    assert sorted(second) == [1, 2] and cost_after == cost


def test_the_system_administrator_imports_no_list(client, org, clock):
    """三员分立: the system administrator does no business work; a black list is a department's (or the office's)."""
    login(client, "market_cw")
    token = csrf_from(client.get("/lists/department/").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    login(client, "admin")
    assert client.get("/lists/department/").status_code == 403
    page = client.get("/admin/users").get_data(as_text=True)
    resp = client.post("/lists/department/", data={"csrf_token": csrf_from(page), "file": (_file(HEAD, GOOD), "l.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 403 and db.session.scalar(select(func.count(Listing.id))) == 0
