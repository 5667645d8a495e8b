"""The 双公示 ledger through the pages: a unit uploads and reads its own; the office reads every unit's and the
monthly figures; others are refused."""
import io

from app.extensions import db
from tests.conftest import csrf_from, login
from tests.flows.test_publicity import _xlsx
from tests.helpers import statements_of


def test_a_unit_uploads_its_ledger_and_the_office_reads_the_month(client, org, clock):
    login(client, "market_cw")
    page, statements = statements_of(lambda: client.get("/publicity/").get_data(as_text=True))
    assert "双公示台账" in page and "/publicity/template.xlsx" in page
    assert "7个工作日" in page and "20个工作日" in page  # (the three lengths it gives read the rules once)
    assert sum("FROM deadline_rule" in st for st in statements) == 1, statements
    assert client.get("/publicity/template.xlsx").status_code == 200
    bad = client.post("/publicity/", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(_xlsx(["行政处罚", "罚1", "甲公司", "2026-13-01", "", ""])), "l.xlsx")})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "未保存任何记录" in html and "第 2 行" in html
    done = client.post("/publicity/", content_type="multipart/form-data", follow_redirects=True, data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(_xlsx(["行政处罚", "罚〔2026〕4号", "<b>丁公司</b>", "2026-11-06", "", ""])), "l.xlsx")})
    html = done.get_data(as_text=True)
    assert "新增 1 条" in html and "&lt;b&gt;丁公司&lt;/b&gt;" in html and "逾期未公示" in html
    assert client.get("/publicity/monthly").status_code == 403  # (the figures are the office's and supervisors')
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, "supervisor1")
    assert 'value="2026-10"' in client.get("/publicity/monthly").get_data(as_text=True)  # (the month just ended)
    month = client.get("/publicity/monthly?month=2026-11").get_data(as_text=True)
    assert "市市场监管局" in month and "0.0%" in month and "only=overdue" in month
    listing = client.get("/publicity/?only=overdue&month=2026-11").get_data(as_text=True)
    assert "罚〔2026〕4号" in listing and 'name="file"' not in listing  # (reads; does not upload)
    assert client.get("/publicity/monthly?month=2026-99").status_code == 404
    assert client.get("/publicity/?month=2026-13").status_code == 404  # (not every row, unfiltered)
    client.post("/logout", data={"csrf_token": csrf_from(listing)})
    login(client, "tax_cw")
    assert "罚〔2026〕4号" not in client.get("/publicity/").get_data(as_text=True)  # another unit's ledger
    auditing = client.application.test_client()
    login(auditing, "supervisor1")
    trail = auditing.get("/admin/audit").get_data(as_text=True)  # (the import's record reads in Chinese)
    assert "双公示台账" in trail and "已导入" in trail and "新增" in trail and "publicity_ledger" not in trail and ">import<" not in trail


def test_a_row_entered_by_mistake_is_withdrawn_with_its_reason_kept(client, org, clock):
    from sqlalchemy import select

    from app.audit.models import AdminChange
    from app.publicity.models import PublicityEntry

    login(client, "market_cw")
    page = client.get("/publicity/").get_data(as_text=True)
    client.post("/publicity/", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(_xlsx(["行政处罚", "罚〔2026〕44号（错）", "丁公司", "2026-11-06", "", ""])), "l.xlsx")})
    entry = db.session.scalar(select(PublicityEntry))
    refused = client.post(f"/publicity/{entry.id}/withdraw", data={"csrf_token": csrf_from(page), "reason": " "}, follow_redirects=True)
    assert "请说明撤回理由" in refused.get_data(as_text=True) and db.session.get(PublicityEntry, entry.id) is not None
    too_long = client.post(f"/publicity/{entry.id}/withdraw", data={"csrf_token": csrf_from(page), "reason": "错" * 501},
                           follow_redirects=True).get_data(as_text=True)
    assert "500" in too_long and "表单已过期" not in too_long and db.session.get(PublicityEntry, entry.id) is not None
    done = client.post(f"/publicity/{entry.id}/withdraw", data={"csrf_token": csrf_from(page), "reason": "文书号录入错误"},
                       follow_redirects=True)
    assert "已从台账撤回" in done.get_data(as_text=True) and db.session.scalar(select(PublicityEntry)) is None
    change = db.session.scalar(select(AdminChange).where(AdminChange.entity == "publicity_entry", AdminChange.action == "withdraw"))
    assert change.reason == "文书号录入错误" and change.before["decision_no"] == "罚〔2026〕44号（错）"
    # Another unit cannot withdraw a row that is not its own.
    client.post("/publicity/", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(_xlsx(["行政处罚", "罚〔2026〕45号", "戊公司", "2026-11-06", "", ""])), "l.xlsx")})
    kept = db.session.scalar(select(PublicityEntry))
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(client, "tax_cw")
    other = client.get("/publicity/").get_data(as_text=True)
    client.post(f"/publicity/{kept.id}/withdraw", data={"csrf_token": csrf_from(other), "reason": "x"})
    assert db.session.get(PublicityEntry, kept.id) is not None
