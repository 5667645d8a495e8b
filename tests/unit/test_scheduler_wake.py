"""The sweeps wake at the next timer's due time when it comes before the next fixed run."""
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.background import BackgroundScheduler

from app.scheduler import wake_for


def _scheduler():
    s = BackgroundScheduler(timezone="UTC")
    s.add_job(lambda: None, "interval", seconds=30, id="sweeps")
    s.start(paused=True)
    return s


def test_the_sweeps_wake_when_the_next_timer_falls_due():
    s = _scheduler()
    try:
        now = datetime.now(timezone.utc)
        wake_for(s, now + timedelta(seconds=5), 30, now=now)
        woke = s.get_job("sweeps").next_run_time
        assert timedelta(seconds=5) <= woke - now <= timedelta(seconds=5, milliseconds=100)
        before = s.get_job("sweeps").next_run_time
        wake_for(s, now + timedelta(hours=2), 30, now=now)  # later than the fixed run: left alone
        wake_for(s, None, 30, now=now)
        assert s.get_job("sweeps").next_run_time == before
        wake_for(s, (now - timedelta(seconds=3)).replace(tzinfo=None), 30, now=now)  # overdue, naive UTC: at once
        assert s.get_job("sweeps").next_run_time - now <= timedelta(milliseconds=100)
    finally:
        s.shutdown(wait=False)
