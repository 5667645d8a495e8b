"""APScheduler wiring: the jobs are registered as designed (interval, coalesced, one at a time; the monthly
report daily in Shanghai time), a job run does the sweeps in its own app context, and the in-process
scheduler starts once and only when enabled."""
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

import app.scheduler as scheduler_module
from app.cases.models import Case
from app.extensions import db
from app.scheduler import add_jobs, init_scheduler
from tests.helpers import in_effect_case, listings_of


def test_jobs_are_registered_as_designed(app):
    sched = BackgroundScheduler(timezone="UTC")
    add_jobs(sched, app)
    jobs = {j.id: j for j in sched.get_jobs()}
    assert set(jobs) == {"sweeps", "timers", "dashboard", "monthly_report", "checkpoint", "purge_staged_uploads",
                         "collect_files"}
    timers = jobs["timers"]
    assert timers.trigger.interval == timedelta(seconds=app.config["TIMER_INTERVAL_SECONDS"]) <= timedelta(seconds=1)
    assert timers.coalesce is True and timers.max_instances == 1
    assert jobs["dashboard"].trigger.interval == timedelta(seconds=app.config["DASHBOARD_REFRESH_SECONDS"])
    sweeps = jobs["sweeps"]
    assert isinstance(sweeps.trigger, IntervalTrigger)
    assert sweeps.trigger.interval == timedelta(seconds=app.config["SCHEDULER_INTERVAL_SECONDS"])
    assert sweeps.coalesce is True and sweeps.max_instances == 1
    monthly = jobs["monthly_report"]
    assert isinstance(monthly.trigger, CronTrigger) and str(monthly.trigger.timezone) == "Asia/Shanghai"
    assert {f.name: str(f) for f in monthly.trigger.fields}["hour"] == "1"


def test_a_sweep_job_run_fires_due_timers(org, clock, app):
    case, _codes = in_effect_case(days=5)  # 23-27 Nov
    sched = BackgroundScheduler(timezone="UTC")
    add_jobs(sched, app)
    job = {j.id: j for j in sched.get_jobs()}["timers"]
    clock.move_to("2026-11-28T02:00:00+00:00")
    job.func(*job.args)  # what the scheduler thread calls
    db.session.expire_all()
    assert listings_of(case.id)[0].status == "expired" and db.session.get(Case, case.id).status == "closed"


def test_in_process_scheduler_starts_once_and_only_when_enabled(app, monkeypatch):
    monkeypatch.setattr(scheduler_module, "_scheduler", None)
    init_scheduler(app)  # the test configuration disables it
    assert scheduler_module._scheduler is None
    monkeypatch.setitem(app.config, "SCHEDULER_ENABLED", True)
    try:
        init_scheduler(app)
        first = scheduler_module._scheduler
        assert first is not None and first.running
        init_scheduler(app)
        assert scheduler_module._scheduler is first
    finally:
        if scheduler_module._scheduler is not None:
            scheduler_module._scheduler.shutdown(wait=False)


def test_files_kept_from_refused_forms_are_forgotten_after_a_day(org, clock, app):
    from app.blobs import store as blobs
    from app.cases import attachments
    from app.cases.models import StagedUpload
    from tests.conftest import user
    from tests.helpers import PDF

    old, _ = attachments.stage(user("market_cw"), [attachments.Upload("旧.pdf", PDF.data.replace(b"%PDF-1.4\n", b"%PDF-1.4\n%old\n"))])
    old_sha = old[0].sha256
    clock.move_to("2026-11-24T02:00:00+00:00")  # 25 hours later
    new, _ = attachments.stage(user("market_cw"), [attachments.Upload("新.pdf", PDF.data)])
    db.session.commit()
    sched = BackgroundScheduler(timezone="UTC")
    add_jobs(sched, app)
    job = {j.id: j for j in sched.get_jobs()}["purge_staged_uploads"]
    assert job.func(*job.args) == 1
    assert [r.filename for r in db.session.query(StagedUpload)] == ["新.pdf"]
    assert not blobs.current().has(old_sha) and blobs.current().has(new[0].sha256)
