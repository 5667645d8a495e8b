"""Reports of dishonest behaviour from the public (bpmn/public_report.bpmn): the office assigns a report to the
unit responsible or declines it; the unit files a trigger (linked) or closes it with reasons; the reporter follows
it with the number and query code; the steps have working-day deadlines; nothing reveals whether a subject exists."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.cases.models import Case, OpenTask, Subject
from app.errors import DomainError
from app.extensions import db
from app.public_reports import services as reports
from tests.conftest import user
from tests.helpers import complete, event_types, file_case, only_task, unit_id


def _report(name="某建材有限公司", code="91510400MA6X000102"):
    case, query = reports.submit("enterprise", name, code, "该公司在政府采购投标中提供虚假业绩材料。", "李先生", "13800001111", [])
    db.session.commit()
    return case, query


def test_a_report_is_assigned_verified_and_a_trigger_filed_from_it(org, clock):
    # (a trigger filed before the report, which the report cannot be said to have given rise to)
    earlier = file_case("market_cw", subjects=(("enterprise", "另一家公司", "91510400MA6X000809"),))
    clock.shift(timedelta(hours=1))
    subjects_before = db.session.scalar(select(func.count(Subject.id)))
    case, query = _report()
    assert case.number.startswith("JB-") and case.status == "report_assigning" and len(query) == 14
    assert db.session.scalar(select(func.count(Subject.id))) == subjects_before  # no subject made from public input
    assign = only_task(case.id, "assign_report")
    assert assign.unit_id == unit_id("市发展改革委（市社会信用体系建设联席会议办公室）") and assign.due_at is not None
    with pytest.raises(DomainError) as err:
        complete("office1", assign, {"assignment": "assign", "unit_id": 0, "reasons": ""})
    assert err.value.errors[0][0] == "unit_id"
    db.session.rollback()
    complete("office1", assign, {"assignment": "assign", "unit_id": unit_id("市市场监管局"), "reasons": "请核查投标材料。"})
    verify = only_task(case.id, "verify_report")
    assert verify.unit_id == unit_id("市市场监管局") and verify.deadline_rule == "report_verify"
    # the unit files a trigger from it, then gives its number; another unit's or an unknown number is refused
    with pytest.raises(DomainError) as err:  # filed before the report
        complete("market_cw", verify, {"outcome": "filed", "trigger_number": earlier.number, "reasons": "属实"})
    assert err.value.errors[0][0] == "trigger_number"
    db.session.rollback()
    others = file_case("tax_cw", entries=("SC-P-002",))
    for number in ("JC-0000-000000", others.number):
        with pytest.raises(DomainError) as err:
            complete("market_cw", verify, {"outcome": "filed", "trigger_number": number, "reasons": "属实"})
        assert err.value.errors[0][0] == "trigger_number"
        db.session.rollback()
    trigger = file_case("market_cw")
    complete("market_cw", verify, {"outcome": "filed", "trigger_number": trigger.number.lower(), "reasons": "经核查属实，已立案。"})
    case = db.session.get(Case, case.id)
    assert case.status == "report_rewarding" and reports.report_of(case.id).trigger_case_id == trigger.id
    assert "report_filed" in event_types(trigger.id) and "report_assigned" in event_types(case.id)
    # seed 002 五(三) 对举报人实行有偿奖励: the office decides the reporter's reward of a confirmed report
    decide = only_task(case.id, "decide_reward")
    assert (decide.role, decide.unit_id, decide.deadline_rule) == ("office", assign.unit_id, "report_reward") and decide.due_at
    for values, field in (({"reward": "reward", "amount": None, "reward_reasons": "属实"}, "amount"),
                          ({"reward": "reward", "amount": 0, "reward_reasons": "属实"}, "amount"),
                          ({"reward": "reward", "amount": 2000, "reward_reasons": " "}, "reward_reasons"),
                          ({"reward": "", "amount": None, "reward_reasons": "属实"}, "reward"),
                          ({"reward": "none", "amount": 500, "reward_reasons": "不予奖励"}, "amount")):  # (which was meant?)
        with pytest.raises(DomainError) as err:
            complete("office1", decide, values)
        assert err.value.errors[0][0] == field
        db.session.rollback()
    complete("office1", decide, {"reward": "reward", "amount": 2000, "reward_reasons": "举报线索属实，按规定给予奖励。"})
    case = db.session.get(Case, case.id)
    assert case.status == "report_filed" and case.determination["reward_amount"] == 2000
    assert "report_reward_decided" in event_types(case.id)
    # the reporter follows it; a wrong code gives the same answer as an unknown number
    assert reports.track(case.number, query).status == "report_filed"
    assert reports.track(case.number.lower(), query.replace("-", "").lower()) is not None
    assert reports.track(case.number, "AAAA-BBBB-CCCC") is None and reports.track("JB-2026-999999", query) is None


def test_the_office_declines_a_report_with_reasons(org, clock):
    case, query = _report(name="张三", code="")
    assign = only_task(case.id, "assign_report")
    with pytest.raises(DomainError) as err:
        complete("office1", assign, {"assignment": "decline", "unit_id": 0, "reasons": ""})
    assert err.value.errors[0][0] == "reasons"
    db.session.rollback()
    complete("office1", assign, {"assignment": "decline", "unit_id": 0, "reasons": "所反映问题属民事纠纷，不属于失信行为。"})
    seen = reports.track(case.number, query)
    assert seen.status == "report_declined" and "民事纠纷" in seen.determination["reasons"]
    assert db.session.scalar(select(OpenTask.id).where(OpenTask.case_id == case.id)) is None


def test_the_unit_closes_an_unfounded_report_and_deadlines_run_in_working_days(org, clock):
    case, _query = _report()
    complete("office1", only_task(case.id, "assign_report"), {"assignment": "assign", "unit_id": unit_id("市财政局"), "reasons": ""})
    verify = only_task(case.id, "verify_report")
    opened = verify.created_at
    assert (verify.due_at - opened) >= timedelta(days=15)  # 15 working days: at least three weeks of calendar time
    complete("finance_cw", verify, {"outcome": "closed", "trigger_number": "", "reasons": "经核查，投标材料真实。"})
    assert db.session.get(Case, case.id).status == "report_closed"


def test_bad_input_says_what_is_wrong_and_changes_nothing(org, clock):
    before = db.session.scalar(select(func.count(Case.id)))
    with pytest.raises(DomainError) as err:
        reports.submit("enterprise", "", "91510400MA6X000103", "太短", "", "not a contact", [])
    fields = {f for f, _m in err.value.errors}
    assert {"subject_name", "subject_code", "content", "contact_name", "contact"} <= fields
    db.session.rollback()
    assert db.session.scalar(select(func.count(Case.id))) == before
    assert user("public-reports") is None or not user("public-reports").active
