"""APScheduler wiring. Jobs are thin: app context, call the service, commit. In the embedded setup the
scheduler runs inside the web process (started once, guarded against the reloader); scaled out it runs as
its own process (`flask scheduler`)."""
import logging
import os

from apscheduler.schedulers.background import BackgroundScheduler

from app.scheduler.jobs import monthly_report, purge_staged_uploads, run_sweeps, write_checkpoint

log = logging.getLogger(__name__)
_scheduler: BackgroundScheduler | None = None


def add_jobs(scheduler, app) -> None:
    scheduler.add_job(
        run_sweeps,
        "interval",
        args=[app],
        seconds=app.config["SCHEDULER_INTERVAL_SECONDS"],
        id="sweeps",
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
    # Checked daily (cheap); generates the previous month's report once it is missing.
    scheduler.add_job(monthly_report, "cron", args=[app], hour=1, minute=7, timezone="Asia/Shanghai",
                      id="monthly_report", coalesce=True, max_instances=1, replace_existing=True)
    scheduler.add_job(write_checkpoint, "cron", args=[app], hour=2, minute=17, timezone="Asia/Shanghai",
                      id="checkpoint", coalesce=True, max_instances=1, replace_existing=True)
    scheduler.add_job(purge_staged_uploads, "cron", args=[app], hour=3, minute=23, timezone="Asia/Shanghai",
                      id="purge_staged_uploads", coalesce=True, max_instances=1, replace_existing=True)


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
