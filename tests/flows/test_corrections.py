"""Corrections of a subject's data (信息更正): reported by the subject or a unit, verified by the unit that filed
the subject's case within the set time (bpmn/correction.bpmn), and pushed to the units applying measures."""
import pytest
from sqlalchemy import select

from app.cases.models import Case, Subject
from app.dueprocess import corrections
from app.errors import DomainError
from app.extensions import db
from app.listings.models import ListingUnit, Push
from tests.conftest import user
from tests.helpers import COMPANY, applicant_for, complete, event_types, in_effect_case, only_task, open_tasks, unit_id


def test_a_correction_reported_by_the_subject_reaches_the_units_applying_measures(org, clock):
    case, codes = in_effect_case()
    applicant = applicant_for(case, codes)
    subject_id = case.subjects[0].subject_id
    with pytest.raises(DomainError) as err:
        corrections.report(applicant, subject_id, "name", COMPANY[1], "同名", [], case.id)
    assert err.value.errors[0][0] == "proposed"  # nothing would change
    corr = corrections.report(applicant, subject_id, "name", "测试建材股份有限公司", "已于2026年10月变更登记名称。", [], case.id)
    db.session.commit()
    assert corr.number.startswith("GZ-") and corr.status == "correction_review"
    ot = only_task(corr.id, "verify_correction")
    assert ot.unit_id == case.initiating_unit_id and ot.due_at is not None  # the filing unit, within the set time
    with pytest.raises(DomainError) as err:  # one correction of an item at a time
        corrections.report(applicant, subject_id, "name", "另一个名称有限公司", "再报一次。", [], case.id)
    db.session.rollback()
    assert err.value.errors[0][0] == "field" and corr.number in str(err.value.message)
    states_before = {lu.unit_id: lu.state for lu in db.session.scalars(select(ListingUnit))}
    complete("market_cw", ot, {"outcome": "corrected", "reasons": "经核对营业执照，名称已变更。"})
    assert db.session.get(Subject, subject_id).name == "测试建材股份有限公司"
    assert db.session.get(Case, corr.id).status == "correction_done"
    assert corrections.pending_correction(subject_id, "name") is None  # verified: the item may be reported again
    assert "subject_corrected" in event_types(case.id) and "subject_corrected" in event_types(corr.id)
    pushes = db.session.scalars(select(Push).where(Push.action == "correct")).all()
    assert {p.unit_id for p in pushes} == set(states_before)  # every unit applying a measure is told
    # each unit confirms it updated its records; the measure's state does not change
    for p in pushes:
        t = next(t for t in open_tasks(case.id, "confirm_push") if t.instance_id == p.instance_id)
        who = {unit_id("市财政局"): "finance_cw", unit_id("市住房城乡建设局"): "housing_cw", unit_id("市市场监管局"): "market_cw"}[p.unit_id]
        complete(who, t, {"done": True, "note": "已更新"})
    assert {lu.unit_id: lu.state for lu in db.session.scalars(select(ListingUnit))} == states_before


def test_a_unit_reports_and_the_responsible_unit_refuses_with_reasons(org, clock):
    case, _codes = in_effect_case()
    subject_id = case.subjects[0].subject_id
    with pytest.raises(DomainError):  # not party to any case about the subject
        corrections.report(user("court_cw"), subject_id, "legal_representative", "李某", "登记有误", [])
    corr = corrections.report(user("finance_cw"), subject_id, "legal_representative", "李某", "法定代表人登记有误", [])
    db.session.commit()
    with pytest.raises(DomainError) as err:
        complete("market_cw", only_task(corr.id, "verify_correction"), {"outcome": "refused", "reasons": ""})
    assert err.value.errors[0][0] == "reasons"
    db.session.rollback()
    complete("market_cw", only_task(corr.id, "verify_correction"), {"outcome": "refused", "reasons": "经核对登记信息，记录无误。"})
    assert db.session.get(Subject, subject_id).legal_representative is None
    assert db.session.get(Case, corr.id).status == "correction_rejected" and "correction_refused" in event_types(case.id)
    assert db.session.scalars(select(Push).where(Push.action == "correct")).all() == []


def test_a_code_correction_is_validated(org, clock):
    case, codes = in_effect_case()
    applicant = applicant_for(case, codes)
    with pytest.raises(DomainError) as err:
        corrections.report(applicant, case.subjects[0].subject_id, "code", "91510400MA6X000103", "代码错误", [], case.id)
    assert err.value.errors[0][0] == "proposed"
