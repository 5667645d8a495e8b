"""Notices (通报) and summons (约谈) of slow units (seed 001 四(三))."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Table, Column, Text
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
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cases = relationship("Case", secondary=notice_case, order_by="Case.id")
