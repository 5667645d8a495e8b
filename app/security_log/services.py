"""Recording and reading the security audit log. What is recorded: logins and their failures (password and
second factor), logouts, idle logouts, every administrative action (through app.audit), role changes,
exports of data, and every view of a page showing a full identity number. Each event carries the keyed hash
(HMAC-SM3 by default; the algorithm is stored per event, so events written under an older algorithm still
verify) of its content and of the event before it. Nothing updates or deletes an event; on PostgreSQL a
trigger refuses it, and the log is kept for at least AUDIT_RETENTION_DAYS (180: 网络安全法 第二十一条)."""
import hashlib
import hmac
import json
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import clock
from app.crypto import chain_key
from app.extensions import db, lock_row
from app.security_log.models import SecurityEvent, SecurityLogHead

GENESIS = "0" * 64
ALGORITHMS = {"hmac-sm3": "sm3", "hmac-sha256": "sha256"}
KINDS = ("login", "login_failed", "two_factor_failed", "password_change_failed", "logout", "idle_logout", "admin_action", "role_change",
         "export", "full_code_view", "audit_export", "console_action")


def _digest(alg: str, seq: int, at: datetime, kind: str, actor_id, username: str, address: str, entity: str,
            entity_key: str, details: dict, prev: str) -> str:
    payload = json.dumps([seq, clock.as_utc(at).isoformat(), kind, actor_id, username, address, entity, entity_key,
                          details, prev], sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    return hmac.new(chain_key(), payload, ALGORITHMS[alg]).hexdigest()


# How the audit administrator's page names a record a feature keeps (e.g. an API client): {entity: ids -> {id: name}},
# registered by the feature (the log sits below every feature and imports none).
RECORD_NAMERS: dict = {}


def name_records(entity: str, namer) -> None:
    RECORD_NAMERS[entity] = namer


def record(kind: str, actor=None, *, username: str = "", address: str | None = None, entity: str = "", key="",
           details: dict | None = None) -> SecurityEvent:
    """Append one event (flush; it commits with the caller's transaction)."""
    # The head is held for writing before it is read: on SQLite a SELECT … FOR UPDATE locks nothing, and two requests
    # logging at once (two people opening pages that show a whole number) read the same head and both appended its
    # successor. lock_row takes SQLite's write lock first (the other waits), and the head is read afresh after it.
    # The very first event makes the head row, which two first events at once would both insert: it is made (or found
    # made) by an INSERT that does nothing on a conflict, which waits for the other's transaction, before it is locked.
    # (A write, not a read first: on SQLite a transaction that read before writing may find its snapshot stale.)
    dialect = db.session.get_bind().dialect.name
    make = (pg_insert if dialect == "postgresql" else sqlite_insert)(SecurityLogHead).values(id=1, seq=0, hash=GENESIS)
    db.session.execute(make.on_conflict_do_nothing(index_elements=["id"]))
    lock_row(SecurityLogHead, 1)
    head = db.session.scalar(select(SecurityLogHead).where(SecurityLogHead.id == 1).with_for_update()
                             .execution_options(populate_existing=True))
    alg = current_app.config.get("AUDIT_CHAIN_ALG", "hmac-sm3")
    at = clock.now()
    username = (username or (actor.username if actor is not None else ""))[:60]
    ev = SecurityEvent(seq=head.seq + 1, at=at, kind=kind, actor_id=actor.id if actor is not None else None,
                       username=username, address=(address or "")[:64], entity=entity, entity_key=str(key)[:80],
                       details=details or {}, alg=alg, prev_hash=head.hash)
    ev.hash = _digest(alg, ev.seq, at, kind, ev.actor_id, ev.username, ev.address, entity, ev.entity_key, ev.details, head.hash)
    head.seq, head.hash = ev.seq, ev.hash
    db.session.add(ev)
    db.session.flush()
    return ev


def record_export(actor, address: str | None, what: str, rows: int | None = None, key="") -> None:
    """An export of data left the system (logged and committed before the file is sent)."""
    record("export", actor, address=address, entity=what, key=key, details={"rows": rows} if rows is not None else {})
    db.session.commit()


def verify() -> tuple[bool, int | None]:
    """(True, None) if every event follows from the one before and the last is the head; else (False, seq)."""
    prev, expected = GENESIS, 1
    for ev in db.session.scalars(select(SecurityEvent).order_by(SecurityEvent.seq)).yield_per(1000):
        if ev.seq != expected or ev.prev_hash != prev or ev.alg not in ALGORITHMS or not hmac.compare_digest(
                ev.hash, _digest(ev.alg, ev.seq, ev.at, ev.kind, ev.actor_id, ev.username, ev.address, ev.entity,
                                 ev.entity_key, ev.details, ev.prev_hash)):
            return False, ev.seq
        prev, expected = ev.hash, expected + 1
    head = db.session.get(SecurityLogHead, 1)
    if (head.seq if head else 0) != expected - 1 or (head.hash if head else GENESIS) != prev:
        return False, expected
    return True, None


def head() -> tuple[int, str]:
    row = db.session.get(SecurityLogHead, 1)
    return (row.seq, row.hash) if row else (0, GENESIS)


def search(kind: str | None = None, username: str | None = None, since: datetime | None = None,
           until: datetime | None = None, limit: int = 200, before_seq: int | None = None) -> list[SecurityEvent]:
    conds = []
    if kind:
        conds.append(SecurityEvent.kind == kind)
    if username:
        conds.append(SecurityEvent.username == username.strip())
    if since:
        conds.append(SecurityEvent.at >= since)
    if until:
        conds.append(SecurityEvent.at < until)
    if before_seq:
        conds.append(SecurityEvent.seq < before_seq)
    stmt = select(SecurityEvent).order_by(SecurityEvent.seq.desc()).limit(limit)
    if conds:
        stmt = stmt.where(and_(*conds))
    return list(db.session.scalars(stmt))


def sha_name(alg: str) -> str:
    return hashlib.new(ALGORITHMS[alg]).name
