"""The expert database, auditable random draws, invitations and opinions (seed 001 二(二)2)."""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.crypto.columns import Sealed
from app.db_types import UTCDateTime
from app.extensions import db

LEGAL = "legal"


class Expert(db.Model):
    __tablename__ = "expert"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # "legal" and the industry domains of the specialist groups / catalog (market, finance, ...)
    fields: Mapped[list] = mapped_column(JSON)
    affiliation: Mapped[str] = mapped_column(String(200), default="")
    # Set when the expert works for a member unit or for a registered subject: drives exclusions.
    affiliated_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    # (sealed: compared only after reading, never searched)
    affiliated_subject_code: Mapped[str | None] = mapped_column(Sealed("expert.affiliated_subject_code"))
    contact: Mapped[str] = mapped_column(Sealed("expert.contact"), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    unavailable: Mapped[list["ExpertUnavailability"]] = relationship(
        back_populates="expert", order_by="ExpertUnavailability.start", cascade="all, delete-orphan"
    )


class ExpertUnavailability(db.Model):
    __tablename__ = "expert_unavailability"
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"), index=True)
    expert: Mapped[Expert] = relationship(back_populates="unavailable")
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")


class Draw(db.Model):
    """Everything needed to recompute a draw: the pool as it stood (canonical order), the exclusions, the
    request, the seed and the algorithm version; and the picks it produced."""

    __tablename__ = "expert_draw"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(30))  # determination | complaint
    meeting_date: Mapped[date] = mapped_column(Date)
    request: Mapped[dict] = mapped_column(JSON)  # {"fields": {"legal": 1, "market": 2}, "reserves": 1}
    pool: Mapped[list] = mapped_column(JSON)
    exclusions: Mapped[list] = mapped_column(JSON)
    seed: Mapped[str] = mapped_column(String(64))
    algorithm: Mapped[str] = mapped_column(String(30))
    picks: Mapped[list] = mapped_column(JSON)
    inputs_digest: Mapped[str] = mapped_column(String(64), default="")
    parent_draw_id: Mapped[int | None] = mapped_column(ForeignKey("expert_draw.id"))
    # Set when the meeting closes (decision recorded): no more reserves are invited after that.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Invitation(db.Model):
    __tablename__ = "expert_invitation"
    __table_args__ = (Index("ix_invitation_expert_status", "expert_id", "status"), UniqueConstraint("draw_id", "expert_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("expert_draw.id"), index=True)
    draw: Mapped[Draw] = relationship()
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"))
    expert: Mapped[Expert] = relationship()
    field: Mapped[str] = mapped_column(String(40))
    # invited | confirmed | declined | expired | closed
    status: Mapped[str] = mapped_column(String(20), default="invited")
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))


class Opinion(db.Model):
    __tablename__ = "expert_opinion"
    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("expert_invitation.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"))
    expert: Mapped[Expert] = relationship()
    vote: Mapped[str] = mapped_column(String(10))  # support | oppose | abstain
    reasons: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConvenedUnit(db.Model):
    """A unit convened to a case's determination meeting (member, non-member or county) and its answer."""

    __tablename__ = "convened_unit"
    __table_args__ = (UniqueConstraint("case_id", "unit_id", "meeting_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    unit = relationship("Unit")
    meeting_date: Mapped[date] = mapped_column(Date)
    # invited | attending | absent | no_answer | closed
    status: Mapped[str] = mapped_column(String(20), default="invited")
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime)
    attendees: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
