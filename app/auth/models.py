"""Organisation and people: units, specialist groups, users with roles."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.clock import utcnow
from app.crypto.columns import Sealed
from app.db_types import UTCDateTime
from app.enums import Role, UnitKind
from app.extensions import db

# Roles. Experts and applicants are used by later features; the model carries them already.
# Short names for the roles and unit kinds (the enums in app/enums.py are the definition).
CASEWORKER, GROUP_LEAD, OFFICE = Role.CASEWORKER, Role.GROUP_LEAD, Role.OFFICE
SUPERVISOR, ADMIN, EXPERT, APPLICANT = Role.SUPERVISOR, Role.ADMIN, Role.EXPERT, Role.APPLICANT
SECURITY_ADMIN, AUDIT_ADMIN = Role.SECURITY_ADMIN, Role.AUDIT_ADMIN
# 三员分立: the three administrators' roles; no account holds two, and none does another's work.
ADMIN_ROLES = (ADMIN, SECURITY_ADMIN, AUDIT_ADMIN)
ROLES = tuple(Role)

# Unit kinds
UNIT_MEMBER, UNIT_OFFICE, UNIT_COUNTY, UNIT_OTHER = UnitKind.MEMBER, UnitKind.OFFICE, UnitKind.COUNTY, UnitKind.OTHER

group_member = Table(
    "group_member",
    db.metadata,
    Column("group_id", ForeignKey("specialist_group.id"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id"), primary_key=True),
)


class Unit(db.Model):
    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default=UNIT_MEMBER)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The unit that took over this one's work (merger, renaming, abolition); set with active=False.
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    # The designated liaison (联系人, seed 001 四(二)): receives the unit's pushes and notices (see
    # app/cases/runtime.py, tasks drawn with a "liaison" property). One of the unit's active staff.
    liaison_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", use_alter=True, name="fk_unit_liaison"))
    liaison_phone: Mapped[str | None] = mapped_column(Sealed("unit.liaison_phone"))
    # (loaded when asked for: a unit is read on nearly every page, its liaison on few)
    liaison: Mapped["User | None"] = relationship(foreign_keys=[liaison_id])

    def __repr__(self):
        return f"<Unit {self.id} {self.name}>"


class SpecialistGroup(db.Model):
    __tablename__ = "specialist_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # Industry/domain key, matched by catalog entries and (later) expert fields.
    domain: Mapped[str] = mapped_column(String(40))
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    lead_unit: Mapped[Unit] = relationship()
    members: Mapped[list[Unit]] = relationship(secondary=group_member)


class User(UserMixin, db.Model):
    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    full_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Applicant accounts are bound to one subject, expert accounts to one expert record (later features).
    subject_id: Mapped[int | None] = mapped_column(Integer)
    expert_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of the session id: raising it (logout, password change or reset) ends every session of the user.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # An initial or reset password must be replaced at the next login.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_ip: Mapped[str | None] = mapped_column(String(64))
    # The account a department system's API client acts as (tasks, timelines); it never logs in.
    service_account: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Two-factor login (app/auth/two_factor.py): the authenticator's secret once enrolled, and the time step of
    # the last code accepted (a code is accepted once).
    totp_secret: Mapped[str | None] = mapped_column(Sealed("user.totp_secret"))  # (key material: sealed with SM4)
    # Set by the security administrator for staff whose role does not require it (TWO_FACTOR_ROLES).
    two_factor_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self):  # Flask-Login: deactivated users cannot log in
        return self.active

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class RecoveryCode(db.Model):
    """A single-use code for logging in without the authenticator app (stored as a hash only)."""

    __tablename__ = "recovery_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(256))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasswordHistory(db.Model):
    """Hashes of a user's earlier passwords (the last PASSWORD_HISTORY are refused as a new one)."""

    __tablename__ = "password_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
