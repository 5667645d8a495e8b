"""Audit of administrative changes: who changed what, when, before and after (visible to supervisors)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.crypto.columns import SealedJSON
from app.db_types import UTCDateTime
from app.extensions import db

PERSONAL_KEYS = ("liaison_phone", "contact")  # kept sealed inside the before/after snapshots


def _personal(snapshot: dict) -> tuple:
    return tuple(k for k in PERSONAL_KEYS if k in snapshot)


class AdminChange(db.Model):
    __tablename__ = "admin_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    actor = relationship("User")
    entity: Mapped[str] = mapped_column(String(40), index=True)  # catalog | unit | group | user | rule | calendar | process
    entity_key: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict | None] = mapped_column(SealedJSON("admin_change.before", _personal))
    after: Mapped[dict | None] = mapped_column(SealedJSON("admin_change.after", _personal))
    reason: Mapped[str] = mapped_column(Text, default="")
