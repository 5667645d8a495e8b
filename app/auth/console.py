"""What only the server's console may do with accounts (三员分立 leaves no one in the app who could):

- a new installation's first accounts: the joint-meeting office and its three administrators (system, security,
  audit), each with a one-time password that must be replaced at the first login (and two-factor enrolment then,
  as for every administrator);
- the way back in when no administrator can help: the security administrator's own password (nobody in the app
  may reset it), or every administrator locked out or without their authenticator.

Running these needs a shell on a server with its configuration (database, data key): the trust of running the
migrations. Each is one event of the security log, by "console", which the auditor reads."""
from sqlalchemy import select

from app.auth.models import ADMIN, ADMIN_ROLES, AUDIT_ADMIN, SECURITY_ADMIN, UNIT_OFFICE, Unit, User
from app.auth.services import RESERVED_USERNAMES, end_sessions, initial_password, username_taken
from app.auth.two_factor import remove_authenticator
from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.security_log import services as security_log

CONSOLE = RESERVED_USERNAMES[0]
FIRST_ACCOUNTS = ((ADMIN, "admin", "系统管理员"), (SECURITY_ADMIN, "secadmin", "安全管理员"),
                  (AUDIT_ADMIN, "auditor", "审计管理员"))


def init_accounts(office_name: str) -> list[tuple[User, str]]:
    """The office unit (unless there is one) and the three administrators, with their one-time passwords.
    Refused once any administrator exists (then: reset_password). Flush."""
    if db.session.scalar(select(User.id).where(User.role.in_(ADMIN_ROLES)).limit(1)) is not None:
        raise DomainError(_l("This installation has administrators already; reset a password instead."))
    office = db.session.scalar(select(Unit).where(Unit.kind == UNIT_OFFICE).order_by(Unit.id).limit(1))
    if office is None:
        name = (office_name or "").strip()
        if not name:
            raise DomainError(_l("Give the name of the joint-meeting office (the unit of the administrators)."))
        office = Unit(name=name, kind=UNIT_OFFICE, active=True)
        db.session.add(office)
        db.session.flush()
    out = []
    for role, username, full_name in FIRST_ACCOUNTS:
        if username_taken(username):
            raise DomainError(_l("The username %(name)s is taken.", name=username))
        user = User(username=username, full_name=full_name, role=role, unit_id=office.id, active=True,
                    must_change_password=True)
        password = initial_password()
        user.set_password(password)
        db.session.add(user)
        out.append((user, password))
    db.session.flush()
    security_log.record("console_action", None, username=CONSOLE, entity="user", key=",".join(str(u.id) for u, _ in out),
                        details={"action": "accounts_initialised"})
    return out


def reset_password(username: str, two_factor: bool = False) -> tuple[User, str]:
    """A new one-time password for the account (unlocked; every session ended); with two_factor, its
    authenticator and recovery codes are removed too (enrolled again at the next login). Flush."""
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        raise DomainError(_l("No such user."))
    password = initial_password()
    user.set_password(password)
    user.must_change_password, user.failed_logins, user.locked_until = True, 0, None
    if two_factor:
        remove_authenticator(user)
    end_sessions(user)
    security_log.record("console_action", None, username=CONSOLE, entity="user", key=user.id,
                        details={"action": "password_reset", "two_factor": two_factor})
    db.session.flush()
    return user, password
