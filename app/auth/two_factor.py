"""Two-factor login (TOTP, RFC 6238, with pyotp) for the roles that must have it (TWO_FACTOR_ROLES: by default
administrators, the office and supervisors) and for any other staff member who enrols. Ten single-use
recovery codes are shown once at enrolment and stored only as hashes. A code is accepted once (its time step
is remembered, so a code seen over someone's shoulder cannot be replayed); wrong codes count towards the same
lockout as wrong passwords."""
import base64
import io
import secrets
from datetime import timedelta

import pyotp
import segno
from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app import clock, crypto
from app.audit import services as audit
from app.auth import lockout
from app.auth.models import ADMIN, SECURITY_ADMIN, RecoveryCode, User
from app.auth.permissions import not_a_service_account, require_keeper
from app.extensions import db, lock_row
from app.i18n import lazy_gettext as _l

ISSUER = "信联 Xinlian"
RECOVERY_CODES = 10
STEP = 30


class TwoFactorRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def required_for(user: User) -> bool:
    """Whether this user may log in only with a second factor."""
    cfg = current_app.config
    if not cfg.get("TWO_FACTOR", True):
        return False
    return user.totp_enabled_at is not None or user.two_factor_required or user.role in cfg.get("TWO_FACTOR_ROLES", ())


def new_secret() -> str:
    return pyotp.random_base32()


# A secret being enrolled waits in the session cookie, which is signed but readable: it goes there sealed (SM4-GCM
# under the data key), so a copied or logged cookie does not give away the authenticator's key.
_PENDING = "session.totp_enrolment"


def seal_pending(secret: str) -> str:
    return crypto.seal(secret, _PENDING)


def open_pending(sealed: str | None) -> str | None:
    """The secret of an enrolment in progress, or None (none, or not one this server sealed)."""
    if not sealed:
        return None
    try:
        return crypto.unseal(sealed, _PENDING) if crypto.is_sealed(sealed) else None
    except crypto.KeyProblem:  # (changed, or sealed under a key this server no longer holds: start again)
        return None


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    """The enrolment QR code as an inline SVG image (no external service; the page's CSP allows data: images)."""
    buf = io.BytesIO()
    segno.make(uri, error="m").save(buf, kind="svg", scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


def _step_accepted(secret: str, code: str, after_step: int | None) -> int | None:
    """The time step of a valid code (this one or the one either side, for clock drift), if not used before."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = clock.now()
    for drift in (0, -1, 1):
        at = now + timedelta(seconds=drift * STEP)
        if secrets.compare_digest(totp.at(at), code):
            step = int(at.timestamp()) // STEP
            return step if after_step is None or step > after_step else None
    return None


def enrol(user: User, secret: str, code: str) -> list[str]:
    """Confirm an authenticator app with its first code; returns the recovery codes (shown once). Flush."""
    step = _step_accepted(secret, code, None)
    if step is None:
        raise TwoFactorRefused(_l("The code does not match. Check the time on your phone and enter the current code."))
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, clock.now(), step
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    codes = ["-".join(secrets.token_hex(2) for _ in range(3)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=generate_password_hash(c)) for c in codes)
    audit.record(user, "user", user.id, "two_factor_enrolled")
    db.session.flush()
    return codes


def verify(user: User, code: str) -> str:
    """Check the second factor at login: a current authenticator code, or an unused recovery code (then
    spent). Returns "totp" or "recovery"; raises TwoFactorRefused (the failure counts towards the lockout)."""
    cfg = current_app.config
    # One login per code: the same code (or recovery code) sent at once by several logins is checked one after
    # another, each reading what the one before it spent (each read the code unused and every one logged in).
    lock_row(User, user.id)
    db.session.refresh(user, ["totp_last_step", "failed_logins", "locked_until"])
    if lockout.locked_now(user):  # (locked meanwhile by wrong codes sent with this one)
        raise TwoFactorRefused(_l("Too many wrong passwords: the account is locked for %(n)s more minutes.",
                                  n=cfg["LOGIN_LOCK_MINUTES"]))
    step = _step_accepted(user.totp_secret, code, user.totp_last_step) if user.totp_secret else None
    if step is not None:
        user.totp_last_step, user.failed_logins = step, 0
        return "totp"
    given = (code or "").strip().lower()
    if len(given) == 14:
        for rc in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))):
            if check_password_hash(rc.code_hash, given):
                rc.used_at, user.failed_logins = clock.now(), 0
                audit.record(user, "user", user.id, "recovery_code_used")
                return "recovery"
    if lockout.count_failure(user):
        raise TwoFactorRefused(_l("Too many wrong passwords: the account is locked for %(n)s more minutes.",
                                  n=cfg["LOGIN_LOCK_MINUTES"]))
    raise TwoFactorRefused(_l("Wrong code. Enter the six digits your authenticator app shows now, or a recovery code."))


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                                 RecoveryCode.used_at.is_(None))).all())


def reset(actor, user: User) -> None:
    """Remove the user's authenticator and recovery codes (an administrator, for a lost phone); every session of
    the user ends. Flush. The security administrator resets business accounts'; an administrator's account is reset
    by the system administrator, because the security administrator resets its password: one person doing both
    could log in as the auditor (三员分立)."""
    require_keeper(actor, user, ADMIN, SECURITY_ADMIN, _l("Another administrator resets your own two-factor login."))
    not_a_service_account(user)
    remove_authenticator(user)
    user.session_version = (user.session_version or 0) + 1
    audit.record(actor, "user", user.id, "two_factor_reset")
    db.session.flush()


def remove_authenticator(user: User) -> None:
    """The user's authenticator and recovery codes are gone: enrolled again at the next login."""
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
