"""A report of dishonest behaviour from the public: the case that carries it (kind public_report) holds the
report's text and its workflow; this row holds what the public side needs (the tracking code's hash) and the
trigger filed from it."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.models import Case
from app.clock import utcnow
from app.db_types import UTCDateTime
from app.extensions import db


class PublicReport(db.Model):
    __tablename__ = "public_report"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    case: Mapped[Case] = relationship(foreign_keys=[case_id])
    # sha256 of the code printed to the reporter (12 random characters: the hash cannot be reversed).
    code_hash: Mapped[str] = mapped_column(String(64))
    trigger_case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    trigger_case: Mapped[Case | None] = relationship(foreign_keys=[trigger_case_id])
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
