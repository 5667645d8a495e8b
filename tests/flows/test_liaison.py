"""Each unit's liaison (联系人, seed 001 四(二)) receives the unit's pushes and notices: tasks drawn with a
"liaison" property arrive claimed by them; colleagues see who has it; a liaison who leaves frees the work."""
import pytest
from sqlalchemy import select

from app import clock as app_clock
from app.auth.models import Unit
from app.auth.services import save_unit, save_user
from app.cases import queries
from app.cases.models import CaseEvent
from app.errors import Conflict, DomainError
from app.extensions import db
from app.supervision import services as supervision
from tests.conftest import user
from tests.helpers import add_colleague_of, complete, determine, file_case, only_task, open_tasks, unit_id

FINANCE = "市财政局"


def _to_implementation():
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"))
    return case


def _finance_task(case):
    return next(t for t in open_tasks(case.id, "implement") if t.unit_id == unit_id(FINANCE))


def test_measures_to_apply_go_to_the_units_liaison(org, clock):
    colleague = add_colleague_of("finance_cw", "finance_cw2")
    finance = db.session.get(Unit, unit_id(FINANCE))
    save_unit(user("admin"), finance, finance.name, finance.kind, True, colleague.id, "028-12345678")
    db.session.commit()
    case = _to_implementation()
    task = _finance_task(case)
    assert task.claimed_by_id == colleague.id  # straight to the liaison
    created = [e for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.type == "task_created",
                                                                     CaseEvent.bpmn_id == "implement"))
               if e.details["unit_id"] == unit_id(FINANCE)]
    assert [e.details["liaison_id"] for e in created] == [colleague.id]
    # the colleague sees it in the unit's inbox as the liaison's, and cannot complete it
    assert task.id in [t.id for t in queries.inbox(user("finance_cw")).items]
    with pytest.raises(Conflict):
        complete("finance_cw", task, {"outcome": "applied", "report": "已落实", "reasons": ""})
    complete("finance_cw2", task, {"outcome": "applied", "report": "已落实", "reasons": ""})
    # a group lead's step (receiving the decision) is not the caseworker liaison's: it stays in the queue
    assert all(t.claimed_by_id is None for t in open_tasks(case.id, "notify_groups"))


def test_a_liaison_who_leaves_frees_the_units_work(org, clock):
    colleague = add_colleague_of("finance_cw", "finance_cw2")
    finance = db.session.get(Unit, unit_id(FINANCE))
    save_unit(user("admin"), finance, finance.name, finance.kind, True, colleague.id, "")
    db.session.commit()
    case = _to_implementation()
    assert _finance_task(case).claimed_by_id == colleague.id
    save_user(user("admin"), colleague, colleague.username, colleague.full_name, colleague.role, colleague.unit_id, False)
    db.session.commit()
    assert db.session.get(Unit, unit_id(FINANCE)).liaison_id is None
    task = _finance_task(case)
    assert task.claimed_by_id is None  # back in the unit's queue
    released = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.type == "task_released"))
    assert released.details["reason"] == "user_left" and released.actor_id is None
    complete("finance_cw", task, {"outcome": "applied", "report": "已落实", "reasons": ""})


def test_the_liaison_must_be_active_staff_of_the_unit(org, clock):
    finance = db.session.get(Unit, unit_id(FINANCE))
    for someone in ("tax_cw", "expert1"):  # another unit's caseworker, an expert
        with pytest.raises(DomainError) as err:
            save_unit(user("admin"), finance, finance.name, finance.kind, True, user(someone).id, "")
        assert err.value.errors[0][0] == "liaison_id"
    with pytest.raises(DomainError) as err:
        save_unit(user("admin"), finance, finance.name, finance.kind, True, user("finance_cw").id, "call me")
    assert err.value.errors[0][0] == "liaison_phone"
    db.session.rollback()


def test_notices_are_addressed_to_the_liaison(org, clock):
    notice = supervision.issue(user("office1"), unit_id(FINANCE), "notice", "请按期反馈", app_clock.today_local())
    db.session.commit()
    assert notice.addressed_to_id == user("finance_cw").id  # the demo names each unit's caseworker
