"""Notices (通报) and summons (约谈) of slow units (seed 001 四(三))."""
from datetime import date, datetime

from sqlalchemy import JSON, Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Unit, User
from app.clock import utcnow
from app.db_types import UTCDateTime
from app.extensions import db

notice_case = Table(
    "notice_case",
    db.metadata,
    Column("notice_id", ForeignKey("notice.id"), primary_key=True),
    Column("case_id", ForeignKey("case.id"), primary_key=True),
)


class Notice(db.Model):
    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # notice | summons
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    unit: Mapped[Unit] = relationship()
    text: Mapped[str] = mapped_column(Text)
    on_date: Mapped[date] = mapped_column(Date)  # date of the notice, or of the interview for a summons
    # None for a notice the system issues by rule (a late reply to an objection, overdue work escalated).
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    # Why, for an automatic notice: objection_reply_late | overdue_escalation
    reason: Mapped[str | None] = mapped_column(String(40))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The unit's liaison when the notice was issued (it is addressed to them; any of the unit's staff may acknowledge).
    addressed_to_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    addressed_to: Mapped[User | None] = relationship(foreign_keys=[addressed_to_id])
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cases = relationship("Case", secondary=notice_case, order_by="Case.id")


class StepRecord(db.Model):
    """One completed workflow step: who, when opened and closed, its deadline and whether it was met.
    Written with the completion, so monitoring aggregates in SQL instead of reading the timeline JSON."""

    __tablename__ = "step_record"
    __table_args__ = (db.Index("ix_step_record_step_hours", "bpmn_id", "hours"), db.Index("ix_step_record_unit_on_time", "unit_id", "on_time"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(60), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    hours: Mapped[float] = mapped_column()
    on_time: Mapped[bool | None] = mapped_column()


class TypicalCase(db.Model):
    """A unit's typical reward or punishment case of a quarter (seed 004 (十九): each county, through its credit
    office, and each city department reports at least two a quarter): one of its cases or described freely. The
    office may publish it on the public page, in a text without personal data."""

    __tablename__ = "typical_case"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    unit: Mapped[Unit] = relationship()
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    case = relationship("Case")
    quarter: Mapped[str] = mapped_column(String(7), index=True)  # 2026-Q4
    title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    summary: Mapped[str] = mapped_column(Text)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Published by the office (public page /public/typical): the title and text as published.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    published_title: Mapped[str | None] = mapped_column(String(200))
    published_text: Mapped[str | None] = mapped_column(Text)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Taken off the public page: by the office (with its reason), or by itself when a punishment or reward of its
    # case stops being in force (suspended by an objection, revoked, repaired, ended). Publishing again clears it.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class Report(db.Model):
    """A generated monitoring report (stored file, listed for download)."""

    __tablename__ = "monitoring_report"
    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # 2026-11
    fmt: Mapped[str] = mapped_column(String(5))  # pdf | xlsx
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class EnterpriseCount(db.Model):
    """The number of registered enterprises as of a date, entered by an administrator from the market regulator's
    figures: the denominator of the serious-dishonesty share (seed 003 8①, under 1%). The latest one counts."""

    __tablename__ = "enterprise_count"
    id: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column()
    as_of: Mapped[date] = mapped_column(Date, index=True)
    source: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    entered_by: Mapped[User] = relationship(foreign_keys=[entered_by_id])
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DashboardSnapshot(db.Model):
    """The dashboard's all-time figures as computed by the scheduler (one row, id 1), so that opening the
    dashboard reads one row instead of aggregating every case and step of the city. Shown with its time."""

    __tablename__ = "dashboard_snapshot"
    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    figures: Mapped[dict] = mapped_column(JSON)
