"""Authentication and administering the organisation: units, specialist groups and their members, users
(role, unit, active flag, password reset). Deactivated users keep their history; tasks waiting for a unit
follow the unit's current members because tasks belong to units, not people."""
import secrets

from sqlalchemy import select

from app.audit import services as audit
from app.auth.models import ADMIN, ROLES, UNIT_COUNTY, UNIT_MEMBER, UNIT_OFFICE, UNIT_OTHER, SpecialistGroup, Unit, User
from app.auth.permissions import require_role
from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l

UNIT_KINDS = (UNIT_MEMBER, UNIT_OFFICE, UNIT_COUNTY, UNIT_OTHER)


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None or not user.active or not user.check_password(password or ""):
        return None
    return user


def landing_endpoint(user: User) -> str:
    """Each role lands on its own inbox."""
    if user.role == "supervisor":
        return "supervision.overview"
    if user.role == "applicant":
        return "portal.index"
    if user.role == "admin":
        return "cases.list_cases"
    return "tasks.inbox"



def _unit_dict(u: Unit) -> dict:
    return {"name": u.name, "kind": u.kind, "active": u.active}


def save_unit(actor, unit: Unit | None, name: str, kind: str, active: bool) -> Unit:
    require_role(actor, ADMIN)
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Enter the unit's name."), "name")
    if kind not in UNIT_KINDS:
        raise DomainError(_l("Choose the kind of unit."), "kind")
    clash = db.session.scalar(select(Unit.id).where(Unit.name == name))
    if clash and (unit is None or clash != unit.id):
        raise DomainError(_l("A unit with this name exists."), "name")
    before = _unit_dict(unit) if unit else None
    if unit is None:
        unit = Unit(name=name, kind=kind, active=active)
        db.session.add(unit)
    else:
        unit.name, unit.kind, unit.active = name, kind, active
    db.session.flush()
    audit.record(actor, "unit", unit.id, "change" if before else "create", before, _unit_dict(unit))
    return unit


def save_group(actor, group: SpecialistGroup | None, name: str, domain: str, lead_unit_id: int, member_ids: list[int]) -> SpecialistGroup:
    require_role(actor, ADMIN)
    name, domain = (name or "").strip(), (domain or "").strip()
    if not name or not domain:
        raise DomainError(_l("Enter the group's name and domain."), "name")
    lead = db.session.get(Unit, lead_unit_id or 0)
    if lead is None:
        raise DomainError(_l("Choose the lead unit."), "lead_unit_id")
    members = list(db.session.scalars(select(Unit).where(Unit.id.in_(member_ids or []))))
    if lead not in members:
        members.append(lead)
    before = {"name": group.name, "domain": group.domain, "lead": group.lead_unit_id, "members": sorted(u.id for u in group.members)} if group else None
    if group is None:
        group = SpecialistGroup(name=name, domain=domain, lead_unit_id=lead.id, members=members)
        db.session.add(group)
    else:
        group.name, group.domain, group.lead_unit_id, group.members = name, domain, lead.id, members
    db.session.flush()
    audit.record(actor, "group", group.id, "change" if before else "create", before,
                 {"name": name, "domain": domain, "lead": lead.id, "members": sorted(u.id for u in members)})
    return group


def _user_dict(u: User) -> dict:
    return {"username": u.username, "full_name": u.full_name, "role": u.role, "unit_id": u.unit_id, "active": u.active}


def save_user(actor, user: User | None, username: str, full_name: str, role: str, unit_id: int | None, active: bool) -> tuple[User, str | None]:
    """Create or change a user. A new user gets a random initial password, returned once."""
    require_role(actor, ADMIN)
    errors = []
    username, full_name = (username or "").strip(), (full_name or "").strip()
    if not username:
        errors.append(("username", _l("Choose a login name.")))
    if not full_name:
        errors.append(("full_name", _l("Enter the name.")))
    if role not in ROLES:
        errors.append(("role", _l("Choose a role.")))
    if role not in ("expert", "applicant") and not db.session.get(Unit, unit_id or 0):
        errors.append(("unit_id", _l("Choose the unit.")))
    clash = db.session.scalar(select(User.id).where(User.username == username))
    if clash and (user is None or clash != user.id):
        errors.append(("username", _l("This username is taken.")))
    if user is not None and user.id == actor.id and (not active or role != ADMIN):
        errors.append(("active", _l("You cannot deactivate yourself or drop your own administrator role.")))
    if errors:
        raise DomainError(errors[0][1], errors=errors)
    before = _user_dict(user) if user else None
    password = None
    if user is None:
        user = User(username=username, full_name=full_name, role=role, unit_id=unit_id, active=active)
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        db.session.add(user)
    else:
        user.username, user.full_name, user.role, user.unit_id, user.active = username, full_name, role, unit_id, active
    db.session.flush()
    audit.record(actor, "user", user.id, "change" if before else "create", before, _user_dict(user))
    return user, password


def reset_password(actor, user: User) -> str:
    require_role(actor, ADMIN)
    password = secrets.token_urlsafe(9)
    user.set_password(password)
    audit.record(actor, "user", user.id, "password_reset")
    return password
