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
    # The office's review shows every field beside the entry as it stands, the changed ones marked (it showed neither
    # the evidence required nor the measures' content, and no comparison: it approved what it could not see).
    office = client.application.test_client()
    login(office, "office1")
    review = office.get(f"/tasks/{only_task(case.id, 'review_proposal').task_id}").get_data(as_text=True)
    table = review[review.index('id="proposal-changes"'):review.index("</table>", review.index('id="proposal-changes"'))]
    for label in ("所需证据材料", "措施内容", "法律依据", "默认期限（天）"):
        assert label in table, label
    assert table.count("已修改") >= 2  # (the measures and the period, at least)
    complete("office1", only_task(case.id, "review_proposal"), {"outcome": "return", "code": "", "reasons": "措施请与原事项保持一致。"})
    task = only_task(case.id, "amend_proposal")
    page = client.get(f"/tasks/{task.task_id}").get_data(as_text=True)
    assert "730" in page and "措施请与原事项保持一致" in page


def test_a_proposal_sent_twice_is_made_once_and_its_texts_are_bounded(client, org, clock):
    import re

    from sqlalchemy import func

    login(client, "env_cw")
    page = client.get("/catalog-proposals/new").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([0-9a-f]{32})"', page).group(1)
    form = {"csrf_token": csrf_from(page), "submission_key": key, "kind": "punishment", "group": "生态环境专项小组",
            "behaviour": "超标排放", "admin_unit": "市生态环境局", "grounds": "长" * 4001, "legal_basis": "《环境保护法》",
            "measures": "M1|限制参与政府采购活动|市财政局", "measure_content": "", "required_evidence": "", "default_period_days": "365",
            "source": "local", "source_document": "市政府决定", "serious": "", "reason": "新增"}
    refused = client.post("/catalog-proposals/new", data=form).get_data(as_text=True)
    assert "字段长度不能超过 4000 个字符" in refused and db.session.scalar(select(func.count()).select_from(Case)) == 0
    form["grounds"] = "超标排放被处罚"
    form["measures"] = "\n".join(f"M{n}|措施{n}|市财政局" for n in range(51))
    too_many = client.post("/catalog-proposals/new", data=form).get_data(as_text=True)
    assert "每个事项最多 50 项措施" in too_many and "请至少填写一项措施" not in too_many
    form["measures"] = "M1|" + "长" * 301 + "|市财政局"
    assert "内容不超过 300 个字符" in client.post("/catalog-proposals/new", data=form).get_data(as_text=True)
    form["measures"] = "M1|限制参与政府采购活动|市财政局"
    first = client.post("/catalog-proposals/new", data=form)
    again = client.post("/catalog-proposals/new", data=form, follow_redirects=True)
    proposals = db.session.scalars(select(Case).where(Case.kind == "catalog_proposal")).all()
    assert first.status_code == 302 and len(proposals) == 1
    assert f"该表单已提交过，已生成 {proposals[0].number}" in again.get_data(as_text=True)
