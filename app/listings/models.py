"""One listing per subject and decision (or department list): a subject's own punishment (black list) or
reward (red list), with its period, suspensions, state and the units that apply its measures. The public
lists, the pushes to units, the credit check and the exchange API all read these rows."""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, exists, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Unit
from app.cases.models import Case, Subject
from app.catalog.models import CatalogVersion
from app.clock import utcnow
from app.db_types import UTCDateTime
from app.extensions import db

UNSERVED = "served_on IS NULL AND source = 'case' AND kind = 'punishment' AND status IN ('in_effect', 'suspended')"


class Listing(db.Model):
    __tablename__ = "listing"
    __table_args__ = (
        UniqueConstraint("case_id", "subject_id"),
        Index("ix_listing_subject_status", "subject_id", "status"),
        Index("ix_listing_kind_status", "kind", "status", "period_start"),
        Index("ix_listing_kind_updated", "kind", "updated_at"),  # incremental sync (changes since)
        # the serious-dishonesty list (a small part of the black list)
        Index("ix_listing_serious", "kind", "status", "period_start", postgresql_where=text("serious"), sqlite_where=text("serious")),
        # decisions to punish in force not yet served on their subject (a few among all listings), oldest first, for the
        # supervisors (UNSERVED: the same predicate as their query, which the planner needs to use it)
        Index("ix_listing_unserved", "decided_on", "id", postgresql_where=text(UNSERVED), sqlite_where=text(UNSERVED)),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    # The subject the decision named, when the listing passed to a successor (合并: 《民法典》第六十七条).
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"))
    subject: Mapped[Subject] = relationship(foreign_keys=[subject_id])
    carried_from: Mapped[Subject | None] = relationship(foreign_keys=[carried_from_id])
    # punishment (black list) | reward (red list)
    kind: Mapped[str] = mapped_column(String(20))
    # case | department (a list supplied by a department, without a case behind it)
    source: Mapped[str] = mapped_column(String(20), default="case")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    case: Mapped[Case | None] = relationship(foreign_keys=[case_id])
    catalog_version_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_version.id"))
    catalog_version: Mapped[CatalogVersion | None] = relationship()
    deciding_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    deciding_unit: Mapped[Unit] = relationship()
    decision_no: Mapped[str | None] = mapped_column(String(80))
    grounds: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    serious: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_on: Mapped[date] = mapped_column(Date)
    period_start: Mapped[date] = mapped_column(Date)
    period_days: Mapped[int] = mapped_column(Integer)
    # The last day of the period with its suspensions counted (None while a suspension is open).
    period_end: Mapped[date | None] = mapped_column(Date)
    # in_effect | suspended | expired | revoked | repaired (named by bpmn/listing.bpmn)
    status: Mapped[str] = mapped_column(String(20), default="in_effect")
    ended_on: Mapped[date | None] = mapped_column(Date)
    # The day the decision was served on the subject (送达): its objection window counts from then.
    served_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(Text, default="")
    # Units whose measures a partly upheld objection lifts (read when the "change" push is thrown).
    pending_lift_units: Mapped[list | None] = mapped_column(JSON)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)  # every save of a process looks its listing up by it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    units: Mapped[list["ListingUnit"]] = relationship(back_populates="listing", order_by="ListingUnit.id")

    @property
    def active(self) -> bool:
        return self.status in ("in_effect", "suspended")


class ListingUnit(db.Model):
    """A unit that applies measures to the listed subject, and where those measures stand for it."""

    __tablename__ = "listing_unit"
    __table_args__ = (UniqueConstraint("listing_id", "unit_id"), Index("ix_listing_unit_unit", "unit_id", "state"))
    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id"))
    listing: Mapped[Listing] = relationship(back_populates="units")
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    unit: Mapped[Unit] = relationship()
    # pending (not yet reported) | applied | cannot | suspended | lifted
    state: Mapped[str] = mapped_column(String(20), default="pending")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# A push's reason when a decision on an objection or complaint lifted some units' measures and the listing stays.
LIFTED_BY_DECISION = "changed"
ACTIVE = ("in_effect", "suspended")  # a determination that stands (a suspended one is not applied meanwhile)
# The end_reason of a reward withdrawn by its deciding body from a day on, because its subject no longer qualifies
# (a punishment decided since): unlike a revoked decision (found wrong, never valid), it stays on earlier days' lists.
WITHDRAWN = "withdrawn"


class Push(db.Model):
    """A change of a listing told to one unit that applies its measures (信息推送), and the unit's
    confirmation (执行反馈). Its task lives in bpmn/measure_push.bpmn."""

    __tablename__ = "push"
    __table_args__ = (Index("ix_push_unit_open", "unit_id", "confirmed_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id"), index=True)
    listing: Mapped[Listing] = relationship()
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    unit: Mapped[Unit] = relationship()
    # suspend | resume | lift
    action: Mapped[str] = mapped_column(String(20))
    # why: objection | complaint | rejected | expired | revoked | repaired | changed
    reason: Mapped[str] = mapped_column(String(40), default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    instance = relationship("ProcessInstance")  # (see OpenTask.instance)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # A later push for the same subject and unit replaced this one before it was confirmed.
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")


def lifted_by_decision(listing_id, unit_id, at=None):
    """SQL condition: a decision on an objection or complaint lifted this unit's measures of the listing (which stays),
    by `at` if given. The public lists, the exchange and the credit check all leave such measures out."""
    cond = [Push.listing_id == listing_id, Push.unit_id == unit_id, Push.action == "lift", Push.reason == LIFTED_BY_DECISION]
    if at is not None:
        cond.append(Push.created_at <= at)
    return exists().where(*cond)


class PeriodSuspension(db.Model):
    """A suspension of one listing while its subject's objection or complaint is handled (seed 001 二(三)):
    from `start` (first suspended day) until `end` (the day counting resumes; None while open)."""

    __tablename__ = "period_suspension"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listing.id"), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(40))  # objection | complaint
    source_case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
