"""Recognising database errors that mean "someone else got there first" (shown as a conflict, not a 500), and
those that mean the database cannot be reached (shown as 503)."""
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError

CONCURRENCY_ERRORS = (StaleDataError, IntegrityError, OperationalError)


# PostgreSQL's "try the transaction again" states: serialization failure, deadlock detected (two writers locking
# the same rows in opposite orders, e.g. a listing ended by hand as its expiry timer fires), lock not available.
RETRY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def is_concurrency_error(exc: Exception) -> bool:
    if isinstance(exc, (StaleDataError, IntegrityError)):
        return True
    if not isinstance(exc, OperationalError):
        return False
    if getattr(getattr(exc, "orig", None), "sqlstate", None) in RETRY_SQLSTATES:
        return True  # (not an outage: the database rolled this transaction back; nothing was saved)
    # SQLite: a writer whose snapshot is older than another writer's commit gets "database is locked" (read from the
    # driver's own message: the statement's text, which str(exc) also holds, names columns such as locked_until, and a
    # PostgreSQL connection lost during such a statement is an outage, not a conflict).
    orig = getattr(exc, "orig", None)
    return type(orig).__module__.startswith("sqlite3") and "locked" in str(orig).lower()


UNAVAILABLE_ERRORS = (OperationalError, InterfaceError, PoolTimeout)


def unavailable_reason(exc: Exception) -> str:
    """The driver's first line about why the database could not be reached (one log line, no traceback)."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
