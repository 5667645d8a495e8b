"""Wrong passwords and codes in a row lock an account for a while (LOGIN_MAX_FAILURES, LOGIN_LOCK_MINUTES): at
login, at the second factor and when changing the password."""
from datetime import timedelta

from flask import current_app

from app import clock


def count_failure(user) -> bool:
    """One more wrong password or code. Returns whether the account is now locked (the count starts again)."""
    cfg = current_app.config
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins < cfg["LOGIN_MAX_FAILURES"]:
        return False
    user.locked_until, user.failed_logins = clock.now() + timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"]), 0
    return True
