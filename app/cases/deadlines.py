"""Deadline reminders and breaches over the open tasks' due times. The sweep reads only rows whose
reminder or deadline has come (indexed flag + time), so its cost follows the due work, not the case count."""
from sqlalchemy import select

from app import clock
from app.cases import events
from app.engine.models import OpenTask
from app.extensions import db


def sweep(now=None, limit: int = 500) -> tuple[int, int]:
    """Record reminders and breaches that are due. Returns (reminders, breaches). Flushes, no commit.
    Idempotent: a task is marked when recorded, and a marked task is never selected again."""
    now = now or clock.now()
    reminders = db.session.scalars(
        select(OpenTask).where(OpenTask.reminded.is_(False), OpenTask.remind_at <= now).order_by(OpenTask.remind_at).limit(limit)
    ).all()
    for ot in reminders:
        ot.reminded = True
        events.record(
            ot.case_id,
            events.DEADLINE_REMINDER,
            None,
            {"task": ot.name, "unit_id": ot.unit_id, "due_at": clock.as_utc(ot.due_at).isoformat()},
            bpmn_id=ot.bpmn_id,
        )
    breaches = db.session.scalars(
        select(OpenTask).where(OpenTask.breached.is_(False), OpenTask.due_at <= now).order_by(OpenTask.due_at).limit(limit)
    ).all()
    for ot in breaches:
        ot.breached = True
        events.record(
            ot.case_id,
            events.DEADLINE_BREACHED,
            None,
            {"task": ot.name, "unit_id": ot.unit_id, "due_at": clock.as_utc(ot.due_at).isoformat(), "rule": ot.deadline_rule},
            bpmn_id=ot.bpmn_id,
        )
    db.session.flush()
    return len(reminders), len(breaches)
