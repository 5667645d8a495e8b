"""Due process before a listing (国办发〔2020〕49号 (八)): the notice (告知书) each subject receives before a
determination that would list it, and the subject's statement (陈述申辩)."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.cases.models import Subject
from app.clock import utcnow
from app.db_types import UTCDateTime
from app.extensions import db

OPEN, STATED, WAIVED = "open", "stated", "waived"


class PriorNotice(db.Model):
    """One subject's notice of an intended determination and what it said in reply."""

    __tablename__ = "prior_notice"
    __table_args__ = (UniqueConstraint("case_id", "subject_id"), Index("ix_prior_notice_case_state", "case_id", "state"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    subject: Mapped[Subject] = relationship()
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))  # the determining body that issued it
    intended: Mapped[str] = mapped_column(Text)  # the intended decision: measures and period
    grounds: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    statement_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # How the statement period was counted (rule, days, holidays skipped), shown with the date.
    deadline_basis: Mapped[dict | None] = mapped_column(JSON)
    # open (period running or ended in silence) | stated | waived
    state: Mapped[str] = mapped_column(String(20), default=OPEN)
    statement: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str | None] = mapped_column(String(20))  # portal | paper
    stated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    stated_by: Mapped[User | None] = relationship(foreign_keys=[stated_by_id])
    # How the determination meeting answered the statement.
    answer: Mapped[str] = mapped_column(Text, default="")
    # Its service (送达): the statement period runs from the day the subject received it; until the service is
    # recorded, from the notice's issue.
    served_on: Mapped[date | None] = mapped_column(Date)
    service_way: Mapped[str | None] = mapped_column(String(20))  # portal | post | in_person | other
    service_proof_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))


class DecisionService(db.Model):
    """How and when the decision reached one subject (送达), with the proof (a receipt, a scan)."""

    __tablename__ = "decision_service"
    __table_args__ = (UniqueConstraint("case_id", "subject_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    subject: Mapped[Subject] = relationship()
    way: Mapped[str] = mapped_column(String(20))  # portal | post | in_person | other
    served_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    proof_attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DecisionCounter(db.Model):
    """The last decision number (文号) a unit gave in a year."""

    __tablename__ = "decision_counter"
    __table_args__ = (UniqueConstraint("unit_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer, default=0)


class DocumentTemplate(db.Model):
    """A document template as administrators edited it (absent: the default file in app/templates/documents)."""

    __tablename__ = "document_template"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SubjectChange(db.Model):
    """A change in a subject's registration (注销, 合并) as recorded by the office or a unit party to its cases,
    with what it meant for the subject's listings under the rule applied (see subject_changes.RULES)."""

    __tablename__ = "subject_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    subject: Mapped[Subject] = relationship(foreign_keys=[subject_id])
    kind: Mapped[str] = mapped_column(String(20))  # deregistered | merged
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"), index=True)
    successor: Mapped[Subject | None] = relationship(foreign_keys=[successor_id])
    on_date: Mapped[date] = mapped_column(Date)  # the day the registration authority recorded it
    basis: Mapped[str] = mapped_column(Text)  # the registration authority's document (注销/合并登记通知书 …)
    reason: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(String(20))  # retained | carried_over
    listing_ids: Mapped[list] = mapped_column(JSON, default=list)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_by: Mapped[User] = relationship()
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
