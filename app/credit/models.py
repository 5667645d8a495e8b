"""The credit check at approval desks (逢批必查): every query a unit makes about a subject while handling an
approval matter, and what the unit then did about each listing it was told of (its application record,
执行反馈). Supervisors read the log; the subject sees which units checked it."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Unit, User
from app.clock import utcnow
from app.crypto.columns import Sealed, looked_up
from app.db_types import UTCDateTime
from app.extensions import db


class CreditCheck(db.Model):
    __tablename__ = "credit_check"
    __table_args__ = (
        Index("ix_credit_check_unit_at", "unit_id", "at"),
        Index("ix_credit_check_subject_at", "subject_id", "at"),
        Index("ix_credit_check_code", "subject_code_digest"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    unit: Mapped[Unit] = relationship()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    user: Mapped[User | None] = relationship()
    api_client_id: Mapped[int | None] = mapped_column(Integer)  # a department system's API client
    # The code asked about, sealed (SM4-GCM); its keyed digest finds the checks of one code.
    subject_code_sealed: Mapped[str] = mapped_column(Sealed("subject.code"))  # (the purpose of Subject.code: copies by SQL open)
    subject_code_digest: Mapped[str] = mapped_column(String(64))
    subject_code = looked_up("subject_code_sealed", "subject_code_digest")
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"))
    matter_type: Mapped[str] = mapped_column(String(30))
    matter_no: Mapped[str] = mapped_column(String(80))
    # clear | punished | suspended | rewarded | repaired (the strongest finding; see services.verdict)
    verdict: Mapped[str] = mapped_column(String(20))
    listing_ids: Mapped[list] = mapped_column(JSON, default=list)
    batch: Mapped[str | None] = mapped_column(String(32), index=True)


class CheckApplication(db.Model):
    """What the unit did about one listing after a check (refused, restricted, green channel, approved)."""

    __tablename__ = "check_application"
    __table_args__ = (UniqueConstraint("check_id", "listing_id"), Index("ix_check_application_unit_at", "unit_id", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("credit_check.id"))
    check: Mapped[CreditCheck] = relationship()
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    action: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    api_client_id: Mapped[int | None] = mapped_column(Integer)


class CreditCommitment(db.Model):
    """信用承诺 (seed 002 五(二) 行政许可申请人信用承诺制度; seed 000 四 信用承诺): the written commitment an applicant made
    to a unit's desk for the approval matter it checked — materials supplied later (容缺受理), conditions declared met
    (告知承诺) — and, once the unit has seen, whether it was kept. A broken one is told to every desk that checks the
    subject afterwards (the applicant's credit review, 申请人信用审查)."""

    __tablename__ = "credit_commitment"
    __table_args__ = (Index("ix_credit_commitment_unit_status", "unit_id", "status", "due_on"),
                      Index("ix_credit_commitment_code_status", "subject_code_digest", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("credit_check.id"), unique=True)  # (one per check: its matter)
    check: Mapped[CreditCheck] = relationship()
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    unit: Mapped[Unit] = relationship()
    subject_code_digest: Mapped[str] = mapped_column(String(64))  # (the check's: finds a subject's commitments by code)
    kind: Mapped[str] = mapped_column(String(20))  # tolerance (容缺受理) | notification (告知承诺) | other
    content: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)  # by when it is to be fulfilled (materials supplied), if it says
    made_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | kept | broken
    finding: Mapped[str] = mapped_column(Text, default="")  # what the unit found when it closed it
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
