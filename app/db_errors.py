"""Recognising database errors that mean "someone else got there first" (shown as a conflict, not a 500)."""
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

CONCURRENCY_ERRORS = (StaleDataError, IntegrityError, OperationalError)


def is_concurrency_error(exc: Exception) -> bool:
    if isinstance(exc, (StaleDataError, IntegrityError)):
        return True
    # SQLite: a writer whose snapshot is older than another writer's commit gets "database is locked".
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()
