"""Scheduler jobs: each claims work, calls a service and commits per unit of work, so one bad case
cannot block the others and a crash loses at most the item in hand."""
import logging
import time
from datetime import timedelta

from flask import current_app

from app import clock, txcache
from app.api import webhooks
from app.blobs import store as blobs
from app.cases import attachments, checkpoints, deadlines, runtime
from app.data_calls import repeats as data_call_repeats
from app.engine import heartbeats, timers
from app.extensions import db
from app.supervision import monitoring, reports
from app.supervision import services as supervision
from app.supervision.reports import generate_monthly_if_missing

log = logging.getLogger(__name__)


RETRY_AFTER = timedelta(minutes=5)


def sweep_timers(max_instances: int | None = None) -> int:
    """Fire due engine timers; each instance at most once per sweep, and no fixed cap per pass (a midnight on
    which thousands of periods end drains in one sweep; several scheduler processes share it through SKIP
    LOCKED). Instances are claimed and committed in batches of TIMER_BATCH; one failing instance is rolled back
    alone (its batch is fired again one by one), logged and retried after RETRY_AFTER while the rest of its batch
    commits; the batch's reference data is read once (txcache). Returns how many instances fired."""
    batch = max(1, int(current_app.config.get("TIMER_BATCH", 25)))
    fired = 0
    seen: set[int] = set()
    with txcache.enabled():
        while max_instances is None or len(seen) < max_instances:
            now = clock.now()
            want = batch if max_instances is None else min(batch, max_instances - len(seen))
            ids = timers.claim_due_instances(now, want, seen)
            if not ids:
                db.session.rollback()
                break
            seen.update(ids)
            fired += _fire_batch(ids, now)
            txcache.clear()
    return fired


def _fire_batch(ids: list[int], now) -> int:
    """Fire a batch in one transaction. If one of them fails, the batch is rolled back and its instances are fired
    one per transaction, the failing one postponed. (A savepoint per instance kept the others' work instead, but
    cost two round trips and a flush on every firing for the rare failure.)"""
    if len(ids) == 1:
        return _fire_alone(ids[0], now)
    try:
        fired = sum(runtime.fire_due(instance_id, now) for instance_id in ids)
        db.session.commit()
        return fired
    except Exception:  # noqa: BLE001  (which one failed, and why, is logged when it is fired alone)
        db.session.rollback()
        txcache.clear()
        log.warning("a batch of %s timer firings failed; firing them one by one", len(ids))
        # (fire_due locks and re-reads each: one another scheduler fired meanwhile is no longer due)
        return sum(_fire_alone(instance_id, now) for instance_id in ids)


def _fire_alone(instance_id: int, now) -> int:
    try:
        fired = runtime.fire_due(instance_id, now)
        db.session.commit()
        return int(fired)
    except Exception:
        db.session.rollback()
        txcache.clear()
        log.exception("timer sweep failed for process instance %s; retrying in %s", instance_id, RETRY_AFTER)
        timers.postpone(instance_id, now + RETRY_AFTER, now)
        db.session.commit()
        return 0


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


def issue_repeated_calls() -> int:
    """Data calls the office set to repeat, published on their period's day (each in its own transaction)."""
    n = 0
    for repeat_id in data_call_repeats.due_ids(clock.today_local()):
        try:
            n += data_call_repeats.issue(repeat_id, clock.today_local()) is not None
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("publishing a repeated data call failed")
    db.session.rollback()
    return n


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


FILE_GRACE = timedelta(days=1)


def referenced_files() -> list:
    """Where stored files are referred to (attachments, kept uploads, monitoring reports)."""
    return [attachments.referenced_shas, reports.referenced_shas]


def collect_files(app) -> int:
    """Daily: stored files that no row refers to (a refused form's upload, a deleted report) are removed once
    a day old."""
    with app.app_context():
        try:
            n = blobs.collect_garbage(referenced_files(), clock.now() - FILE_GRACE)
            db.session.commit()
            if n:
                log.info("removed %s stored files no record refers to", n)
            return n
        except Exception:
            db.session.rollback()
            log.exception("collecting unreferenced files failed")
            return 0


def deliver_webhooks() -> tuple[int, int]:
    """Post due webhook deliveries to department systems (each committed on its own)."""
    try:
        return webhooks.deliver_due()
    except Exception:
        db.session.rollback()
        log.exception("webhook delivery sweep failed")
        return 0, 0


def _swept(started: float, fired: int) -> None:
    """This scheduler's heartbeat (see app.engine.heartbeats), committed on its own."""
    try:
        if heartbeats.beat(time.perf_counter() - started, fired):
            db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("recording the scheduler heartbeat failed")


def run_timers(app):
    """Fire the engine timers that are due; returns when the next one falls due (None if none waits)."""
    with app.app_context():
        started = time.perf_counter()
        _swept(started, sweep_timers())
        try:
            return timers.next_due()
        finally:
            db.session.rollback()


def run_sweeps(app):
    """One pass of every sweep. Returns the next time an engine timer falls due (None if none waits), so the
    scheduler can wake then instead of at its next fixed interval."""
    with app.app_context():
        started = time.perf_counter()
        _swept(started, sweep_timers())
        sweep_deadlines()
        escalate_overdue()
        typical_quota_notices()
        issue_repeated_calls()
        deliver_webhooks()
        try:
            return timers.next_due()
        finally:
            db.session.rollback()
