"""Flask extensions, created unbound and initialised in create_app()."""
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event, select, text
from sqlalchemy.orm import make_transient_to_detached

from app import rate_storage  # noqa: F401  (registers the process-memory:// scheme before the limiter reads its URI)

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
# Throttling of logins, registration and the API; storage from RATELIMIT_STORAGE_URI (process-memory:// by
# default, see app.rate_storage; a shared store such as redis:// when several web servers run).
limiter = Limiter(key_func=get_remote_address)


def flush_for(*models, besides=None) -> None:
    """Before a query read under `db.session.no_autoflush`: write the session's pending changes only if some are
    rows of these models (which the query could see). Other pending writes, such as the timeline events a task
    has recorded so far, then go out together in the one flush at the end instead of one flush per query.
    `besides`: an object the caller judges from memory itself (its pending change alone needs no flush)."""
    s = db.session
    if any(isinstance(o, models) and o is not besides for o in (*s.new, *s.dirty, *s.deleted)):
        s.flush()


# Rows that nothing reads back by id (timeline events, step records) wait in the session until its next flush
# writes each table's rows with one multi-row INSERT: as ORM objects each went through the unit of work and, on
# SQLite, was its own INSERT … RETURNING. Tables are written in the order their first row was queued.
_DEFERRED = "deferred_inserts"


def defer_insert(table, row: dict) -> None:
    """Queue `row` for `table`; the next flush (or the commit) writes it in the caller's transaction."""
    db.session.info.setdefault(_DEFERRED, {}).setdefault(table, []).append(row)


_INSERTS: dict = {}  # table -> its INSERT, built once (a new statement object is keyed for the compiled cache each time)


def _write_deferred(session, *_args) -> None:
    queued = session.info.pop(_DEFERRED, None)
    if queued:
        conn = session.connection()
        for table, rows in queued.items():
            stmt = _INSERTS.get(table)
            if stmt is None:
                stmt = _INSERTS[table] = table.insert()
            conn.execute(stmt, rows)


def _drop_deferred(session, _previous_transaction) -> None:
    # (a savepoint flushes when it begins, so whatever waits belongs to the transaction rolled back)
    session.info.pop(_DEFERRED, None)


# Objects whose columns a statement wrote directly (not the unit of work) with their new values marked committed:
# a savepoint rolled back would leave those values in memory (the ORM expires on such a rollback only what it
# flushed itself), so every rollback expires them and the next read takes the database's.
_DIRECT = "written_directly"


def written_directly(obj, *attrs: str) -> None:
    """`obj`'s `attrs` were just written by a statement in this transaction (and set as committed on it)."""
    held = db.session.info.setdefault(_DIRECT, {})  # (by object: one saved many times is held once)
    held.setdefault(id(obj), (obj, set()))[1].update(attrs)


def expire_loaded(model, match, attrs: tuple[str, ...]) -> None:
    """After a statement updated rows of `model` directly: loaded objects it may have changed read those attributes
    again (what the ORM's own UPDATE with synchronize_session did, for a fraction of its cost). `match` gets an
    object's loaded values (its __dict__: never a query; an object not loaded reads everything afresh anyway)."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, model) and match(obj.__dict__):
            db.session.expire(obj, list(attrs))


def _expire_direct(session, previous_transaction) -> None:
    for obj, attrs in session.info.get(_DIRECT, {}).values():
        if obj in session:
            session.expire(obj, list(attrs))
    if previous_transaction.parent is None:  # the whole transaction: nothing of it stands
        session.info.pop(_DIRECT, None)


def _forget_direct(session) -> None:
    if whole_transaction_committed(session):
        session.info.pop(_DIRECT, None)


def whole_transaction_committed(session) -> bool:
    """In after_commit: whether the whole transaction committed. SQLAlchemy fires after_commit when a savepoint is
    released too, and what the enclosing transaction wrote must still be undone in memory if it rolls back later."""
    return session.get_nested_transaction() is None


# Objects whose rows a statement inserted directly, attached to the session as already written: a rollback of the
# transaction (or savepoint) that inserted them forgets them, as it forgets what the unit of work inserted, so that
# a row inserted again under the same key (SQLite reuses rolled-back ids) can be attached.
_INSERTED = "inserted_directly"


def attach_inserted(obj) -> None:
    """`obj`, whose row (with its primary key) a statement just inserted, joins the session as that row."""
    session = db.session()
    make_transient_to_detached(obj)
    session.add(obj)
    tx = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_INSERTED, []).append((tx, obj))


def _forget_inserted(session, previous_transaction) -> None:
    def within(tx) -> bool:
        while tx is not None:
            if tx is previous_transaction:
                return True
            tx = tx.parent
        return False

    kept = []
    for tx, obj in session.info.pop(_INSERTED, []):
        if within(tx):
            if obj in session:
                session.expunge(obj)
        else:
            kept.append((tx, obj))
    if kept:
        session.info[_INSERTED] = kept


def _forget_inserted_on_commit(session) -> None:
    if whole_transaction_committed(session):
        session.info.pop(_INSERTED, None)


def _forget_inserted_at_end(session, transaction) -> None:
    # The whole transaction ended without a commit, e.g. the session was closed: what it no longer holds is dropped.
    # (A rollback ends the transaction before after_soft_rollback runs; its objects are still held here and are
    # expunged there.)
    if transaction.parent is None and _INSERTED in session.info:
        kept = [(tx, obj) for tx, obj in session.info[_INSERTED] if obj in session]
        if kept:
            session.info[_INSERTED] = kept
        else:
            del session.info[_INSERTED]


# The session's identity map holds objects weakly: a row one hook reads and the next reads again by id, with nothing
# referring to it in between, is selected twice. `hold` keeps such an object until the transaction ends.
_HELD = "held_for_transaction"


def lock_row(model, pk: int) -> None:
    """Hold the row `pk` of `model` for writing until this transaction ends, so that a check made after this call
    and the write that follows it cannot interleave with another request doing the same (two objections filed at once
    both finding none open). PostgreSQL: SELECT … FOR UPDATE. SQLite: an UPDATE that changes nothing, which takes the
    database's write lock (SQLite lets one writer at a time; the other waits its busy timeout)."""
    table = model.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(table.c.id).where(table.c.id == pk).with_for_update())
    else:
        # (a plain column set to itself: setting the key would make SQLite check every table referring to it)
        indexed = {c.name for i in (*table.indexes, *table.constraints) for c in getattr(i, "columns", ())}
        col = next(c.name for c in table.columns if not c.primary_key and not c.foreign_keys and c.name not in indexed)
        db.session.execute(text(f'UPDATE "{table.name}" SET "{col}" = "{col}" WHERE id = :pk'), {"pk": pk})


def hold(obj) -> None:
    """Keep `obj` (and what it refers to) loaded until this transaction ends: a later `get` by id finds it."""
    db.session.info.setdefault(_HELD, []).append(obj)


def _release_held(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_HELD, None)


event.listen(db.session, "after_transaction_end", _release_held)
event.listen(db.session, "after_soft_rollback", _expire_direct)
event.listen(db.session, "after_commit", _forget_direct)
event.listen(db.session, "after_soft_rollback", _forget_inserted)
event.listen(db.session, "after_commit", _forget_inserted_on_commit)
event.listen(db.session, "after_transaction_end", _forget_inserted_at_end)
event.listen(db.session, "before_flush", _write_deferred)
# A commit with nothing else to flush runs no flush: the rows still go out before it.
event.listen(db.session, "before_commit", _write_deferred)
event.listen(db.session, "after_soft_rollback", _drop_deferred)
