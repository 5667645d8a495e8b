"""Scheduler jobs: each claims work, calls a service and commits per unit of work, so one bad case
cannot block the others and a crash loses at most the item in hand."""
import logging

from app import clock
from app.cases import deadlines
from app.engine import timers
from app.extensions import db

log = logging.getLogger(__name__)


def sweep_timers(max_instances: int = 200) -> int:
    """Fire due engine timers, one instance per transaction. Returns how many instances fired."""
    fired = 0
    skipped: set[int] = set()
    for _ in range(max_instances):
        now = clock.now()
        instance_id = timers.claim_due_instance(now, skipped)
        if instance_id is None:
            db.session.rollback()
            break
        try:
            if timers.fire_due(instance_id, now):
                fired += 1
            db.session.commit()
        except Exception:  # keep sweeping; the failing instance is logged and retried next run
            db.session.rollback()
            log.exception("timer sweep failed for process instance %s", instance_id)
            skipped.add(instance_id)
    return fired


def sweep_deadlines() -> tuple[int, int]:
    try:
        result = deadlines.sweep(clock.now())
        db.session.commit()
        return result
    except Exception:
        db.session.rollback()
        log.exception("deadline sweep failed")
        raise


def run_sweeps(app) -> None:
    with app.app_context():
        sweep_timers()
        sweep_deadlines()
