"""A unit proposes a revision through its page; the returned draft comes back prefilled in the unit's task."""
from sqlalchemy import select

from app.cases.models import Case
from app.extensions import db
from tests.conftest import csrf_from, login
from tests.helpers import complete, entry_id, only_task


def test_a_unit_proposes_a_revision_and_amends_it_on_the_task_page(client, org, clock):
    login(client, "market_cw")
    index = client.get("/catalog-proposals/").get_data(as_text=True)
    assert "SC-P-001" in index and "SC-P-002" not in index  # only entries the unit administers
    page = client.get(f"/catalog-proposals/new?entry={entry_id('SC-P-001')}").get_data(as_text=True)
    assert "被列入严重违法失信企业名单" in page
    assert client.get(f"/catalog-proposals/new?entry={entry_id('SC-P-002')}").status_code == 403  # the tax bureau's
    form = {"csrf_token": csrf_from(page), "kind": "punishment", "group": "市场监管专项小组", "behaviour": "被列入严重违法失信企业名单",
            "admin_unit": "市市场监管局", "grounds": "企业因严重违法行为被列入名单", "legal_basis": "《企业信息公示暂行条例》第十八条",
            "measures": "M1|限制参与政府采购活动|市财政局", "measure_content": "", "required_evidence": "", "default_period_days": "730",
            "source": "national", "source_document": "", "serious": "y", "reason": ""}
    html = client.post(f"/catalog-proposals/new?entry={entry_id('SC-P-001')}", data=form).get_data(as_text=True)
    assert "请说明理由" in html
    form["reason"] = "依据新规调整"
    resp = client.post(f"/catalog-proposals/new?entry={entry_id('SC-P-001')}", data=form, follow_redirects=True)
    assert "已提交联席办审核" in resp.get_data(as_text=True)
    case = db.session.scalar(select(Case).where(Case.kind == "catalog_proposal"))
    complete("office1", only_task(case.id, "review_proposal"), {"outcome": "return", "code": "", "reasons": "措施请与原事项保持一致。"})
    task = only_task(case.id, "amend_proposal")
    page = client.get(f"/tasks/{task.task_id}").get_data(as_text=True)
    assert "730" in page and "措施请与原事项保持一致" in page
