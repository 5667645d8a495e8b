"""The 双公示 ledger (台账): each administrative licence and penalty a unit decided, and each random-inspection result
(双随机), with the day it was published; how late each was is read from its due day."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Unit
from app.clock import utcnow
from app.db_types import UTCDateTime
from app.extensions import db


class PublicityEntry(db.Model):
    __tablename__ = "publicity_entry"
    __table_args__ = (
        UniqueConstraint("unit_id", "kind", "decision_no"),  # (a ledger sent again updates its rows)
        Index("ix_publicity_unit_decided", "unit_id", "decided_on"),  # a unit's ledger, newest decision first
        Index("ix_publicity_decided", "decided_on", "unit_id"),  # every unit's ledger, newest decision first
        Index("ix_publicity_due", "due_on", "unit_id"),  # the month's figures of every unit (by the last day to publish)
        Index("ix_publicity_unit_due", "unit_id", "due_on"),  # a unit's ledger by the month its rows are due
        Index("ix_publicity_unpublished_due", "due_on", postgresql_where=db.text("published_on IS NULL"),
              sqlite_where=db.text("published_on IS NULL")),  # overdue and not yet published
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    unit: Mapped[Unit] = relationship()
    # licence (行政许可) | penalty (行政处罚) | inspection (双随机抽查结果)
    kind: Mapped[str] = mapped_column(String(20))
    decision_no: Mapped[str] = mapped_column(String(120))  # 决定文书号 (or the inspection's number)
    party: Mapped[str] = mapped_column(String(200))  # 行政相对人 (as the unit's ledger names it)
    decided_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)  # the last day to publish (working days under the rule in force)
    rule_days: Mapped[int]
    published_on: Mapped[date | None] = mapped_column(Date)
    link: Mapped[str] = mapped_column(String(500), default="")
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
