"""Deadline reminders and breaches over the open tasks' due times. The sweep reads only rows whose
reminder or deadline has come (indexed flag + time), so its cost follows the due work, not the case count.
Each task is claimed with FOR UPDATE SKIP LOCKED (PostgreSQL) and recorded in its own transaction, so
several scheduler processes never record the same reminder twice and one failure blocks nothing else."""
from sqlalchemy import or_, select, update

from app import clock
from app.cases import events
from app.cases.models import OpenTask
from app.enums import EventType
from app.extensions import db


def claim_due(now, kind: str, exclude: set[int]) -> OpenTask | None:
    """One open task whose reminder (kind="remind") or deadline (kind="breach") has come, locked."""
    if kind == "remind":
        stmt = select(OpenTask).where(OpenTask.reminded.is_(False), OpenTask.remind_at <= now).order_by(OpenTask.remind_at)
    else:
        stmt = select(OpenTask).where(OpenTask.breached.is_(False), OpenTask.due_at <= now).order_by(OpenTask.due_at)
    stmt = stmt.where(or_(OpenTask.sweep_retry_at.is_(None), OpenTask.sweep_retry_at <= now))
    if exclude:
        stmt = stmt.where(OpenTask.id.not_in(exclude))
    return db.session.scalar(stmt.limit(1).with_for_update(skip_locked=True))


def record(ot: OpenTask, kind: str) -> None:
    """Mark and record one reminder or breach (flush only). A marked task is never selected again."""
    details = {"task": ot.name, "unit_id": ot.unit_id, "due_at": clock.as_utc(ot.due_at).isoformat()}
    if kind == "remind":
        ot.reminded = True
        events.record(ot.case_id, EventType.DEADLINE_REMINDER, None, details, bpmn_id=ot.bpmn_id)
    else:
        ot.breached = True
        details["rule"] = ot.deadline_rule
        events.record(ot.case_id, EventType.DEADLINE_BREACHED, None, details, bpmn_id=ot.bpmn_id)
    db.session.flush()


def postpone(open_task_id: int, when) -> None:
    """After a failure, try this task's reminder or breach again later instead of on every sweep."""
    db.session.execute(update(OpenTask).where(OpenTask.id == open_task_id).values(sweep_retry_at=when))
