"""Scheduler jobs: each claims work, calls a service and commits per unit of work, so one bad case
cannot block the others and a crash loses at most the item in hand."""
import logging
from datetime import timedelta

from flask import current_app

from app import clock
from app.api import webhooks
from app.cases import attachments, checkpoints, deadlines, runtime
from app.engine import timers
from app.extensions import db
from app.supervision import monitoring
from app.supervision import services as supervision
from app.supervision.reports import generate_monthly_if_missing

log = logging.getLogger(__name__)


RETRY_AFTER = timedelta(minutes=5)


def sweep_timers(max_instances: int | None = None) -> int:
    """Fire due engine timers, one instance per transaction; each instance at most once per sweep, and no
    fixed cap per pass (a midnight on which thousands of periods end drains in one sweep; several scheduler
    processes share it through SKIP LOCKED). Returns how many instances fired. A failing instance is logged and
    retried after RETRY_AFTER."""
    fired = 0
    seen: set[int] = set()
    while max_instances is None or len(seen) < max_instances:
        now = clock.now()
        instance_id = timers.claim_due_instance(now, seen)
        if instance_id is None:
            db.session.rollback()
            break
        seen.add(instance_id)
        try:
            if runtime.fire_due(instance_id, now):
                fired += 1
            db.session.commit()
        except Exception:  # keep sweeping the others
            db.session.rollback()
            log.exception("timer sweep failed for process instance %s; retrying in %s", instance_id, RETRY_AFTER)
            timers.postpone(instance_id, now + RETRY_AFTER)
            db.session.commit()
    return fired


def sweep_deadlines(max_tasks: int = 500) -> tuple[int, int]:
    """Record due reminders and breaches, one task per transaction. Returns (reminders, breaches)."""
    counts = {"remind": 0, "breach": 0}
    for kind in ("remind", "breach"):
        seen: set[int] = set()
        for _ in range(max_tasks):
            ot = deadlines.claim_due(clock.now(), kind, seen)
            if ot is None:
                db.session.rollback()
                break
            seen.add(ot.id)
            open_task_id = ot.id
            try:
                deadlines.record(ot, kind)
                db.session.commit()
                counts[kind] += 1
            except Exception:
                db.session.rollback()
                log.exception("deadline %s failed for open task %s; postponed by %s", kind, open_task_id, RETRY_AFTER)
                deadlines.postpone(open_task_id, clock.now() + RETRY_AFTER)
                db.session.commit()
    return counts["remind"], counts["breach"]


def escalate_overdue() -> int:
    """Units with work overdue beyond the escalation period are notified (通报) once per task."""
    try:
        n = supervision.escalate_overdue(clock.now(), current_app.config["ESCALATE_AFTER_WORKING_DAYS"])
        db.session.commit()
        return n
    except Exception:
        db.session.rollback()
        log.exception("escalation of overdue work failed")
        return 0


def typical_quota_notices() -> int:
    """Reminders before a quarter ends, and notices after it, to units below the typical-case quota."""
    try:
        n = supervision.typical_quota_notices()
        db.session.commit()
        return n
    except Exception:
        db.session.rollback()
        log.exception("typical-case quota notices failed")
        return 0


def refresh_dashboard(app) -> None:
    """The dashboard's all-time figures, recomputed in the background (the page reads the result)."""
    with app.app_context():
        try:
            figures = monitoring.snapshot_figures()
            # End the long read before writing: SQLite cannot turn a read transaction into a write once another
            # connection (the timer job) has written since it began ("database is locked").
            db.session.rollback()
            monitoring.refresh_dashboard(figures)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("dashboard refresh failed")


def monthly_report(app) -> None:
    """First of the month: the previous month's monitoring report, once."""
    with app.app_context():
        try:
            generate_monthly_if_missing()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("monthly report failed")


def write_checkpoint(app) -> None:
    """Daily: a signed checkpoint of every timeline's head, outside the database."""
    with app.app_context():
        try:
            checkpoints.write()
        except Exception:
            log.exception("writing the timeline checkpoint failed")
        finally:
            db.session.rollback()


def purge_staged_uploads(app) -> int:
    """Daily: files kept from refused forms are forgotten after a day."""
    with app.app_context():
        try:
            n = attachments.purge_staged(clock.now() - timedelta(hours=attachments.STAGED_KEPT_FOR_HOURS))
            db.session.commit()
            return n
        except Exception:
            db.session.rollback()
            log.exception("purging kept uploads failed")
            return 0


def deliver_webhooks() -> tuple[int, int]:
    """Post due webhook deliveries to department systems (each committed on its own)."""
    try:
        return webhooks.deliver_due()
    except Exception:
        db.session.rollback()
        log.exception("webhook delivery sweep failed")
        return 0, 0


def run_timers(app):
    """Fire the engine timers that are due; returns when the next one falls due (None if none waits)."""
    with app.app_context():
        sweep_timers()
        try:
            return timers.next_due()
        finally:
            db.session.rollback()


def run_sweeps(app):
    """One pass of every sweep. Returns the next time an engine timer falls due (None if none waits), so the
    scheduler can wake then instead of at its next fixed interval."""
    with app.app_context():
        sweep_timers()
        sweep_deadlines()
        escalate_overdue()
        typical_quota_notices()
        deliver_webhooks()
        try:
            return timers.next_due()
        finally:
            db.session.rollback()
