"""Reading the organisation for its administration pages."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import SpecialistGroup, Unit, User
from app.extensions import db


def units(with_liaisons: bool = False) -> list[Unit]:
    stmt = select(Unit).order_by(Unit.id)
    return list(db.session.scalars(stmt.options(selectinload(Unit.liaison)) if with_liaisons else stmt))


def unit(unit_id: int | None) -> Unit | None:
    return db.session.get(Unit, unit_id) if unit_id else None


def groups() -> list[SpecialistGroup]:
    return list(db.session.scalars(select(SpecialistGroup).order_by(SpecialistGroup.id)))


def group(group_id: int | None) -> SpecialistGroup | None:
    return db.session.get(SpecialistGroup, group_id) if group_id else None


def users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))


def user(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None
