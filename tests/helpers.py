"""Shared helpers for flow and web tests: file cases and complete tasks through the real services."""
from datetime import date

from sqlalchemy import select

from app import clock as app_clock
from app.auth.models import Unit
from app.cases import tasks
from app.cases.attachments import Upload
from app.cases.models import Case, CaseEvent, OpenTask
from app.catalog.models import CatalogEntry
from app.extensions import db
from app.joint import services
from app.joint.tasks import measure_choices
from tests.conftest import user

PDF = Upload("evidence.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
COMPANY = ("enterprise", "测试建材有限公司", "91510400MA6X000102")
COMPANY2 = ("enterprise", "测试物流有限公司", "91510400MA6X000809")
PERSON = ("person", "张某", "510402198503124568")


def unit_id(name: str) -> int:
    return db.session.scalar(select(Unit.id).where(Unit.name == name))


def entry_id(code: str) -> int:
    return db.session.scalar(select(CatalogEntry.id).where(CatalogEntry.code == code))


def file_case(username="market_cw", subjects=(COMPANY,), entries=("SC-P-001",), files=(PDF,)) -> Case:
    case = services.file_trigger(
        user(username),
        subjects=[services.SubjectIn(*s) for s in subjects],
        entry_ids=[entry_id(c) for c in entries],
        title="测试案件",
        facts="事实。",
        legal_basis="依据。",
        files=list(files),
    )
    db.session.commit()
    return case


def open_tasks(case_id: int, bpmn_id: str | None = None) -> list[OpenTask]:
    stmt = select(OpenTask).where(OpenTask.case_id == case_id).order_by(OpenTask.id)
    if bpmn_id:
        stmt = stmt.where(OpenTask.bpmn_id == bpmn_id)
    return list(db.session.scalars(stmt))


def only_task(case_id: int, bpmn_id: str) -> OpenTask:
    found = open_tasks(case_id, bpmn_id)
    assert len(found) == 1, [t.bpmn_id for t in open_tasks(case_id)]
    return found[0]


def complete(username: str, ot: OpenTask, values: dict, files=()) -> Case:
    case = tasks.complete(user(username), ot.task_id, values, list(files))
    db.session.commit()
    return case


def schedule(username: str, ot: OpenTask, meeting_date: date | None = None, legal=1, industry=2, reserves=1,
             excluded=(), reason=""):
    return complete(
        username, ot,
        {"meeting_date": meeting_date or app_clock.today_local(), "legal_count": legal, "industry_count": industry,
         "reserves": reserves, "excluded_expert_ids": list(excluded), "exclusion_reason": reason},
    )


def determine(username: str, ot: OpenTask, decision="act", days=365, measures=None, start: date | None = None):
    """Schedule the meeting (drawing experts) when that step is open, then record the decision."""
    if ot.bpmn_id.startswith("schedule_meeting"):
        schedule(username, ot)
        ot = only_task(ot.case_id, ot.bpmn_id.replace("schedule_meeting", "determination"))
    case = db.session.get(Case, ot.case_id)
    keys = [k for k, _m, _v in measure_choices(case)]
    return complete(
        username,
        ot,
        {
            "meeting_date": app_clock.today_local(),
            "attending_unit_ids": [user(username).unit_id],
            "minutes": "会议纪要。",
            "decision": decision,
            "measures": keys if measures is None else measures,
            "period_start": start or app_clock.today_local(),
            "period_days": days,
        },
    )


def event_types(case_id: int) -> list[str]:
    return list(db.session.scalars(select(CaseEvent.type).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)))
