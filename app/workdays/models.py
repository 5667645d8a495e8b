"""The app's own holiday table. It overrides the chinese-calendar library day by day and takes over for
years the library does not know (it covers 2004-2026; the State Council announces each next year late in
the year)."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.db_types import UTCDateTime
from app.extensions import db


class CalendarDay(db.Model):
    """One day whose status differs from the default: a holiday on a weekday, or a working weekend (调休)."""

    __tablename__ = "calendar_day"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(60), default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarYear(db.Model):
    """A year whose official holiday schedule an administrator has entered in CalendarDay."""

    __tablename__ = "calendar_year"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200), default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeadlineRule(db.Model):
    """A named deadline the flows use (BPMN "deadline_rule"), its length and where it comes from.
    A case copies the rules when it starts; changes apply to cases started afterwards."""

    __tablename__ = "deadline_rule"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    days: Mapped[int] = mapped_column()
    day_kind: Mapped[str] = mapped_column(String(10), default="working")  # working | calendar
    source: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
