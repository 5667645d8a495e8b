"""Administration pages speak the user's language: the catalog version diff names its fields, the record of
changes shows labelled fields with names instead of JSON and ids, and unit types and states are words."""
import re

from sqlalchemy import select

from app.catalog.models import CatalogVersion
from app.extensions import db
from tests.conftest import csrf_from, login, user
from tests.helpers import entry_id
from tests.web.test_admin import entry_form

RAW = re.compile(r"\b(behaviour|legal_basis|admin_unit|measure_content|required_evidence|default_period_days|day_kind|"
                 r"unit_id|full_name|member|county|password_reset|set_day|None|True|False)\b")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_catalog_diff_names_its_fields(client, org, clock):
    login(client, "office1")
    eid = entry_id("SC-P-001")
    page = client.get(f"/admin/catalog/{eid}").get_data(as_text=True)
    client.post(f"/admin/catalog/{eid}", data=entry_form(page, behaviour="被列入严重违法失信名单（修订）", reason="依据新规修订"))
    v1, v2 = db.session.scalars(select(CatalogVersion).where(CatalogVersion.entry_id == eid).order_by(CatalogVersion.version_no))
    text = visible_text(client.get(f"/admin/catalog/{eid}/diff?a={v1.id}&b={v2.id}").get_data(as_text=True))
    assert "法律依据" in text and "主管单位" in text and "默认期限（天）" in text
    assert not RAW.findall(text), RAW.findall(text)


def test_change_record_shows_words_not_json(client, org, clock):
    login(client, "admin")
    page = client.get("/admin/users").get_data(as_text=True)
    client.post("/admin/users", data={"csrf_token": csrf_from(page), "username": "new_cw", "full_name": "新经办",
                                      "role": "caseworker", "unit_id": str(user("market_cw").unit_id), "active": "y"})
    page = client.get("/admin/rules").get_data(as_text=True)
    client.post("/admin/rules", data={"csrf_token": csrf_from(page), "name": "pre_review", "days": "6", "day_kind": "calendar",
                                      "source": "市联席办〔2026〕3号"})
    page = client.get("/admin/units").get_data(as_text=True)
    client.post("/admin/units", data={"csrf_token": csrf_from(page), "name": "市交通运输局", "kind": "county", "active": "y"})
    text = visible_text(client.get("/admin/audit").get_data(as_text=True))
    assert "{" not in text and not RAW.findall(text), RAW.findall(text)
    assert "期限规则" in text and "6" in text and "自然日" in text and "市联席办〔2026〕3号" in text
    assert "经办人" in text and "市市场监管局" in text  # role and unit by name
    assert "县（区）部门" in text


def test_units_page_shows_types_and_states_in_words(client, org):
    login(client, "admin")
    html = client.get("/admin/units").get_data(as_text=True)
    text = visible_text(html)
    assert "成员单位" in text and "单位类型" in text and "主体类型" not in text and "在库" not in text
    assert not RAW.findall(text), RAW.findall(text)


def test_the_missing_calendar_warning_appears_once_on_the_calendar_page(client, org, clock):
    clock.move_to("2027-12-01T02:00:00+00:00")  # 2028 is not in the library (nor entered)
    login(client, "admin")
    html = client.get("/admin/calendar?year=2028").get_data(as_text=True)
    assert "2028 年节假日安排尚未录入" not in html  # the page itself says it for the year it shows
    assert html.count("本年度尚无节假日安排") == 1  # said once, by the page itself
    assert "2028 年节假日安排尚未录入" in client.get("/admin/rules").get_data(as_text=True)


def test_a_calendar_entry_made_by_mistake_is_removed_with_its_name_shown_and_audited(client, org, clock):
    from datetime import date

    from app.workdays.services import add_working_days

    login(client, "admin")
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    client.post("/admin/calendar?year=2026", data={"csrf_token": csrf_from(page), "d-day": "2026-12-31", "d-status": "off",
                                                   "d-name": "测试"})
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    row = page.split("2026年12月31日")[1][:600]
    assert "测试" in row and "删除" in row
    assert add_working_days(date(2026, 12, 30), 1)[0] == date(2027, 1, 1)  # (the 31st now a holiday)
    resp = client.post("/admin/calendar/clear", data={"csrf_token": csrf_from(page), "c-day": "2026-12-31"}, follow_redirects=True)
    assert "已删除" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert add_working_days(date(2026, 12, 30), 1)[0] == date(2026, 12, 31)
    assert "2026年12月31日" not in client.get("/admin/calendar?year=2026").get_data(as_text=True)
    trail = visible_text(client.get("/admin/audit").get_data(as_text=True))
    assert "已删除该日的设置" in trail and "clear_day" not in trail
    resp = client.post("/admin/calendar/clear", data={"csrf_token": csrf_from(page), "c-day": "2026-12-31"}, follow_redirects=True)
    assert "该日没有设置" in resp.get_data(as_text=True)
