"""One unit's answer to a data call (the call itself is a case of kind data_call: its columns and deadline in
the case's determination, its template among the case's documents)."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Unit
from app.clock import utcnow
from app.crypto.columns import SealedDocument
from app.db_types import UTCDateTime
from app.extensions import db

OPEN, SUBMITTED, RETURNED, ACCEPTED, NOT_SUBMITTED = "open", "submitted", "returned", "accepted", "not_submitted"
UNREVIEWED = "unreviewed"  # submitted, but the call was closed before the office reviewed it


class DataSubmission(db.Model):
    __tablename__ = "data_submission"
    __table_args__ = (UniqueConstraint("case_id", "unit_id"), Index("ix_data_submission_unit_status", "unit_id", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    unit: Mapped[Unit] = relationship()
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=OPEN)
    # the table as submitted, without its header (sealed whole: it may list subjects with their identity numbers)
    rows: Mapped[list | None] = mapped_column(SealedDocument("data_submission.rows"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    times_returned: Mapped[int] = mapped_column(default=0, server_default="0")
    return_reasons: Mapped[str] = mapped_column(Text, default="", server_default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DataCallRepeat(db.Model):
    """A call the office has the system publish again each month or quarter (seed 004 (二十五) 每季末向市信用办书面报送
    工作进展情况; seed 003 月通报): a copy of `source_case_id` (title with the period, instructions, columns, template,
    units, deadline) is published on `next_on`, found by its index."""
    __tablename__ = "data_call_repeat"
    __table_args__ = (Index("ix_data_call_repeat_due", "active", "next_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    every: Mapped[str] = mapped_column(String(10))  # month | quarter
    next_on: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
