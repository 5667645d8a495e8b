"""APScheduler wiring. Jobs are thin: app context, call the service, commit. In the embedded setup the
scheduler runs inside the web process (started once, guarded against the reloader); scaled out it runs as
its own process (`flask scheduler`)."""
import logging
import os
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.background import BackgroundScheduler

from app.scheduler.jobs import (
    collect_files,
    monthly_report,
    purge_staged_uploads,
    refresh_dashboard,
    run_sweeps,
    run_timers,
    write_checkpoint,
)

log = logging.getLogger(__name__)
_scheduler: BackgroundScheduler | None = None


def wake_for(scheduler, next_due, interval_seconds: int, now=None, job_id: str = "sweeps") -> None:
    """Bring a sweep job forward to the next timer's due time when it comes before the job's next fixed run,
    so a timer fires within a fraction of a second of falling due (timers are known long before they fall
    due: the fixed interval only has to find the ones created since)."""
    if next_due is None:
        return
    now = now or datetime.now(timezone.utc)
    next_due = next_due if next_due.tzinfo else next_due.replace(tzinfo=timezone.utc)
    if next_due < now + timedelta(seconds=interval_seconds):
        # SpiffWorkflow fires a timer once its time is strictly past: wake just after it.
        scheduler.modify_job(job_id, next_run_time=max(next_due, now) + timedelta(milliseconds=50))


def _sweeps(app, scheduler) -> None:
    wake_for(scheduler, run_sweeps(app), app.config["SCHEDULER_INTERVAL_SECONDS"])


def _timers(app, scheduler) -> None:
    wake_for(scheduler, run_timers(app), app.config["TIMER_INTERVAL_SECONDS"], job_id="timers")


def add_jobs(scheduler, app) -> None:
    scheduler.add_job(
        _sweeps,
        "interval",
        args=[app, scheduler],
        seconds=app.config["SCHEDULER_INTERVAL_SECONDS"],
        id="sweeps",
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
    # Engine timers on their own short interval (one indexed query when nothing is due), woken at the next
    # due time: a timer created moments before it falls due still fires within TIMER_INTERVAL_SECONDS.
    scheduler.add_job(_timers, "interval", args=[app, scheduler], seconds=app.config["TIMER_INTERVAL_SECONDS"],
                      id="timers", coalesce=True, max_instances=1, replace_existing=True)
    scheduler.add_job(refresh_dashboard, "interval", args=[app], seconds=app.config["DASHBOARD_REFRESH_SECONDS"],
                      id="dashboard", coalesce=True, max_instances=1, replace_existing=True,
                      next_run_time=datetime.now(timezone.utc) + timedelta(seconds=5))
    # Checked daily (cheap); generates the previous month's report once it is missing.
    scheduler.add_job(monthly_report, "cron", args=[app], hour=1, minute=7, timezone="Asia/Shanghai",
                      id="monthly_report", coalesce=True, max_instances=1, replace_existing=True)
    scheduler.add_job(write_checkpoint, "cron", args=[app], hour=2, minute=17, timezone="Asia/Shanghai",
                      id="checkpoint", coalesce=True, max_instances=1, replace_existing=True)
    scheduler.add_job(purge_staged_uploads, "cron", args=[app], hour=3, minute=23, timezone="Asia/Shanghai",
                      id="purge_staged_uploads", coalesce=True, max_instances=1, replace_existing=True)
    scheduler.add_job(collect_files, "cron", args=[app], hour=3, minute=43, timezone="Asia/Shanghai",
                      id="collect_files", coalesce=True, max_instances=1, replace_existing=True)


def init_scheduler(app) -> None:
    global _scheduler
    if not app.config.get("SCHEDULER_ENABLED") or _scheduler is not None:
        return
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return  # the reloader's parent process: the child will start it
    _scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(_scheduler, app)
    _scheduler.start()
    log.info("scheduler started in-process")
