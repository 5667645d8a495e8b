"""Workflow persistence: deployed process versions, running instances, and the open-task projection."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.db_types import UTCDateTime
from app.extensions import db


class ProcessVersion(db.Model):
    """Immutable: one row per deployed BPMN content (sha256). A case keeps the version it started on."""

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("process_id", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(60), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    xml: Mapped[str] = mapped_column(Text)
    spec_json: Mapped[str] = mapped_column(Text)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProcessInstance(db.Model):
    """Workflow state (serialized without the spec), with an indexed next due time for the timer sweep and
    a version counter for optimistic locking."""

    __tablename__ = "process_instance"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    process_version: Mapped[ProcessVersion] = relationship()
    state: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running | completed
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class OpenTask(db.Model):
    """One row per READY user task, kept in step with the workflow on every save. Inboxes read only this.
    Rows survive re-saves while their task stays READY, so claims and reminder/breach marks persist."""

    __tablename__ = "open_task"
    __table_args__ = (
        Index("ix_open_task_inbox", "role", "unit_id", "due_at"),
        Index("ix_open_task_remind", "reminded", "remind_at"),
        Index("ix_open_task_breach", "breached", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), unique=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    case = relationship("Case")
    case_kind: Mapped[str] = mapped_column(String(20))
    bpmn_id: Mapped[str] = mapped_column(String(60), index=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    unit = relationship("Unit")
    # Tasks for one person (an invited expert) rather than for a unit's role.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    form_key: Mapped[str] = mapped_column(String(80))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    claimed_by = relationship("User", foreign_keys=[claimed_by_id])
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_rule: Mapped[str | None] = mapped_column(String(40))
    deadline_days: Mapped[int | None] = mapped_column(Integer)
    # True when the deadline was counted with weekends only, for a year without a holiday schedule.
    calendar_fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded: Mapped[bool] = mapped_column(Boolean, default=False)
    breached: Mapped[bool] = mapped_column(Boolean, default=False)
