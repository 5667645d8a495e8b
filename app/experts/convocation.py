"""Units convened to a determination meeting (seed 001 二(二)2: the group lead convenes the member, non-member
and county units concerned). Each convened unit gets its own small process (bpmn/meeting_attendance.bpmn): the
meeting appears in its inbox and it confirms whether it attends; the invitation ends when the meeting is
recorded or when its answer time runs out."""
from datetime import date

from sqlalchemy import select

from app import clock
from app.auth.models import Unit
from app.cases import events, runtime
from app.cases.models import REL_NOTIFIED, Case
from app.cases.services import add_case_unit
from app.enums import EventType
from app.errors import DomainError
from app.experts.models import ConvenedUnit
from app.extensions import db
from app.i18n import lazy_gettext as _l

PROCESS = "meeting_attendance"


def convene(actor, case: Case, meeting_date: date, unit_ids: list[int]) -> list[ConvenedUnit]:
    """Convene the units (flush); a unit already convened to this meeting is not asked twice."""
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids or []), Unit.active.is_(True)))}
    if len(units) != len(set(unit_ids or [])):
        raise DomainError(_l("Choose units that are in use."), "convened_unit_ids")
    now = clock.now()
    due = runtime.case_deadline(case, "attendance_confirm", now).due_at
    out = []
    for uid in unit_ids or []:
        if uid == actor.unit_id or db.session.scalar(select(ConvenedUnit.id).where(
                ConvenedUnit.case_id == case.id, ConvenedUnit.unit_id == uid, ConvenedUnit.meeting_date == meeting_date)):
            continue
        row = ConvenedUnit(case_id=case.id, unit_id=uid, meeting_date=meeting_date, status="invited", respond_by=due)
        db.session.add(row)
        db.session.flush()
        add_case_unit(case.id, uid, REL_NOTIFIED)  # a convened unit reads the case file
        loaded = runtime.start(case, PROCESS, {"convened_id": row.id, "convened_unit_id": uid,
                                               "attendance_due": due.isoformat()}, actor)
        row.instance_id = loaded.instance.id
        out.append(row)
    if out:
        events.record(case.id, EventType.UNITS_CONVENED, actor, {
            "summary": "、".join(units[r.unit_id].name for r in out), "meeting_date": meeting_date.isoformat()})
    return out


def convened_of(case_id: int) -> list[ConvenedUnit]:
    return list(db.session.scalars(select(ConvenedUnit).where(ConvenedUnit.case_id == case_id).order_by(ConvenedUnit.id)))


def for_instance(instance_id: int) -> ConvenedUnit | None:
    return db.session.scalar(select(ConvenedUnit).where(ConvenedUnit.instance_id == instance_id))


def confirm(ctx) -> dict:
    """Task confirm_attendance: the unit attends (and who will come) or not."""
    answer = ctx.values.get("answer")
    if answer not in ("attend", "absent"):
        raise DomainError(_l("Say whether your unit attends."), "answer")
    attendees = (ctx.values.get("attendees") or "").strip()
    if answer == "attend" and not attendees:
        raise DomainError(_l("Say who will attend."), "attendees")
    row = for_instance(ctx.task.instance_id)
    row.status = "attending" if answer == "attend" else "absent"
    row.attendees, row.answered_by_id, row.answered_at = attendees, ctx.actor.id, clock.now()
    events.record(ctx.case.id, EventType.ATTENDANCE_ANSWERED, ctx.actor,
                  {"unit_id": row.unit_id, "summary": attendees, "attending": answer == "attend"})
    return {}


def ended(inst, case: Case, props: dict) -> None:
    row = for_instance(inst.id)
    if row is not None and row.status == "invited":
        row.status = props.get("attendance") or row.status


def close(actor, case: Case) -> None:
    """The meeting was recorded: invitations still open end."""
    for row in convened_of(case.id):
        if row.status == "invited" and row.instance_id:
            loaded = runtime.load(row.instance_id, lock=True)
            loaded.engine.deliver_message("meeting_closed")
            runtime.save(loaded, case, actor)


TASKS = {"attendance.confirm": confirm}
