"""Working-day arithmetic under the national holiday schedule, including working weekends (调休).

Sources, in order of precedence: the app's CalendarDay table (administrator entries), then the
chinese-calendar library for the years it knows, then — for a year neither knows — weekends only, flagged
as a fallback so that every deadline computed that way can carry a visible warning."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar
from sqlalchemy import bindparam, select

from app import clock, txcache
from app.audit import services as audit
from app.auth.models import ADMIN
from app.auth.permissions import require_role
from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.workdays.models import CalendarDay, CalendarYear


@lru_cache(maxsize=64)
def library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


@lru_cache(maxsize=8192)
def _library_is_workday(d: date) -> bool:
    # The library's answer for a date never changes within a release; caching it keeps deadline
    # computation off the hot path of every task completion.
    return chinese_calendar.is_workday(d)


@dataclass(frozen=True)
class Deadline:
    due_date: date  # local (Asia/Shanghai) calendar date of the last day
    due_at: datetime  # end of that day, UTC
    remind_at: datetime  # start of the working day before it (UTC), never before the start
    days: int
    fallback: bool  # True if some day was counted with weekends only (year without a schedule)
    # On the way to the due date: weekdays that were not counted (holidays) and weekend days that were
    # (调休 working days), as (ISO date, name) pairs; empty for calendar-day rules.
    holidays: tuple = ()
    workdays: tuple = ()


_OVERRIDES = select(CalendarDay.day, CalendarDay.is_workday, CalendarDay.name).where(
    CalendarDay.day.between(bindparam("lo"), bindparam("hi")))  # (built once: every task that opens a step reads it)


def _overrides(first: date, last: date) -> tuple:
    """The administrators' calendar entries around [first, last] as (day, is_workday, name) tuples, read once per
    transaction: a task completion that opens two steps counts both deadlines from one query (a new transaction
    reads afresh)."""
    cached = db.session.info.get("work_calendar")
    if cached is not None and cached[0] is db.session().get_transaction() and cached[1] <= first and last <= cached[2]:
        return cached[3]
    lo, hi = first - timedelta(days=366), last + timedelta(days=366)
    rows = tuple(tuple(r) for r in db.session.connection().execute(_OVERRIDES, {"lo": lo, "hi": hi}))
    db.session.info["work_calendar"] = (db.session().get_transaction(), lo, hi, rows)
    return rows


class WorkCalendar:
    """Answers is-working-day for a date window with one query for the overrides in that window."""

    def __init__(self, first: date, last: date):
        self._use(_overrides(first, last))

    @classmethod
    def of(cls, overrides: tuple) -> "WorkCalendar":
        """A calendar over entries already read (_overrides)."""
        cal = cls.__new__(cls)
        cal._use(overrides)
        return cal

    def _use(self, rows) -> None:
        self.overrides = {d: w for d, w, _n in rows}
        self.names = {d: n for d, _w, n in rows if n}
        self._entered_years: set[int] | None = None  # looked up only for years the library lacks
        self.fallback_used = False

    def _year_entered(self, year: int) -> bool:
        if self._entered_years is None:
            self._entered_years = txcache.cached("entered_years", lambda: frozenset(db.session.scalars(select(CalendarYear.year))))
        return year in self._entered_years

    def is_workday(self, d: date) -> bool:
        if d in self.overrides:
            return self.overrides[d]
        if library_knows(d.year):
            return _library_is_workday(d)
        if not self._year_entered(d.year):
            self.fallback_used = True
        return d.weekday() < 5

    def name_of(self, d: date) -> str:
        """The name of the holiday a day belongs to (an administrator's entry, else the library's)."""
        if d in self.names:
            return self.names[d]
        if d not in self.overrides and library_knows(d.year):
            return chinese_calendar.get_holiday_detail(d)[1] or ""
        return ""

    def exceptions(self, first: date, last: date) -> tuple[tuple, tuple]:
        """Days in [first, last] that differ from a plain week: (holidays on weekdays, working weekend days)."""
        holidays, workdays = [], []
        d = first
        while d <= last:
            working, weekday = self.is_workday(d), d.weekday() < 5
            if weekday and not working:
                holidays.append((d.isoformat(), self.name_of(d)))
            elif working and not weekday:
                workdays.append((d.isoformat(), self.name_of(d)))
            d += timedelta(days=1)
        return tuple(holidays), tuple(workdays)

    def add(self, start: date, days: int) -> date:
        d, left = start, days
        while left > 0:
            d += timedelta(days=1)
            if self.is_workday(d):
                left -= 1
        return d

    def subtract(self, end: date, days: int) -> date:
        d, left = end, days
        while left > 0:
            d -= timedelta(days=1)
            if self.is_workday(d):
                left -= 1
        return d


def _window(start: date, days: int) -> tuple[date, date]:
    # Generous window: the longest holiday run is about 8 days, several a year at most.
    return start - timedelta(days=10 + days), start + timedelta(days=days * 2 + 30)


def add_working_days(start: date, days: int) -> tuple[date, bool]:
    """The date `days` working days after `start` (start itself not counted). Returns (date, fallback)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    cal = WorkCalendar(*_window(start, days))
    return cal.add(start, days), cal.fallback_used


def working_days_ago(now: datetime, days: int) -> datetime:
    """The start of the local day `days` working days before now's local date (UTC): a deadline earlier
    than this was missed by more than `days` working days."""
    today = clock.local_date(now)
    cal = WorkCalendar(today - timedelta(days=days * 2 + 30), today)
    return clock.start_of_local_day(cal.subtract(today, days))


def deadline_from(start: datetime, days: int, remind_days: int = 1, calendar_days: bool = False) -> Deadline:
    """Deadline of a step that starts at `start` and must finish within `days` working (or calendar) days."""
    start_day = clock.local_date(start)
    first, last = _window(start_day, days)
    rows = _overrides(first, last)  # one query for the whole computation
    if all(library_knows(y) for y in range(first.year, last.year + 2)):
        counted = _counted(start_day, days, remind_days, calendar_days, rows)
    else:  # (a year the library lacks: whether an administrator entered it is read, not remembered)
        counted = _count(start_day, days, remind_days, calendar_days, WorkCalendar.of(rows))
    due_date, remind_day, fallback, holidays, workdays = counted
    remind_at = max(clock.start_of_local_day(remind_day), clock.as_utc(start))
    return Deadline(due_date, clock.end_of_local_day(due_date), remind_at, days, fallback, holidays, workdays)


@lru_cache(maxsize=2048)
def _counted(start_day: date, days: int, remind_days: int, calendar_days: bool, overrides: tuple) -> tuple:
    """_count for years the library knows: a function of its arguments only (the administrators' entries among
    them), so remembered: the steps a day opens mostly start from the same few days."""
    return _count(start_day, days, remind_days, calendar_days, WorkCalendar.of(overrides))


def _count(start_day: date, days: int, remind_days: int, calendar_days: bool, cal: "WorkCalendar") -> tuple:
    due_date = start_day + timedelta(days=days) if calendar_days else cal.add(start_day, days)
    remind_day = cal.subtract(due_date, remind_days) if remind_days else due_date
    holidays, workdays = ((), ()) if calendar_days else cal.exceptions(start_day + timedelta(days=1), due_date)
    return due_date, remind_day, cal.fallback_used, holidays, workdays


def working_days_between(first: date, last: date) -> int:
    """Working days in (first, last]: how many working days `last` is after `first` (negative if before)."""
    if last == first:
        return 0
    sign = 1
    if last < first:
        first, last, sign = last, first, -1
    cal = WorkCalendar(first, last)
    count = sum(1 for i in range(1, (last - first).days + 1) if cal.is_workday(first + timedelta(days=i)))
    return sign * count


def working_days_late(last_day: date | None, today: date | None = None, cal: "WorkCalendar | None" = None) -> int:
    """Working days from a last day to today (0 if not past it): deadlines are counted in working days, and so is how
    far past one a step is. `cal`: a calendar already read for the span (a list of rows reads one)."""
    today = today or clock.today_local()
    if last_day is None or today <= last_day:
        return 0
    cal = cal or WorkCalendar(last_day, today)
    return sum(1 for i in range(1, (today - last_day).days + 1) if cal.is_workday(last_day + timedelta(days=i)))


def working_days_overdue(due_at: datetime | None) -> int:
    """Working days past a deadline (0 when not yet due or without one; at least 1 once it has passed, so a deadline
    missed on a Friday does not read as 0 over the weekend); the calendar is read once per transaction."""
    if due_at is None or clock.as_utc(due_at) >= clock.now():
        return 0
    return max(working_days_late(clock.local_date(due_at)), 1)


def set_day(day: date, is_workday: bool, name: str = "", actor=None) -> CalendarDay:
    row = db.session.get(CalendarDay, day) or CalendarDay(day=day)
    db.session.info.pop("work_calendar", None)  # deadlines counted after this in the transaction see the change
    row.is_workday, row.name = is_workday, name
    row.entered_by_id = actor.id if actor is not None else None
    row.entered_at = clock.now()
    db.session.add(row)
    db.session.flush()
    return row


def mark_year_entered(year: int, source: str, actor=None) -> CalendarYear:
    row = db.session.get(CalendarYear, year) or CalendarYear(year=year)
    row.source = source
    row.entered_by_id = actor.id if actor is not None else None
    row.entered_at = clock.now()
    db.session.add(row)
    db.session.flush()
    return row


def year_source(year: int) -> str:
    """'library' | 'entered' | 'weekends-only' — where working days of that year come from."""
    if library_knows(year):
        return "library"
    if db.session.get(CalendarYear, year) is not None:
        return "entered"
    return "weekends-only"


def years_without_schedule(today: date) -> list[int]:
    """This year and next year, where neither the library nor an administrator gives a schedule."""
    return [y for y in (today.year, today.year + 1) if year_source(y) == "weekends-only"]


# -- administering the calendar ------------------------------------------------------------------------
def year_days(year: int) -> list[dict]:
    """The days of a year that are not what the weekday suggests (holidays on weekdays, working weekends),
    with where each answer comes from."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    cal = WorkCalendar(first, last)
    out = []
    d = first
    while d <= last:
        work = cal.is_workday(d)
        if work != (d.weekday() < 5) or d in cal.overrides:
            out.append({"day": d, "workday": work, "source": "table" if d in cal.overrides else "library",
                        "name": cal.name_of(d)})
        d += timedelta(days=1)
    return out


def admin_set_day(actor, day: date, is_workday: bool, name: str):
    require_role(actor, ADMIN)
    if day is None:
        raise DomainError(_l("Enter the date."), "day")
    row = set_day(day, is_workday, name, actor)
    audit.record(actor, "calendar", day.isoformat(), "set_day", None, {"workday": is_workday, "name": name})
    return row


def admin_clear_day(actor, day: date | None) -> None:
    """An administrator's entry for a day removed (one made by mistake): the day is again what the published schedule,
    or its weekday, makes it. Audited with what it was."""
    require_role(actor, ADMIN)
    row = db.session.get(CalendarDay, day) if day is not None else None
    if row is None:
        raise DomainError(_l("No entry for that day."), "day")
    before = {"workday": row.is_workday, "name": row.name}
    db.session.delete(row)
    db.session.info.pop("work_calendar", None)  # deadlines counted after this in the transaction see the change
    db.session.flush()
    audit.record(actor, "calendar", day.isoformat(), "clear_day", before, None)


def admin_complete_year(actor, year: int, source: str):
    require_role(actor, ADMIN)
    if not (source or "").strip():
        raise DomainError(_l("Name the notice the schedule comes from."), "source")
    row = mark_year_entered(year, source.strip(), actor)
    audit.record(actor, "calendar", str(year), "complete_year", None, {"source": source.strip()})
    return row
