"""A member unit proposes catalog entries of its own field; the office returns, publishes or declines them
(bpmn/catalog_proposal.bpmn), and a published proposal is a new entry or a new version citing it."""
import pytest
from sqlalchemy import select

from app.catalog import admin as catalog
from app.catalog.models import CatalogEntry
from app.catalog_proposals import services as proposals
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from tests.conftest import user
from tests.helpers import complete, entry_id, only_task, open_tasks


def _draft(**over):
    e = dict(kind="punishment", group="市场监管专项小组", behaviour="虚假广告严重违法", admin_unit="市市场监管局",
             grounds="发布虚假广告，情节严重", legal_basis="《广告法》第五十五条", measures="M1|限制参与政府采购活动|市财政局",
             measure_content="", required_evidence="行政处罚决定书", default_period_days="365", source="national",
             source_document="", serious=False)
    e.update(over)
    return catalog.EntryIn(**e)


def test_a_new_entry_is_returned_amended_and_published(org, clock):
    with pytest.raises(DomainError) as err:  # another unit's field
        proposals.propose(user("market_cw"), None, _draft(admin_unit="市税务局"), "新规")
    assert err.value.errors[0][0] == "admin_unit"
    with pytest.raises(DomainError) as err:  # a local supplement without its decision
        proposals.propose(user("market_cw"), None, _draft(source="local"), "本地补充")
    assert err.value.errors[0][0] == "source_document"
    db.session.rollback()
    case = proposals.propose(user("market_cw"), None, _draft(), "《广告法》修订后新增")
    db.session.commit()
    assert case.number.startswith("ML-") and case.status == "proposal_review"
    fields = {f["field"]: f["right"] for f in proposals.proposed_changes(case)}  # (what the office reviews: every field)
    assert {"required_evidence", "measure_content", "legal_basis", "measures"} <= fields.keys()
    assert fields["behaviour"] == _draft().behaviour
    review = only_task(case.id, "review_proposal")
    assert review.deadline_rule == "proposal_review" and review.due_at is not None
    with pytest.raises(DomainError) as err:
        complete("office1", review, {"outcome": "return", "code": "", "reasons": ""})
    assert err.value.errors[0][0] == "reasons"
    db.session.rollback()
    complete("office1", review, {"outcome": "return", "code": "", "reasons": "请补充住建部门的招投标限制措施。"})
    amend = only_task(case.id, "amend_proposal")
    assert amend.unit_id == user("market_cw").unit_id
    values = {**vars(_draft(measures="M1|限制参与政府采购活动|市财政局\nM2|限制参与工程建设项目招标投标|市住房城乡建设局")), "reason": "已补充"}
    complete("market_cw", amend, values)
    review = only_task(case.id, "review_proposal")
    with pytest.raises(DomainError) as err:  # a new entry needs its code
        complete("office1", review, {"outcome": "publish", "code": "", "reasons": ""})
    db.session.rollback()
    complete("office1", review, {"outcome": "publish", "code": "SC-P-009", "reasons": ""})
    entry = db.session.scalar(select(CatalogEntry).where(CatalogEntry.code == "SC-P-009"))
    assert len(entry.current_version.measures) == 2 and case.number in entry.current_version.change_reason
    assert db.session.get(type(case), case.id).status == "proposal_published" and open_tasks(case.id) == []


def test_a_revision_only_of_an_entry_the_unit_administers_and_the_office_may_decline(org, clock):
    sc1 = db.session.get(CatalogEntry, entry_id("SC-P-001"))  # administered by the market regulator
    with pytest.raises(PermissionDenied):
        proposals.propose(user("tax_cw"), sc1.id, _draft(admin_unit="市税务局"), "x")
    draft = catalog.entry_in_from_version(sc1.current_version)
    draft.default_period_days = 730
    case = proposals.propose(user("market_lead"), sc1.id, draft, "按新规缩短期限")
    db.session.commit()
    with pytest.raises(DomainError) as err:  # one open proposal per entry
        proposals.propose(user("market_cw"), sc1.id, draft, "同一事项再提")
    assert case.number in str(err.value.errors[0][1])
    db.session.rollback()
    complete("office1", only_task(case.id, "review_proposal"), {"outcome": "publish", "code": "", "reasons": "同意"})
    db.session.refresh(sc1)
    assert sc1.current_version.version_no == 2 and sc1.current_version.default_period_days == 730
    other = proposals.propose(user("market_cw"), sc1.id, catalog.entry_in_from_version(sc1.current_version), "再议")
    db.session.commit()
    complete("office1", only_task(other.id, "review_proposal"), {"outcome": "reject", "code": "", "reasons": "无修改内容。"})
    assert db.session.get(type(other), other.id).status == "proposal_rejected"
