"""Wrong passwords and codes in a row lock an account for a while (LOGIN_MAX_FAILURES, LOGIN_LOCK_MINUTES): at
login, at the second factor and when changing the password."""
from datetime import timedelta

from flask import current_app

from app import clock
from app.auth.models import User
from app.extensions import db, lock_row


def locked_now(user) -> bool:
    locked = clock.as_utc(user.locked_until)
    return locked is not None and locked > clock.now()


def count_failure(user) -> bool:
    """One more wrong password or code. Returns whether the account is now locked (the count starts again).
    Wrong passwords sent at once are counted one after another: the row is held, and read again, before it is counted
    (each read the same count and wrote it plus one, so a burst of eight counted three); one that finds the account
    locked meanwhile by another is not counted again."""
    cfg = current_app.config
    lock_row(User, user.id)
    db.session.refresh(user, ["failed_logins", "locked_until"])
    if locked_now(user):
        return True
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins < cfg["LOGIN_MAX_FAILURES"]:
        return False
    user.locked_until, user.failed_logins = clock.now() + timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"]), 0
    return True
