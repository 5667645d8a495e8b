"""A unit merged mid-case (机构和职能调整): an administrator names its successor; open tasks, unconfirmed pushes,
measures to apply, objections to answer and catalog entries move to it; new tasks for the old unit reach the
successor; history still shows who did what at the time."""
import pytest
from sqlalchemy import select

from app.admin.succession import hand_over
from app.auth.models import Unit
from app.cases.models import Case, CaseEvent, CaseMeasure
from app.catalog.models import CatalogEntry
from app.clock import today_local
from app.errors import DomainError
from app.extensions import db
from app.listings.models import ListingUnit
from app.rights import objections
from tests.conftest import user
from tests.helpers import applicant_for, complete, determine, file_case, in_effect_case, only_task, open_tasks, unit_id

FINANCE, HOUSING = "市财政局", "市住房城乡建设局"


def test_a_unit_merged_mid_case_hands_over_its_work(org, clock):
    # A case in implementation: the finance bureau has its implementation task open.
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"))
    finance_task = next(t for t in open_tasks(case.id, "implement") if t.unit_id == unit_id(FINANCE))
    before = db.session.scalar(select(CaseEvent.id).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id.desc()).limit(1))
    with pytest.raises(DomainError):
        hand_over(user("office1"), unit_id(FINANCE), unit_id(HOUSING), "合并")
    with pytest.raises(DomainError) as err:
        hand_over(user("admin"), unit_id(FINANCE), unit_id(HOUSING), "")
    assert err.value.errors[0][0] == "reason"
    moved = hand_over(user("admin"), unit_id(FINANCE), unit_id(HOUSING), "市政府机构改革方案：财政局职能并入住建局（示例）")
    db.session.commit()
    assert moved["tasks"] >= 1 and moved["entries"] >= 1
    db.session.refresh(finance_task)
    assert finance_task.unit_id == unit_id(HOUSING)
    finance = db.session.get(Unit, unit_id(FINANCE))
    assert not finance.active and finance.successor_id == unit_id(HOUSING)
    from app.auth.services import save_unit

    with pytest.raises(DomainError) as err:  # not back in use behind its successor's back
        save_unit(user("admin"), finance, finance.name, finance.kind, True)
    assert err.value.errors[0][0] == "active"
    # measures to apply and the catalog now name the successor
    assert unit_id(FINANCE) not in set(db.session.scalars(select(CaseMeasure.unit_id).where(CaseMeasure.case_id == case.id)))
    assert unit_id(FINANCE) not in set(db.session.scalars(select(ListingUnit.unit_id)))
    entry = db.session.scalar(select(CatalogEntry).where(CatalogEntry.code == "SC-P-001"))
    assert all(m["unit_id"] != unit_id(FINANCE) for m in entry.current_version.measures) and entry.current_version.version_no == 2
    # the housing bureau's caseworker completes the moved task; the history keeps what happened before
    complete("housing_cw", finance_task, {"outcome": "applied", "report": "已落实（承接原财政局职责）", "reasons": ""})
    types = list(db.session.scalars(select(CaseEvent.type).where(CaseEvent.case_id == case.id, CaseEvent.id > before)))
    assert "unit_succeeded" in types
    old_events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.id <= before)).all()
    assert any((e.details or {}).get("unit_id") == unit_id(FINANCE) for e in old_events)  # who it was, at the time


def test_new_work_for_a_succeeded_unit_reaches_its_successor(org, clock):
    case, codes = in_effect_case()
    hand_over(user("admin"), unit_id("市市场监管局"), unit_id(HOUSING), "职能调整（示例）")
    db.session.commit()
    applicant = applicant_for(case, codes)
    obj = objections.file_objection(applicant, case.id, "异议", [])
    db.session.commit()
    # the objection is answered by the unit that decided — now its successor
    assert only_task(obj.id, "reply_objection").unit_id == unit_id(HOUSING)


def test_a_meeting_convenes_the_unit_that_took_over_a_measures_work(org, clock):
    """The cited catalog version still names the finance bureau, merged since into the housing bureau: convening the
    housing bureau convenes the units concerned (no reason asked for a unit that no longer exists)."""
    from app.cases import tasks as task_service
    from app.joint.tasks import units_to_convene

    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    hand_over(user("admin"), unit_id(FINANCE), unit_id(HOUSING), "市政府机构改革方案（示例）")
    db.session.commit()
    assert unit_id(FINANCE) not in units_to_convene(case) and unit_id(HOUSING) in units_to_convene(case)
    ot = only_task(case.id, "schedule_meeting")
    values = {"meeting_date": today_local(), "legal_count": 1, "industry_count": 2, "reserves": 1, "excluded_expert_ids": [],
              "exclusion_reason": "", "convened_unit_ids": [unit_id(HOUSING)]}
    task_service.complete(user("market_lead"), ot.task_id, values)
    db.session.commit()
    assert "convening_reason" not in db.session.get(Case, case.id).determination


def test_the_administrator_hands_work_over_on_the_unit_page(client, org, clock):
    from tests.conftest import csrf_from, login

    login(client, "admin")
    page = client.get(f"/admin/units/{unit_id(FINANCE)}").get_data(as_text=True)
    assert "移交工作" in page
    resp = client.post(f"/admin/units/{unit_id(FINANCE)}/hand-over", data={"csrf_token": csrf_from(page), "successor_id": unit_id(HOUSING),
                                                                        "reason": ""}, follow_redirects=True)
    assert "请说明原因" in resp.get_data(as_text=True) and db.session.get(Unit, unit_id(FINANCE)).active
    resp = client.post(f"/admin/units/{unit_id(FINANCE)}/hand-over", data={"csrf_token": csrf_from(page), "successor_id": unit_id(HOUSING),
                                                                        "reason": "机构改革"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    db.session.expire_all()
    assert "已移交" in html and db.session.get(Unit, unit_id(FINANCE)).successor_id == unit_id(HOUSING)
    audit = client.get("/admin/audit")
    assert audit.status_code == 200 and "市财政局" in audit.get_data(as_text=True)  # the hand-over is in the record
