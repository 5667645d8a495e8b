"""Department systems' access: API clients (one unit each, a hashed token, scopes, a webhook), the log of
their calls, and the outbox of webhook deliveries (written in the transaction of the change it reports)."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Unit, User
from app.clock import utcnow
from app.crypto.columns import SealedDocument
from app.db_types import UTCDateTime
from app.extensions import db

SCOPES = ("check", "feedback", "lists", "lists-identity", "cases-read")


class ApiClient(db.Model):
    __tablename__ = "api_client"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    unit: Mapped[Unit] = relationship()
    # The service account the client acts as (its unit's role for tasks; shown on timelines).
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    token_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the secret part of the token
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    webhook_secret: Mapped[str | None] = mapped_column(String(64))  # signs deliveries (HMAC-SHA256)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The security administrator's approval of its access (三员分立): until then its token is refused.
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def pending(self) -> bool:
        return self.revoked_at is None and self.approved_at is None


class ApiCall(db.Model):
    __tablename__ = "api_call"
    __table_args__ = (Index("ix_api_call_client_at", "client_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(Integer)  # None: no valid token was given
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int] = mapped_column(Integer)
    ms: Mapped[int] = mapped_column(Integer, default=0)
    address: Mapped[str | None] = mapped_column(String(64))


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_client.id"), index=True)
    client: Mapped[ApiClient] = relationship()
    event: Mapped[str] = mapped_column(String(40))
    # (sealed whole: the message names the subject's code)
    payload: Mapped[dict] = mapped_column(SealedDocument("webhook_delivery.payload"))
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retried_by_admin: Mapped[bool] = mapped_column(Boolean, default=False)
