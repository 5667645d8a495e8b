"""Finding due engine timers. Instances are found by their indexed next_due_at, one at a time, each claimed
with FOR UPDATE SKIP LOCKED on PostgreSQL so several scheduler processes never work the same instance; the
version column guards SQLite. Loading every waiting case is exactly what this avoids."""
from sqlalchemy import func, select, update

from app import clock
from app.engine.instances import RUNNING
from app.engine.models import ProcessInstance
from app.extensions import db


def claim_due_instance(now=None, exclude: set[int] | None = None) -> int | None:
    ids = claim_due_instances(now, 1, exclude)
    return ids[0] if ids else None


def claim_due_instances(now=None, limit: int = 1, exclude: set[int] | None = None) -> list[int]:
    """Up to `limit` due instances, earliest first, locked for this transaction (others skip them)."""
    now = now or clock.now()
    stmt = (
        select(ProcessInstance.id)
        # SpiffWorkflow fires a timer only once its time is strictly past: claim the same way.
        .where(ProcessInstance.next_due_at < now, ProcessInstance.status == RUNNING)
        .order_by(ProcessInstance.next_due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if exclude:
        stmt = stmt.where(ProcessInstance.id.not_in(exclude))
    return list(db.session.scalars(stmt))


def postpone(instance_id: int, when, due_by) -> None:
    """After a failure, try this instance again later instead of on every sweep: only if it is still running and due by
    `due_by` (the sweep's time) — one another scheduler fired meanwhile keeps the schedule its firing set."""
    db.session.execute(update(ProcessInstance).where(
        ProcessInstance.id == instance_id, ProcessInstance.status == RUNNING, ProcessInstance.next_due_at <= due_by,
    ).values(next_due_at=when))


def next_due():
    """When the next engine timer falls due (the indexed minimum of next_due_at), or None."""
    return db.session.scalar(select(func.min(ProcessInstance.next_due_at)).where(ProcessInstance.status == RUNNING))
