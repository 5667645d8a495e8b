"""Access codes that bind an applicant account to its subject."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.db_types import UTCDateTime
from app.extensions import db


class AccessCode(db.Model):
    """Printed on the decision served to a subject; lets that subject open one applicant account."""

    __tablename__ = "access_code"
    __table_args__ = (UniqueConstraint("case_id", "subject_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    # Only the hash: the code is shown once to the staff who print it on the decision; it stops working
    # once used, and issuing a new one replaces an unused one.
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
