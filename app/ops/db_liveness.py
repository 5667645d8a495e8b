"""A pooled connection is checked (a ping) before use only when it has been idle a while.

SQLAlchemy's pool_pre_ping sends a ping on every checkout: one more round trip for every request and timer
firing (a tenth of a worker's CPU for the credit check, which needs five others). A connection handed back less
than DB_PING_AFTER_IDLE_SECONDS ago was working then; one broken since (a database restart takes longer than
that, idle sessions are cut after minutes) has been idle longer and is pinged. A failed ping tells the pool to
replace the connection before the request uses it (DisconnectionError), as pool_pre_ping does, so the app
still recovers by itself after an outage."""
import time

from sqlalchemy import event, exc

_IDLE_SINCE = "xinlian_idle_since"


def install(engine, idle_seconds: float) -> None:
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record):
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy):
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # new (just connected) or in use moments ago
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as err:
            raise exc.DisconnectionError(str(err)) from err
        if alive is False:
            raise exc.DisconnectionError("the database did not answer the ping")
