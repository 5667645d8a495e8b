"""A department's list of many subjects on the case page and in the case list: its listings, pushes, open steps and
timeline come a page at a time (a file may hold thousands of rows), every row on exactly one page, and a filter finds
one subject among them."""
import io
import re

from openpyxl import Workbook
from stdnum.cn import uscc

from app.cases import queries
from app.extensions import db
from app.listings import imports
from tests.conftest import login, user

ROWS = 55  # (more than a page of 50)


def _code(n: int) -> str:
    base = f"91510400MA{n:07d}"
    return base + uscc.calc_check_digit(base + "0")


def _department_list():
    wb = Workbook()
    wb.active.append(list(imports.COLUMNS.values()))
    for n in range(ROWS):
        wb.active.append(["黑名单", f"分页企业{n:02d}号", "企业", _code(n), "2026-11-02", "提供虚假材料骗取行政许可", "", "SC-P-001",
                          "市市场监管局", f"资市监信〔2026〕{n + 100}号", "2026-11-02", "2027-11-01"])
    buf = io.BytesIO()
    wb.save(buf)
    [record] = imports.import_list(user("market_cw"), "list.xlsx", buf.getvalue())
    db.session.commit()
    return record


def _section(html: str, anchor: str, end: str) -> str:
    return html.split(f'id="{anchor}"')[1].split(end)[0]


def _names(html: str) -> list[str]:
    return re.findall(r"分页企业\d\d号", html)


def test_listings_pushes_and_steps_are_paged_and_filtered(client, org, clock):
    record = _department_list()
    login(client, "market_cw")
    html = client.get(f"/cases/{record.id}").get_data(as_text=True)
    # The header names the first 20 subjects and counts the rest.
    header = html.split('class="case-header')[1].split("</nav>")[0]
    assert len(_names(header)) == queries.SUBJECTS_SHOWN and f"另有 {ROWS - queries.SUBJECTS_SHOWN} 个主体" in header
    listings = _section(html, "listings", "</table>")
    assert f"({ROWS})" in listings and "1 / 2" in listings and len(_names(listings.split("<tbody>")[1])) == 50
    second = client.get(f"/cases/{record.id}?listings_page=2").get_data(as_text=True)
    rest = _names(_section(second, "listings", "</table>").split("<tbody>")[1])
    assert len(rest) == ROWS - 50
    assert sorted(_names(listings.split("<tbody>")[1]) + rest) == [f"分页企业{n:02d}号" for n in range(ROWS)]  # each once
    # Three units apply the entry's measures: 165 pushes and 165 open steps, 50 a page.
    pushes = _section(html, "pushes", "</table>")
    assert f"({ROWS * 3})" in pushes and "1 / 4" in pushes and pushes.split("<tbody>")[1].count("<tr>") == 50
    last = _section(client.get(f"/cases/{record.id}?pushes_page=4").get_data(as_text=True), "pushes", "</table>")
    assert last.split("<tbody>")[1].count("<tr>") == ROWS * 3 - 150
    steps = _section(html, "steps", "</table>")
    assert "1 / 4" in steps and steps.split("<tbody>")[1].count("<tr>") == 50
    assert f"当前环节 ({ROWS * 3})" in html
    # A filter finds one subject: its listing and its pushes only, by a part of its name or by its code.
    for q in ("企业53号", _code(53)):
        found = client.get(f"/cases/{record.id}", query_string={"q": q}).get_data(as_text=True)
        assert _names(_section(found, "listings", "</table>").split("<tbody>")[1]) == ["分页企业53号"], q
        assert set(_names(_section(found, "pushes", "</table>").split("<tbody>")[1])) == {"分页企业53号"}, q
    none = client.get(f"/cases/{record.id}", query_string={"q": "没有这个"}).get_data(as_text=True)
    assert "没有符合条件的主体。" in _section(none, "listings", "</table>")


def test_a_long_timeline_shows_the_newest_events_and_goes_back_a_window_at_a_time(client, org, clock, monkeypatch):
    monkeypatch.setattr(queries, "TIMELINE_PAGE", 100)
    record = _department_list()
    login(client, "market_cw")
    seen, earlier, total = [], None, None
    while True:
        html = client.get(f"/cases/{record.id}" + (f"?earlier={earlier}" if earlier else "")).get_data(as_text=True)
        timeline = html.split('id="timeline"')[1]
        seqs = [int(s) for s in re.findall(r'<tr data-bpmn-id="[^"]*"[^>]*><td>(\d+)</td>', timeline)]
        first, last, total = map(int, re.search(r"第 (\d+)–(\d+) 条，共 (\d+) 条", timeline).groups())
        assert seqs == list(range(first, last + 1)) and len(seqs) <= 100
        seen = seqs + seen
        if first == 1:
            assert "更早的记录" not in timeline
            break
        earlier = (earlier or 1) + 1
        assert f"earlier={earlier}" in timeline
    assert seen == list(range(1, total + 1)) and total > 300  # every event once, in chain order


def test_the_case_list_names_a_few_open_steps_of_a_case_and_counts_the_rest(client, org, clock):
    record = _department_list()
    login(client, "market_cw")
    html = client.get("/cases/").get_data(as_text=True)
    row = html.split(record.number)[1].split("</tr>")[0]
    assert len(_names(row)) == queries.SUBJECTS_PER_ROW and f"另有 {ROWS - queries.SUBJECTS_PER_ROW} 个主体" in row
    assert row.count("确认措施调整") == queries.STEPS_PER_ROW and f"另有 {ROWS * 3 - queries.STEPS_PER_ROW} 项" in row


def test_a_page_past_the_last_shows_the_last_and_links_keep_the_rest_of_the_view(client, org, clock):
    record = _department_list()
    login(client, "market_cw")
    html = client.get(f"/cases/{record.id}?listings_page=99&pushes_page=2").get_data(as_text=True)
    listings = _section(html, "listings", "</table>")
    assert "2 / 2" in listings and len(_names(listings.split("<tbody>")[1])) == ROWS - 50  # (the last page, not an empty one)
    # The pushes pager keeps the listings' page and the filter; the listings' pager keeps the pushes' page.
    pushes = _section(html, "pushes", "</table>")
    assert re.search(r'href="/cases/\d+\?listings_page=2&amp;pushes_page=3#pushes"', pushes)  # (99: the last, 2, shown)
    assert re.search(r'href="/cases/\d+\?pushes_page=2#listings"', listings)  # (page 1 of the listings: no parameter)
    filtered = client.get(f"/cases/{record.id}", query_string={"q": "分页企业1", "listings_page": "3"}).get_data(as_text=True)
    assert len(_names(_section(filtered, "listings", "</table>").split("<tbody>")[1])) == 10  # 分页企业10号..19号


def test_the_open_steps_name_their_subject_and_link_the_readers_own(client, org, clock):
    from sqlalchemy import select

    from app.cases.models import OpenTask

    record = _department_list()
    login(client, "market_cw")
    steps = _section(client.get(f"/cases/{record.id}").get_data(as_text=True), "steps", "</table>")
    rows = steps.split("<tbody>")[1].split("</tr>")[:-1]
    assert all(len(_names(r)) == 1 for r in rows)  # each push names its subject
    mine = db.session.scalars(select(OpenTask.task_id).where(OpenTask.case_id == record.id, OpenTask.unit_id == user("market_cw").unit_id)).all()
    linked = set(re.findall(r'href="/tasks/([0-9a-f-]+)"', steps))
    assert linked and linked <= set(mine)  # only the reader's own steps are links to their form
    listings = _section(client.get(f"/cases/{record.id}?listings_page=2").get_data(as_text=True), "listings", "</table>")
    assert len(re.findall(r'href="/subjects/\d+">分页企业', listings)) == ROWS - 50  # every row's subject page


def test_a_listings_events_name_its_subject_in_the_timeline(client, org, clock):
    record = _department_list()
    login(client, "market_cw")
    timeline = client.get(f"/cases/{record.id}").get_data(as_text=True).split('id="timeline"')[1]
    pushed = [r for r in timeline.split("<tr ")[1:] if "已向实施单位推送变更" in r]
    assert pushed and all(len(_names(r)) == 1 for r in pushed)  # (which of the 55 subjects each push is about)
