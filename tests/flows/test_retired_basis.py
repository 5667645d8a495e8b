"""The office retires a catalog entry whose measures are cleared (seed 003 第2条 暂停并规范清理不符合要求的失信约束措施)
and ends the listings still in force under it: each revoked, its measures lifted at every unit, out of the public list
and the credit check; a subject whose objection is being handled keeps its listing until the objection is decided."""
import io

import pytest
from sqlalchemy import func, select

from app.audit.models import AdminChange
from app.cases.attachments import Upload
from app.cases.models import Attachment, CaseEvent
from app.catalog import admin as catalog
from app.catalog.models import CatalogEntry
from app.credit import services as credit
from app.enums import EventType
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.listings import retired_basis
from app.listings.models import Push
from app.rights import objections
from tests.conftest import csrf_from, login, user
from tests.helpers import COMPANY, COMPANY2, applicant_for, entry_id, in_effect_case, listings_of, unit_id

SCAN = Upload("清理文件.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def _check(code: str) -> str:
    return credit.check(credit.Requester(unit_id=unit_id("市财政局"), user_id=user("finance_cw").id), code,
                        "procurement", "CG-1").verdict


def test_the_office_ends_the_listings_under_a_retired_entry_and_keeps_one_under_objection(org, clock):
    case, codes = in_effect_case(subjects=(COMPANY, COMPANY2))
    first, second = listings_of(case.id)
    eid = entry_id("SC-P-001")
    assert [lst.id for lst in retired_basis.in_force(eid)] == [first.id, second.id]
    assert retired_basis.count_in_force(eid) == 2

    # The first subject objects: its listing is suspended while the group answers.
    applicant = applicant_for(case, codes)
    objection = objections.file_objection(applicant, case.id, "处罚依据已废止", [])
    db.session.commit()
    assert listings_of(case.id)[0].status == "suspended"

    # Refused, nothing written: the entry still in use, not the office, no reasons, no scan.
    with pytest.raises(DomainError):
        retired_basis.end_all(user("office1"), eid, "清理", [SCAN])
    db.session.rollback()
    catalog.retire(user("office1"), db.session.get(CatalogEntry, eid), "依国家基础清单清理")
    db.session.commit()
    for actor, reasons, files, error in ((user("market_lead"), "清理", [SCAN], PermissionDenied),
                                         (user("admin"), "清理", [SCAN], PermissionDenied),
                                         (user("office1"), "  ", [SCAN], DomainError),
                                         (user("office1"), "清理", [], DomainError)):
        with pytest.raises(error):
            retired_basis.end_all(actor, eid, reasons, files)
        db.session.rollback()
    assert [lst.status for lst in listings_of(case.id)] == ["suspended", "in_effect"]

    out = retired_basis.end_all(user("office1"), eid, "依国家基础清单，该措施已废止。", [SCAN])
    db.session.commit()
    assert [lst.id for lst in out.ended] == [second.id] and out.left == 0
    assert [(lst.id, r.id) for lst, r in out.held] == [(first.id, objection.id)]
    first, second = listings_of(case.id)
    assert (first.status, second.status) == ("suspended", "revoked")
    lifts = db.session.scalars(select(Push).where(Push.listing_id == second.id, Push.action == "lift")).all()
    assert {p.unit_id for p in lifts} == {unit_id("市财政局"), unit_id("市住房城乡建设局"), unit_id("市市场监管局")}
    assert _check(COMPANY2[2]) != "punished"
    revoked = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                         CaseEvent.type == EventType.DETERMINATION_REVOKED)).all()
    assert [e.details["basis_retired"] for e in revoked] == ["SC-P-001"]
    [scan] = db.session.scalars(select(Attachment).where(Attachment.purpose == "listing_end")).all()
    assert scan.subject_id == second.subject_id
    change = db.session.scalar(select(AdminChange).where(AdminChange.action == "end_listings"))
    assert change.after == {"ended": [second.id], "held": [first.id], "left": 0} and change.reason.startswith("依国家")
    assert retired_basis.count_in_force(eid) == 1  # the suspended one, until its objection is decided
    assert {k: c.id for k, c in retired_basis.requests_open(retired_basis.in_force(eid)).items()} == {first.id: objection.id}


def test_a_large_clean_up_is_ended_in_batches(org, clock, monkeypatch):
    case, _codes = in_effect_case(subjects=(COMPANY, COMPANY2))
    eid = entry_id("SC-P-001")
    catalog.retire(user("office1"), db.session.get(CatalogEntry, eid), "清理")
    db.session.commit()
    monkeypatch.setattr(retired_basis, "BATCH", 1)
    out = retired_basis.end_all(user("office1"), eid, "清理", [SCAN])
    db.session.commit()
    assert (len(out.ended), out.left) == (1, 1)
    out = retired_basis.end_all(user("office1"), eid, "清理", [SCAN])
    db.session.commit()
    assert (len(out.ended), out.left) == (1, 0)
    assert [lst.status for lst in listings_of(case.id)] == ["revoked", "revoked"]
    assert case.status == "closed"


def test_retiring_leads_the_office_to_the_listings_it_ends_there(client, org, clock):
    case, _codes = in_effect_case()
    eid = entry_id("SC-P-001")
    login(client, "office1")
    page = client.get(f"/admin/catalog/{eid}").get_data(as_text=True)
    assert f"/catalog/{eid}/listings" in page
    resp = client.post(f"/admin/catalog/{eid}/retire", data={"csrf_token": csrf_from(page), "r-reason": "依国家基础清单清理"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/catalog/{eid}/listings")
    page = client.get(f"/catalog/{eid}/listings").get_data(as_text=True)
    assert COMPANY[1] in page and case.number in page and "终止以上惩戒" in page

    # No scan: refused with the message on the form, nothing ended.
    resp = client.post(f"/catalog/{eid}/listings", data={"csrf_token": csrf_from(page), "reasons": "清理"})
    assert resp.status_code == 200 and "请附上清理文件的扫描件" in resp.get_data(as_text=True)
    assert listings_of(case.id)[0].status == "in_effect"

    resp = client.post(f"/catalog/{eid}/listings", data={"csrf_token": csrf_from(page), "reasons": "依国家基础清单清理",
                                                         "files": [(io.BytesIO(SCAN.data), SCAN.filename)]},
                       content_type="multipart/form-data", follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "已终止 1 项" in html and listings_of(case.id)[0].status == "revoked"
    timeline = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "所依据的目录条目（SC-P-001）已废止" in timeline
    # the units' measures read as being lifted until each confirms, not as still applied
    assert "市财政局: 解除中" in timeline and "市财政局: 已实施" not in timeline

    # Others: the administrator sees the page without the form and may not end; a group lead may not see it.
    admin = client.application.test_client()
    login(admin, "admin")
    page = admin.get(f"/catalog/{eid}/listings").get_data(as_text=True)
    assert "终止以上惩戒" not in page
    assert admin.post(f"/catalog/{eid}/listings", data={"csrf_token": csrf_from(page), "reasons": "x"}).status_code == 403
    lead = client.application.test_client()
    login(lead, "market_lead")
    assert lead.get(f"/catalog/{eid}/listings").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Push).where(Push.action == "lift")) == 3


def test_a_punishment_resting_also_on_an_entry_in_force_is_not_ended_with_the_retired_one(org, clock):
    """The listing's case cites two entries: retiring one leaves the punishment resting on the other (its deciding body
    decides); the page counts it apart. A case citing the retired entry alone is ended."""
    catalog.create(user("office1"), "SC-P-009", catalog.EntryIn(
        kind="punishment", group="市场监管专项小组", behaviour="虚假广告严重违法", admin_unit="市市场监管局",
        grounds="发布虚假广告，情节严重", legal_basis="《广告法》第五十五条", measures="M1|限制参与政府采购活动|市财政局",
        measure_content="", required_evidence="行政处罚决定书", default_period_days="365", source="national",
        source_document="", serious=False), "新增")
    db.session.commit()
    alone, _codes = in_effect_case(subjects=(COMPANY,))
    both, _codes = in_effect_case(subjects=(COMPANY2,), entries=("SC-P-001", "SC-P-009"))
    eid = entry_id("SC-P-001")
    catalog.retire(user("office1"), db.session.get(CatalogEntry, eid), "清理")
    db.session.commit()
    assert [lst.case_id for lst in retired_basis.in_force(eid)] == [alone.id]
    assert retired_basis.count_resting_elsewhere(eid) == 1
    out = retired_basis.end_all(user("office1"), eid, "清理", [SCAN])
    db.session.commit()
    assert [lst.case_id for lst in out.ended] == [alone.id]
    assert listings_of(both.id)[0].status == "in_effect" and listings_of(alone.id)[0].status == "revoked"
    # Retiring the other entry too leaves it resting on retired entries only: it is ended then.
    catalog.retire(user("office1"), db.session.get(CatalogEntry, entry_id("SC-P-009")), "清理")
    db.session.commit()
    assert [lst.case_id for lst in retired_basis.in_force(eid)] == [both.id]
