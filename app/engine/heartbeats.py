"""Scheduler heartbeats: each scheduler process records when it last swept the engine timers (at most every
BEAT_EVERY, so the embedded SQLite database is not written every second). Readiness of the web servers does
not depend on it; the pages and metrics show it instead."""
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from app import clock
from app.engine.models import SchedulerHeartbeat
from app.extensions import db

BEAT_EVERY = timedelta(seconds=10)
FORGET_AFTER = timedelta(days=1)  # a process gone this long is no longer listed
_state = {"name": None, "started": None, "last": None, "fired": 0}


def process_name() -> str:
    if _state["name"] is None or _state.get("pid") != os.getpid():
        _state.update(name=f"{socket.gethostname()}:{os.getpid()}"[:120], pid=os.getpid(), started=clock.now(),
                      last=None, fired=0)
    return _state["name"]


def beat(sweep_seconds: float, fired: int) -> bool:
    """Record this process's sweep (flush), at most every BEAT_EVERY. Returns whether a row was written."""
    name = process_name()
    _state["fired"] += fired
    now = clock.now()
    if _state["last"] is not None and now - _state["last"] < BEAT_EVERY:
        return False
    row = db.session.get(SchedulerHeartbeat, name) or SchedulerHeartbeat(name=name, started_at=_state["started"])
    row.beat_at, row.sweep_ms, row.fired = now, int(sweep_seconds * 1000), _state["fired"]
    db.session.add(row)
    db.session.execute(delete(SchedulerHeartbeat).where(SchedulerHeartbeat.beat_at < now - FORGET_AFTER))
    db.session.flush()
    _state["last"] = now
    return True


@dataclass
class SchedulerStatus:
    last_sweep: datetime | None  # the newest heartbeat of any scheduler
    processes: int  # schedulers heard from within the stale limit
    stale: bool  # no scheduler has swept for `stale_after`
    sweep_ms: int | None


def status(stale_after: timedelta) -> SchedulerStatus:
    now = clock.now()
    last, ms = db.session.execute(
        select(SchedulerHeartbeat.beat_at, SchedulerHeartbeat.sweep_ms).order_by(SchedulerHeartbeat.beat_at.desc()).limit(1)
    ).first() or (None, None)
    live = db.session.scalar(select(func.count()).select_from(SchedulerHeartbeat)
                             .where(SchedulerHeartbeat.beat_at >= now - stale_after)) or 0
    last = clock.as_utc(last) if last else None
    return SchedulerStatus(last, live, last is None or now - last > stale_after, ms)
