"""Workflow persistence: deployed process versions and running instances."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
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
    # The owner: the case row the runtime started this instance for (the engine never reads it).
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    process_version: Mapped[ProcessVersion] = relationship()
    state: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running | completed
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The messages it waits for now, space-separated with a space at each end (" a b "): its subscriptions, so that
    # a message no one waits for is dropped without loading the state. NULL: saved before they were kept (load it).
    waits_for: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class SchedulerHeartbeat(db.Model):
    """One row per scheduler process (host:pid): when it last swept the timers and how long that took, so
    administrators see a stalled scheduler and metrics can alert on it (web servers stay ready without one)."""

    __tablename__ = "scheduler_heartbeat"
    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sweep_ms: Mapped[int] = mapped_column(Integer, default=0)
    fired: Mapped[int] = mapped_column(Integer, default=0)  # timers fired by this process since it started
