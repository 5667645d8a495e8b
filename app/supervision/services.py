"""SLA over the open tasks (aggregated in SQL) and notices/summons to slow units, which stay on the
timelines of the cases concerned."""
from datetime import date

from sqlalchemy import distinct, func, select

from app import clock
from app.auth.models import ADMIN, OFFICE, SUPERVISOR, Unit
from app.auth.permissions import require_role
from app.cases import events
from app.cases.models import Case, OpenTask
from app.enums import JOINT_KINDS, EventType
from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.labels import step
from app.supervision.models import Notice, StepRecord, TypicalCase
from app.supervision.monitoring import quarter_of
from app.workdays.services import working_days_ago

VIEWERS = (SUPERVISOR, OFFICE, ADMIN)


def record_step(case, open_task, actor, at) -> None:
    """A completed task as a step record (time per step, on-time rate) for the monitoring figures."""
    due = clock.as_utc(open_task.due_at)
    opened = clock.as_utc(open_task.created_at)
    db.session.add(StepRecord(
        case_id=case.id, bpmn_id=open_task.bpmn_id, unit_id=open_task.unit_id, opened_at=opened, completed_at=at,
        hours=round((at - opened).total_seconds() / 3600, 2), on_time=(at <= due) if due else None,
    ))


def overdue_by_unit(actor):
    require_role(actor, *VIEWERS)
    now = clock.now()
    return db.session.execute(
        select(Unit.id, Unit.name, func.count(OpenTask.id).label("tasks"), func.count(distinct(OpenTask.case_id)).label("cases"),
               func.min(OpenTask.due_at).label("oldest"))
        .join(Unit, Unit.id == OpenTask.unit_id)
        .where(OpenTask.due_at < now)
        .group_by(Unit.id, Unit.name)
        .order_by(func.count(OpenTask.id).desc(), Unit.name)
    ).all()


def overdue_by_step(actor):
    require_role(actor, *VIEWERS)
    now = clock.now()
    return db.session.execute(
        select(OpenTask.bpmn_id, func.min(OpenTask.name).label("name"), func.count(OpenTask.id).label("tasks"),
               func.min(OpenTask.due_at).label("oldest"))
        .where(OpenTask.due_at < now)
        .group_by(OpenTask.bpmn_id)
        .order_by(func.count(OpenTask.id).desc())
    ).all()


def issue(actor, unit_id: int, kind: str, text: str, on_date: date | None) -> Notice:
    """The office or a supervisor notifies (通报) or summons (约谈) a unit about its overdue work
    (seed 001 四(三): 联席会议办公室……通报、约谈)."""
    require_role(actor, SUPERVISOR, OFFICE)
    if kind not in ("notice", "summons"):
        raise DomainError(_l("Choose notice or summons."), "kind")
    if not (text or "").strip():
        raise DomainError(_l("Write the text of the notice."), "text")
    if on_date is None:
        raise DomainError(_l("Enter the date."), "on_date")
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise DomainError(_l("No such unit."), "unit_id")
    case_ids = list(db.session.scalars(
        select(OpenTask.case_id).where(OpenTask.unit_id == unit_id, OpenTask.due_at < clock.now()).distinct()
    ))
    notice = Notice(kind=kind, unit_id=unit_id, text=text.strip(), on_date=on_date, issued_by_id=actor.id,
                    addressed_to_id=unit.liaison_id)
    notice.cases = list(db.session.scalars(select(Case).where(Case.id.in_(case_ids)))) if case_ids else []
    db.session.add(notice)
    db.session.flush()
    for cid in case_ids:
        events.record(cid, EventType.UNIT_NOTICED, actor, {"notice_id": notice.id, "kind": kind, "unit_id": unit_id,
                                                         "text": text.strip(), "on_date": on_date.isoformat()})
    return notice


def notices_for_unit(actor):
    require_role(actor, "caseworker", "group_lead", OFFICE)
    return list(db.session.scalars(select(Notice).where(Notice.unit_id == actor.unit_id).order_by(Notice.issued_at.desc())))


def all_notices(actor):
    require_role(actor, *VIEWERS)
    return list(db.session.scalars(select(Notice).order_by(Notice.issued_at.desc()).limit(200)))


def acknowledge(actor, notice_id: int) -> Notice:
    """The unit notified acknowledges it (its own staff: not a supervisor who happens to share the unit)."""
    require_role(actor, "caseworker", "group_lead", OFFICE)
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.unit_id != actor.unit_id:
        raise DomainError(_l("No such notice for your unit."))
    if notice.acknowledged_at is None:
        notice.acknowledged_at, notice.acknowledged_by_id = clock.now(), actor.id
    return notice


def register_typical(actor, case_number: str, summary: str):
    """A member unit registers one of its cases as a typical reward or punishment case of this quarter."""
    require_role(actor, "caseworker", "group_lead")
    case = db.session.scalar(select(Case).where(Case.number == (case_number or "").strip()))
    if case is None or case.initiating_unit_id != actor.unit_id or case.kind not in JOINT_KINDS:
        raise DomainError(_l("No such case of your unit."), "case_number")
    if case.decision != "act":
        raise DomainError(_l("Only decided cases of joint action can be typical cases."), "case_number")
    if not (summary or "").strip():
        raise DomainError(_l("Write a short summary."), "summary")
    quarter = quarter_of(clock.today_local())
    if db.session.scalar(select(TypicalCase.id).where(TypicalCase.unit_id == actor.unit_id, TypicalCase.case_id == case.id,
                                                      TypicalCase.quarter == quarter)):
        raise DomainError(_l("This case is already registered for this quarter."), "case_number")
    t = TypicalCase(unit_id=actor.unit_id, case_id=case.id, quarter=quarter, summary=summary.strip(), registered_by_id=actor.id)
    db.session.add(t)
    db.session.flush()
    return t


def typical_of_unit(actor):
    if actor.unit_id is None:
        return []
    return list(db.session.scalars(select(TypicalCase).where(TypicalCase.unit_id == actor.unit_id).order_by(TypicalCase.registered_at.desc())))


AUTO_TEXT = {
    "objection_reply_late": _l("The unit did not reply to the objection %(number)s within the set time; the matter went to "
                               "the joint-meeting office at once (seed 001 二(三)2)."),
    "overdue_escalation": _l("The step %(step)s of case %(number)s is overdue beyond the escalation period."),
}


def auto_notice(unit_id: int, reason: str, cases: list[Case], **text_values) -> Notice:
    """A notice (通报) the system issues by rule, on the timelines of the cases concerned."""
    text = str(AUTO_TEXT[reason] % text_values) if text_values else str(AUTO_TEXT[reason])
    notice = Notice(kind="notice", unit_id=unit_id, text=text, on_date=clock.today_local(), issued_by_id=None, reason=reason,
                    addressed_to_id=db.session.scalar(select(Unit.liaison_id).where(Unit.id == unit_id)))
    notice.cases = list(cases)
    db.session.add(notice)
    db.session.flush()
    for c in cases:
        events.record(c.id, EventType.UNIT_NOTICED, None, {"notice_id": notice.id, "kind": "notice", "unit_id": unit_id,
                                                         "text": text, "on_date": notice.on_date.isoformat(), "reason": reason})
    return notice


def late_reply_notice(payload: dict, case: Case, actor) -> None:
    """Routed from bpmn/objection.bpmn: the deciding unit let the reply deadline pass."""
    cases = [case] + ([db.session.get(Case, case.parent_case_id)] if case.parent_case_id else [])
    auto_notice(int(payload["unit_id"]), payload.get("reason", "objection_reply_late"), cases, number=case.number)


def escalate_overdue(now, after_days: int, limit: int = 500) -> int:
    """Open tasks overdue for more than `after_days` working days: their units are notified once."""
    from_due = working_days_ago(now, after_days)
    rows = db.session.scalars(
        select(OpenTask).where(OpenTask.escalated.is_(False), OpenTask.breached.is_(True), OpenTask.due_at < from_due,
                               OpenTask.unit_id.is_not(None))
        .order_by(OpenTask.due_at).limit(limit).with_for_update(skip_locked=True)
    ).all()
    for ot in rows:
        ot.escalated = True
        auto_notice(ot.unit_id, "overdue_escalation", [ot.case], number=ot.case.number, step=step(ot.bpmn_id, ot.name))
    return len(rows)
