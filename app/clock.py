"""The one source of time. Everything stored is UTC; working days are counted on Asia/Shanghai dates.
Tests move time with time-machine, which patches datetime.now for this module and for SpiffWorkflow's
timer code alike, so engine timers and our deadlines see the same clock."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


_offset = timedelta(0)


def now() -> datetime:
    return datetime.now(timezone.utc) + _offset


def set_offset(delta: timedelta) -> None:
    """Shift the app clock (only the demo loader does this, to create history "filed 20 days ago"; it shifts
    the engine's timer clock with it). Tests use time-machine instead, which moves both."""
    global _offset
    _offset = delta


def utcnow() -> datetime:
    """Column default (callable, evaluated per row)."""
    return now()


def today_local() -> date:
    return now().astimezone(LOCAL_TZ).date()


def local_date(dt: datetime) -> date:
    return as_utc(dt).astimezone(LOCAL_TZ).date()


def end_of_local_day(d: date) -> datetime:
    """The last moment of a local calendar day, as an aware UTC datetime (deadlines end at day's end)."""
    return datetime.combine(d + timedelta(days=1), time(0, 0), LOCAL_TZ).astimezone(timezone.utc) - timedelta(
        microseconds=1
    )


def start_of_local_day(d: date) -> datetime:
    return datetime.combine(d, time(0, 0), LOCAL_TZ).astimezone(timezone.utc)


def as_utc(dt: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes for timezone-aware columns; they are UTC by construction."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)

