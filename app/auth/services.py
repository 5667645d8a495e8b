"""Authentication and administering the organisation: units, specialist groups and their members, users
(role, unit, active flag, password reset). Deactivated users keep their history; tasks waiting for a unit
follow the unit's current members because tasks belong to units, not people."""
import re
import secrets
import string
from datetime import timedelta
from functools import cache

from blinker import Namespace
from flask import current_app
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from app import clock, txcache
from app.audit import services as audit
from app.auth import lockout
from app.auth.models import (
    ADMIN,
    ADMIN_ROLES,
    ROLES,
    SECURITY_ADMIN,
    UNIT_COUNTY,
    UNIT_MEMBER,
    UNIT_OFFICE,
    UNIT_OTHER,
    PasswordHistory,
    SpecialistGroup,
    Unit,
    User,
)
from app.auth.permissions import not_a_service_account, require_keeper, require_role
from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.labels import ROLE_LABELS, label
from app.security_log import services as security_log

UNIT_KINDS = (UNIT_MEMBER, UNIT_OFFICE, UNIT_COUNTY, UNIT_OTHER)


# Checked against when the username is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password-of-anyone")
COMMON_PASSWORDS = {"12345678", "123456789", "1234567890", "password", "password1", "qwertyuiop", "11111111",
                    "88888888", "abc12345", "admin123", "iloveyou", "woaini1314", "a1234567", "aa123456"}


class LoginRefused(DomainError):
    """Wrong credentials, a deactivated account, or a temporary lockout (with the minutes left)."""


def authenticate(username: str, password: str, address: str | None = None) -> User:
    """The user whose password this is, or LoginRefused. After LOGIN_MAX_FAILURES wrong passwords in a row the
    account is locked for LOGIN_LOCK_MINUTES (the attempts meanwhile are refused unread). Before the password is proven
    every refusal reads the same (unknown name, wrong password, deactivated, locked) and costs one hash: saying
    "locked" only for accounts that exist told anyone which usernames do."""
    cfg = current_app.config
    refused = LoginRefused(_l("Wrong username or password, or the account is deactivated or locked for a while "
                              "(%(n)s wrong passwords in a row lock it for %(minutes)s minutes).",
                              n=cfg["LOGIN_MAX_FAILURES"], minutes=cfg["LOGIN_LOCK_MINUTES"]))
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        raise refused
    now = clock.now()
    locked = clock.as_utc(user.locked_until)
    if locked is not None and locked > now:
        check_password_hash(_DUMMY_HASH, password or "")
        raise refused
    if user.service_account:  # (a department system's or the public's account: a token, never a password)
        check_password_hash(_DUMMY_HASH, password or "")
        raise refused
    if not user.check_password(password or "") or not user.active:
        if user.active:
            lockout.count_failure(user)
        raise refused
    user.failed_logins, user.locked_until = 0, None
    # The login before this one, for "your previous login" (read it here: the columns now become this login's).
    user.previous_login = (user.last_login_at, user.last_login_ip)
    user.last_login_at, user.last_login_ip = now, (address or "")[:64] or None
    return user


def locked_minutes(user: User) -> int:
    """Minutes the account stays locked after too many wrong passwords or codes (0: not locked)."""
    locked = clock.as_utc(user.locked_until)
    now = clock.now()
    return max(1, int((locked - now).total_seconds() // 60) + 1) if locked is not None and locked > now else 0


def password_problems(password: str, username: str = "") -> list:
    """What is wrong with a new password (empty if it will do): at least PASSWORD_MIN_LENGTH characters from
    at least three kinds (lower case, upper case, digits, other), not the username, not a common password."""
    password = password or ""
    problems = []
    kinds = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if len(password) < current_app.config["PASSWORD_MIN_LENGTH"]:
        problems.append(_l("Use at least %(n)s characters.", n=current_app.config["PASSWORD_MIN_LENGTH"]))
    if kinds < 3:
        problems.append(_l("Mix at least three of: lower-case letters, capitals, digits, other characters."))
    if password.lower() in COMMON_PASSWORDS or (len(username) >= 3 and username.lower() in password.lower()):
        problems.append(_l("Do not use a common password or your username."))
    return problems


def check_new_password(password: str, confirm: str, username: str, field: str = "password") -> None:
    errors = [(field, m) for m in password_problems(password, username)]
    if password != confirm:
        errors.append((field + "2" if field == "password" else "confirm", _l("The two passwords differ.")))
    if errors:
        raise DomainError(errors[0][1], errors=errors)


def end_sessions(user: User) -> None:
    """Every session of the user ends (the session id carries the version)."""
    user.session_version = (user.session_version or 0) + 1


def wrong_current_password(user: User) -> bool:
    """The current password given to change it was wrong: it counts as a failed login (someone at an unattended or
    stolen session must not guess it freely, then lock the owner out with a new one). After LOGIN_MAX_FAILURES the
    account is locked and its sessions end. Returns whether it is now locked."""
    if not lockout.count_failure(user):
        return False
    end_sessions(user)
    return True


def change_password(user: User, current: str, new: str, confirm: str) -> None:
    """The user replaces their own password (required after an initial or reset one). Other sessions end."""
    if not user.check_password(current or ""):
        raise DomainError(_l("The current password is wrong."), "current")
    if new == current:
        raise DomainError(_l("Choose a new password, not the current one."), "new")
    check_new_password(new, confirm, user.username, "new")
    keep = current_app.config["PASSWORD_HISTORY"]
    earlier = list(db.session.scalars(select(PasswordHistory).where(PasswordHistory.user_id == user.id)
                                      .order_by(PasswordHistory.id.desc())))
    if any(check_password_hash(h.password_hash, new) for h in earlier[:keep]):
        raise DomainError(_l("Choose a password you have not used for your last %(n)s passwords.", n=keep), "new")
    db.session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))  # the one being replaced
    for old in earlier[max(keep - 1, 0):]:
        db.session.delete(old)
    user.set_password(new)
    user.must_change_password, user.password_changed_at = False, clock.now()
    end_sessions(user)
    audit.record(user, "user", user.id, "password_change")


def password_expired(user: User) -> bool:
    """The password is older than PASSWORD_MAX_AGE_DAYS (since it was set or last changed)."""
    days = current_app.config.get("PASSWORD_MAX_AGE_DAYS", 0)
    since = clock.as_utc(user.password_changed_at or user.created_at)
    return bool(days) and since is not None and clock.now() - since > timedelta(days=days)


@cache
def _session_user_query():
    """With its unit: nearly every page reads it (the menu, the access checks), and it is one query less. Built once
    (every request runs it), when first run: a loader option configures every mapper, which needs every model
    imported, whatever order a script imports the app's modules in."""
    return select(User).options(joinedload(User.unit)).where(User.id == bindparam("user_id"))


def load_session_user(session_id: str) -> User | None:
    """The user of a session id "<user id>.<session version>", if that session is still valid."""
    try:
        user_id, version = (int(x) for x in session_id.split("."))
    except ValueError:
        return None
    user = db.session.scalar(_session_user_query(), {"user_id": user_id})
    if user is None or (user.session_version or 0) != version or user.service_account:
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
    if user.role == "security_admin":
        return "auth.security_users"
    if user.role == "audit_admin":
        return "security_log.index"
    return "tasks.inbox"



# Names no account may take: the security log names console actions (app/auth/console.py) by this.
RESERVED_USERNAMES = ("console",)


# Login names: half-width letters, digits and . _ - (no full-width look-alikes such as ｍａｒｋｅｔ for market).
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,59}")


def username_problem(username: str):
    """What is wrong with a new login name (None if it will do)."""
    if not USERNAME.fullmatch(username or ""):
        return _l("Use at most 60 half-width letters, digits, dots, hyphens or underscores, starting with a letter or digit.")
    return None


def _holder_of(name: str) -> int | None:
    """The account whose login name is `name` in any case (MARKET_CW is market_cw's: a look-alike account is refused)."""
    return db.session.scalar(select(User.id).where(func.lower(User.username) == name.lower()).limit(1))


def username_taken(username: str) -> bool:
    name = (username or "").strip()
    return name.lower() in RESERVED_USERNAMES or _holder_of(name) is not None


def _unit_dict(u: Unit) -> dict:
    return {"name": u.name, "kind": u.kind, "active": u.active, "liaison_id": u.liaison_id, "liaison_phone": u.liaison_phone}


_PHONE = re.compile(r"^[0-9+\-() 转]{5,40}\Z")


# The tasks that go to a liaison (pushes, measures, reports, convocations) are caseworkers' tasks; the office's
# liaison receives notices as its office staff.
LIAISON_ROLES = ("caseworker", "office")


def liaison_candidates(unit_id: int | None) -> list[User]:
    """The unit's active caseworkers (the office's: its office staff) who can be its liaison."""
    if not unit_id:
        return []
    return list(db.session.scalars(select(User).where(
        User.unit_id == unit_id, User.active.is_(True), User.role.in_(LIAISON_ROLES), User.service_account.is_(False),
    ).order_by(User.full_name)))


def _check_liaison(unit: Unit | None, liaison_id: int | None, phone: str | None) -> tuple[int | None, str | None]:
    phone = (phone or "").strip() or None
    if phone and not _PHONE.match(phone):
        raise DomainError(_l("Give the telephone number in digits (with area code or extension)."), "liaison_phone")
    if not liaison_id:
        return None, phone
    if unit is None or liaison_id not in {u.id for u in liaison_candidates(unit.id)}:
        raise DomainError(_l("The liaison must be an active staff member of this unit."), "liaison_id")
    return liaison_id, phone


def save_unit(actor, unit: Unit | None, name: str, kind: str, active: bool,
              liaison_id: int | None = None, liaison_phone: str | None = None) -> Unit:
    require_role(actor, ADMIN)
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Enter the unit's name."), "name")
    if kind not in UNIT_KINDS:
        raise DomainError(_l("Choose the kind of unit."), "kind")
    clash = db.session.scalar(select(Unit.id).where(Unit.name == name))
    if clash and (unit is None or clash != unit.id):
        raise DomainError(_l("A unit with this name exists."), "name")
    office = db.session.scalar(select(Unit).where(Unit.kind == UNIT_OFFICE).order_by(Unit.id).limit(1))
    if kind == UNIT_OFFICE and office is not None and (unit is None or office.id != unit.id):
        raise DomainError(_l("There is one joint-meeting office: %(name)s.", name=office.name), "kind")
    if unit is not None and office is not None and unit.id == office.id and (kind != UNIT_OFFICE or not active):
        raise DomainError(_l("The joint-meeting office stays in use and stays the office."), "active")
    if unit is not None and unit.successor_id is not None and active:
        raise DomainError(_l("This unit handed its work over to another; it cannot be put back in use."), "active")
    liaison_id, liaison_phone = _check_liaison(unit, liaison_id, liaison_phone)
    before = _unit_dict(unit) if unit else None
    if unit is None:
        unit = Unit(name=name, kind=kind, active=active, liaison_phone=liaison_phone)
        db.session.add(unit)
    else:
        unit.name, unit.kind, unit.active = name, kind, active
        unit.liaison_id, unit.liaison_phone = liaison_id, liaison_phone
    db.session.flush()
    audit.record(actor, "unit", unit.id, "change" if before else "create", before, _unit_dict(unit))
    return unit


def save_group(actor, group: SpecialistGroup | None, name: str, domain: str, lead_unit_id: int, member_ids: list[int]) -> SpecialistGroup:
    require_role(actor, ADMIN)
    name, domain = (name or "").strip(), (domain or "").strip()
    if not name or not domain:
        raise DomainError(_l("Enter the group's name and domain."), "name")
    if db.session.scalar(select(SpecialistGroup.id).where(SpecialistGroup.name == name,
                                                         SpecialistGroup.id != (group.id if group else 0))):
        raise DomainError(_l("A group with this name exists."), "name")
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


_not_a_service_account = not_a_service_account


def save_user(actor, user: User | None, username: str, full_name: str, role: str, unit_id: int | None, active: bool) -> tuple[User, str | None]:
    """Create or change a user. A new user gets a random initial password, returned once."""
    require_role(actor, ADMIN)
    _not_a_service_account(user)
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
    if username and (user is None or username != user.username) and username_problem(username):
        errors.append(("username", username_problem(username)))
    clash = _holder_of(username) if username else None
    if (clash and (user is None or clash != user.id)) or username.lower() in RESERVED_USERNAMES:
        errors.append(("username", _l("This username is taken.")))
    if user is not None and user.id == actor.id and (not active or role != ADMIN):
        errors.append(("active", _l("You cannot deactivate yourself or drop your own administrator role.")))
    if user is not None and user.role in ADMIN_ROLES and user.id != actor.id:  # (三员分立: not the others' accounts)
        errors.append(("username", _l("Other administrators' accounts are not changed here.")))
    # 三员分立: roles are the security administrator's work. The system administrator gives a new account its
    # business role and cannot create administrators or change anyone's role afterwards.
    if (user is None and role in ADMIN_ROLES) or (user is not None and role != user.role):
        errors.append(("role", _l("Roles are assigned by the security administrator.")))
    if errors:
        raise DomainError(errors[0][1], errors=errors)
    before = _user_dict(user) if user else None
    password = None
    if user is None:
        user = User(username=username, full_name=full_name, role=role, unit_id=unit_id, active=active,
                    must_change_password=True)
        password = initial_password()
        user.set_password(password)
        db.session.add(user)
    else:
        if user.active and not active:
            end_sessions(user)  # a deactivated user is logged out everywhere
        leaves = user.active and (not active or user.unit_id != unit_id or user.role != role)
        user.username, user.full_name, user.role, user.unit_id, user.active = username, full_name, role, unit_id, active
        if leaves:
            _left_post(actor, user)
    db.session.flush()
    audit.record(actor, "user", user.id, "change" if before else "create", before, _user_dict(user))
    return user, password


# Sent (in the caller's transaction) when a user stops working where they did: deactivated, moved to another unit
# or given another role. The case layer releases the tasks they had claimed there (app/cases/__init__.py).
staff_left = Namespace().signal("staff-left")


def _left_post(actor, user: User) -> None:
    for unit in db.session.scalars(select(Unit).where(Unit.liaison_id == user.id)):
        unit.liaison_id = None
        audit.record(actor, "unit", unit.id, "change", {"liaison_id": user.id}, {"liaison_id": None},
                     reason="liaison left the unit")
    staff_left.send(user)


_KINDS = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "-_.!@#")
_EASY_TO_READ = str.maketrans("", "", "lIO0")  # (read out or copied from the screen: no l/I, O/0 to confuse)


def initial_password(length: int = 16) -> str:
    """Random characters of every kind the policy counts, in random places (the user must replace it at the first login
    anyway): no fixed part, which told everyone four of its characters."""
    kinds = [k.translate(_EASY_TO_READ) for k in _KINDS]
    chars = [secrets.choice(k) for k in kinds] + [secrets.choice("".join(kinds)) for _ in range(length - len(kinds))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def reset_password(actor, user: User) -> str:
    """A new initial password, shown once to the one who reset it. 三员分立: the system administrator resets the
    business accounts; an administrator's account (system, security or audit administrator) is reset only by the
    security administrator, never by the system administrator, who could otherwise log in as the auditor who
    watches them."""
    require_keeper(actor, user, SECURITY_ADMIN, ADMIN, _l("Change your own password on your account page."))
    _not_a_service_account(user)
    password = initial_password()
    user.set_password(password)
    user.must_change_password = True
    end_sessions(user)
    audit.record(actor, "user", user.id, "password_reset")
    return password


def current_unit_id(unit_id: int | None) -> int | None:
    """The unit that does the work of `unit_id` now, following successions (merger, renaming, abolition)."""
    return current_unit_ids([unit_id]).get(unit_id) if unit_id is not None else None


_SUCCESSORS = select(Unit.id, Unit.successor_id).where(Unit.id.in_(bindparam("ids", expanding=True)))
_SUCCESSOR = select(Unit.id, Unit.successor_id).where(Unit.id == bindparam("id"))  # (one unit: the text is not rendered again)


def current_unit_ids(unit_ids) -> dict[int, int]:
    """current_unit_id of several units (the new tasks of one save): one query of the units' successors per step
    of succession (nearly always one), reading the two columns only (a whole unit row decrypts its liaison's phone)."""
    ids = set(unit_ids) - {None}
    unknown = [i for i in ids if not txcache.has(("current_unit", i))]
    successor: dict[int, int | None] = {}
    asked = set(unknown)
    while asked:
        conn = db.session.connection()
        rows = (conn.execute(_SUCCESSOR, {"id": next(iter(asked))}) if len(asked) == 1
                else conn.execute(_SUCCESSORS, {"ids": sorted(asked)})).all()
        successor.update(rows)
        asked = {nxt for _id, nxt in rows if nxt is not None and nxt not in successor}
    return {i: txcache.cached(("current_unit", i), lambda i=i: _follow_successions(i, successor)) for i in ids}


def _follow_successions(unit_id: int, successor: dict) -> int:
    seen = set()
    while unit_id not in seen and successor.get(unit_id) is not None:
        seen.add(unit_id)
        unit_id = successor[unit_id]
    return unit_id


def change_role(actor, user: User, role: str, reason: str) -> None:
    """The security administrator gives a user another role (with a reason); the user's sessions end, so the
    new permissions hold from the next request. Nobody changes their own role. Flush."""
    require_role(actor, SECURITY_ADMIN)
    _not_a_service_account(user)  # (its role is its client's unit's work: an administrator's role would be a way in)
    if role not in ROLES:
        raise DomainError(_l("Choose a role."), "role")
    if user.id == actor.id:
        raise DomainError(_l("Nobody changes their own role."), "role")
    if not (reason or "").strip():
        raise DomainError(_l("Give the reason for the change."), "reason")
    if role not in ("expert", "applicant") and user.unit_id is None:
        raise DomainError(_l("Choose the unit."), "role")
    before = user.role
    if before == role:
        return
    if before in ADMIN_ROLES and db.session.get_bind().dialect.name == "postgresql":
        # (two role changes at once must not each find the other holder still there; SQLite has one writer)
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('xinlian administrator roles'))"))
    if before in ADMIN_ROLES and user.active and not db.session.scalar(select(User.id).where(
            User.role == before, User.active.is_(True), User.id != user.id).limit(1)):
        # (三员分立 needs each of the three: without an auditor nobody reads the log; without a system administrator
        # nobody manages accounts — and that role moved to the office would see whole identity numbers)
        raise DomainError(_l("This user is the only active %(role)s: give the role to another user first.",
                             role=label(ROLE_LABELS, before)), "role")
    user.role = role
    end_sessions(user)
    _left_post(actor, user)  # (tasks claimed in the old role are released)
    db.session.flush()
    audit.record(actor, "user", user.id, "role_change", {"role": before}, {"role": role}, reason)
    security_log.record("role_change", actor, entity="user", key=user.id, details={"from": before, "to": role})


def set_two_factor_required(actor, user: User, required: bool) -> None:
    """The security administrator requires (or stops requiring) two-factor login of one account whose role does
    not require it anyway; the user enrols at the next login. Flush."""
    require_role(actor, SECURITY_ADMIN)
    _not_a_service_account(user)
    if user.two_factor_required == required:
        return
    user.two_factor_required = required
    db.session.flush()
    audit.record(actor, "user", user.id, "two_factor_policy", {"required": not required}, {"required": required})


def unlock(actor, user: User) -> None:
    require_role(actor, SECURITY_ADMIN)
    _not_a_service_account(user)
    user.locked_until, user.failed_logins = None, 0
    audit.record(actor, "user", user.id, "unlock")
