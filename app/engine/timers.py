"""Finding due engine timers. Instances are found by their indexed next_due_at, one at a time, each claimed
with FOR UPDATE SKIP LOCKED on PostgreSQL so several scheduler processes never work the same instance; the
version column guards SQLite. Loading every waiting case is exactly what this avoids."""
from sqlalchemy import func, select, update

from app import clock
from app.engine.instances import RUNNING
from app.engine.models import ProcessInstance
from app.extensions import db


def claim_due_instance(now=None, exclude: set[int] | None = None) -> int | None:
    now = now or clock.now()
    stmt = (
        select(ProcessInstance.id)
        # SpiffWorkflow fires a timer only once its time is strictly past: claim the same way.
        .where(ProcessInstance.next_due_at < now, ProcessInstance.status == RUNNING)
        .order_by(ProcessInstance.next_due_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if exclude:
        stmt = stmt.where(ProcessInstance.id.not_in(exclude))
    return db.session.scalar(stmt)


def postpone(instance_id: int, when) -> None:
    """After a failure, try this instance again later instead of on every sweep."""
    db.session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id).values(next_due_at=when))


def next_due():
    """When the next engine timer falls due (the indexed minimum of next_due_at), or None."""
    return db.session.scalar(select(func.min(ProcessInstance.next_due_at)).where(ProcessInstance.status == RUNNING))
