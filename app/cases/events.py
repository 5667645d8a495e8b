"""The case timeline: append-only, typed events, each carrying the keyed hash (HMAC) of its content and of
the previous event of its case, so that editing or deleting a row is detectable (verify_chain) and, since
the key is kept outside the database, a rewritten chain cannot be made to verify. Signed checkpoints of the
heads (app/cases/checkpoints.py) detect a chain cut short or a case removed."""
import hashlib
import hmac
import json
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, event, inspect, select
from sqlalchemy.orm import attributes

from app import clock
from app.cases import access_sync, search_sync
from app.cases.models import Case, CaseEvent
from app.crypto import chain_key
from app.extensions import db, defer_insert, written_directly

GENESIS = "0" * 64



# Keyed algorithms (HMAC with the chain key): HMAC-SM3 (GB/T 32905, for 密评) for new events unless
# XINLIAN_CHAIN_ALG says otherwise; events keep the algorithm they were written with, so a chain may switch.
KEYED = {"hmac-sha256": "sha256", "hmac-sm3": "sm3"}


def current_alg() -> str:
    return current_app.config.get("CHAIN_ALG", "hmac-sm3")


# What json.dumps(..., sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str) builds on every call,
# built once: verifying a long timeline hashes every event of it.
_PAYLOAD = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _digest(case_id, seq, type_, at, actor_id, actor_unit_id, bpmn_id, details, prev_hash, alg: str | None = None,
            key: bytes | None = None) -> str:
    """`key`: the chain key, when the caller has it at hand (a walk over a timeline reads it once)."""
    alg = alg or current_alg()
    payload = _PAYLOAD.encode(
        [case_id, seq, type_, at.isoformat(), actor_id, actor_unit_id, bpmn_id, details, prev_hash]).encode("utf-8")
    if alg == "sha256":  # events recorded before the chains were keyed
        return hashlib.sha256(payload).hexdigest()
    if alg in KEYED:
        return hmac.digest(key or chain_key(), payload, KEYED[alg]).hex()
    raise ValueError(f"unknown chain algorithm {alg}")


def record(case_id: int, type_: str, actor=None, details: dict | None = None, bpmn_id: str | None = None) -> None:
    """Append an event to a case's timeline, written by the transaction's next flush (the caller's transaction
    commits it). The chain's head lives on the case row, so appending costs no query and the newest event is
    anchored too; the head is checked when the row is written (_write_heads)."""
    info = db.session.info
    case = info.get(_HEADS, {}).get(case_id)  # (a case recorded on since the last flush is at hand)
    if case is None:
        # (no autoflush while the case and its head are read: a flush here would write and forget the heads recorded so
        # far, and the one being added with them, unchecked)
        with db.session.no_autoflush:
            case = db.session.get(Case, case_id)
            head_seq, prev = case.event_seq, case.event_hash
        info.setdefault(_HEADS, {})[case_id] = case
        if case_id not in info.get(_HELD, ()):
            info.setdefault(_BASES, {})[case_id] = head_seq
    else:
        head_seq, prev = case.event_seq, case.event_hash
    seq = head_seq + 1
    at = clock.now()
    actor_id = actor.id if actor is not None else None
    actor_unit_id = actor.unit_id if actor is not None else None
    details = details or {}
    alg = current_alg()
    digest = _digest(case_id, seq, type_, at, actor_id, actor_unit_id, bpmn_id, details, prev, alg)
    row = {"alg": alg, "case_id": case_id, "seq": seq, "type": type_, "at": at, "actor_id": actor_id,
           "actor_unit_id": actor_unit_id, "bpmn_id": bpmn_id, "details": details, "prev_hash": prev, "hash": digest}
    defer_insert(CaseEvent.__table__, row)
    info.setdefault(_QUEUED, {}).setdefault(case_id, []).append(row)
    case.event_seq, case.event_hash = seq, digest  # (so the session has a change to flush)


# Two requests writing on one case at once (units confirming their own pushes, reports of different subjects) each
# number their events from the head they loaded. The first time a transaction writes a case's head, the write is
# conditional on that head being unchanged (no extra statement in the usual case); when another writer got there
# first, the head is read afresh under a row lock held until the transaction ends and the events waiting to be
# written are renumbered and rehashed after it — they queue instead of one being refused on the chain's unique key.
# A head this transaction wrote or read locked stays held (PostgreSQL: the row lock; SQLite: the write lock).
_HELD = "case_heads_held"
_BASES = "case_head_bases"  # case id -> the head's seq the events waiting were numbered from
_QUEUED = "case_events_queued"  # case id -> the rows of its events waiting to be written
_CT = Case.__table__
# (FOR NO KEY UPDATE: the lock the case row's own UPDATE takes anyway; rows of other transactions that refer to the
# case — their foreign-key checks — are not held up by it, as they would be by FOR UPDATE)
_HEAD_FOR_UPDATE = (select(_CT.c.event_seq, _CT.c.event_hash).where(_CT.c.id == bindparam("b_id"))
                    .with_for_update(key_share=True))
# (SQLite: the same as one statement that takes the database's write lock — waiting its busy timeout for another
# writer — and reads the head under it; a SELECT there takes no lock)
_HEAD_WRITE_LOCKED = (_CT.update().where(_CT.c.id == bindparam("b_id")).values(event_seq=_CT.c.event_seq)
                      .returning(_CT.c.event_seq, _CT.c.event_hash))


def _catch_up(conn, case: Case, rows: list[dict]) -> None:
    """Read the head afresh, locked, and number `rows` (this transaction's events of the case not yet written) after it."""
    stmt = _HEAD_FOR_UPDATE if conn.dialect.name == "postgresql" else _HEAD_WRITE_LOCKED
    seq, head = conn.execute(stmt, {"b_id": case.id}).one()
    for row in rows:
        seq += 1
        digest = _digest(case.id, seq, row["type"], row["at"], row["actor_id"], row["actor_unit_id"], row["bpmn_id"],
                         row["details"], head, row["alg"])
        row.update(seq=seq, prev_hash=head, hash=digest)
        head = digest
    case.event_seq, case.event_hash = seq, head


@event.listens_for(db.session, "after_transaction_end")
def _release_heads(session, transaction) -> None:
    # At the end of the transaction or of a savepoint: one rolled back released the locks taken in it (PostgreSQL),
    # and which it was is not told here; a head still held is checked once more when next written — harmless. (A
    # flush's own inner transaction ends too; it releases nothing.)
    if transaction.parent is None or transaction.nested:
        session.info.pop(_HELD, None)


# A case whose events were recorded is written before the flush by one UPDATE of the columns that changed (its
# chain head, and its status or other plain columns a step set): the unit of work for the case row (a mapper with
# many relationships) cost more than everything else a task completion's flush writes. A case whose relationships
# changed goes through the ORM as usual. A changed status is copied to the case-access read model here, since the
# flush no longer sees it (access_sync).
_HEADS = "case_heads"
_C = Case.__table__
_UPDATES: dict[tuple, object] = {}


@cache
def _column_of() -> dict[str, str]:
    # (read when first needed: the mapper is complete only once every model is imported)
    return {prop.key: prop.columns[0].name for prop in Case.__mapper__.column_attrs if prop.key != "id"}


def _update_of(keys: frozenset, checked: bool = False):
    """The UPDATE of `keys`; `checked`: only if the head is still at the seq the events were numbered from."""
    if (keys, checked) not in _UPDATES:  # (one statement per set of columns, built once)
        where = [_C.c.id == bindparam("b_id")] + ([_C.c.event_seq == bindparam("b_base")] if checked else [])
        _UPDATES[keys, checked] = _C.update().where(*where).values({_column_of()[k]: bindparam(f"v_{k}") for k in keys})
    return _UPDATES[keys, checked]


def _write_heads(session, *_args) -> None:
    heads, queued, bases = (session.info.pop(key, None) or {} for key in (_HEADS, _QUEUED, _BASES))
    if not heads:
        return
    held = session.info.setdefault(_HELD, set())
    conn = session.connection()
    for case_id, case in heads.items():
        state = inspect(case)
        base = None if case_id in held else bases.get(case_id)
        held.add(case_id)
        if not state.persistent or not state.modified or not _column_of().keys() >= state.committed_state.keys():
            if base is not None:  # (the unit of work writes the row, unconditionally: read the head first)
                _catch_up(conn, case, queued.get(case_id, []))
            continue
        case.updated_at = clock.now()
        keys = frozenset(state.committed_state)
        status_changed = "status" in keys and attributes.get_history(case, "status").has_changes()
        params = {"b_id": case.id, **{f"v_{k}": state.dict[k] for k in keys}}
        if base is None:
            conn.execute(_update_of(keys), params)
        elif not conn.execute(_update_of(keys, True), {**params, "b_base": base}).rowcount:
            _catch_up(conn, case, queued.get(case_id, []))  # another writer got there first
            conn.execute(_update_of(keys), {**params, "v_event_seq": case.event_seq, "v_event_hash": case.event_hash})
        if status_changed:
            access_sync.copy_status(conn, case.id, case.status)
        if "title" in keys:
            search_sync.retitle(conn, case.id)
        state._commit_all(state.dict, session.identity_map)  # written: the flush has nothing left to do for it
        written_directly(case, *keys)


# (before the rows waiting to be written, the events among them: their numbers are settled here; at a commit with
# nothing else to flush, extensions writes those rows before the flush, hence the commit's hook too)
event.listen(db.session, "before_flush", _write_heads, insert=True)
event.listen(db.session, "before_commit", _write_heads, insert=True)


@event.listens_for(db.session, "after_soft_rollback")
def _drop_heads(session, _previous_transaction) -> None:
    for key in (_HEADS, _QUEUED, _BASES):
        session.info.pop(key, None)


def verify_chain(case_id: int, loaded: list | None = None) -> tuple[bool, int | None]:
    """(True, None) if every event's hash matches its content and predecessor and the event at the head recorded on
    the case is the one the case names; else (False, the first bad or missing seq). The head and the events are two
    reads: events appended between them (a colleague completing a task meanwhile) are read too and verified, keyed,
    rather than reported missing."""
    head = db.session.execute(select(Case.event_seq, Case.event_hash).where(Case.id == case_id)).one()
    rows = loaded if loaded is not None else db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
    )
    walk = _ChainWalk(case_id, head.event_seq)
    for ev in rows:  # (a page that already loaded the timeline in seq order passes it in)
        if not walk.step(ev):
            return False, ev.seq
    if walk.last < head.event_seq:  # read before the head: events appended since then come after them
        for ev in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.seq > walk.last)
                                     .order_by(CaseEvent.seq)):
            if not walk.step(ev):
                return False, ev.seq
    if walk.last < head.event_seq or walk.at_head != head.event_hash:
        return False, min(walk.last + 1, head.event_seq)  # events up to the head are missing, or the chain was rebuilt
    return True, None


class _ChainWalk:
    def __init__(self, case_id: int, head_seq: int):
        self.case_id, self.head_seq, self.last, self.prev, self.keyed = case_id, head_seq, 0, GENESIS, False
        self.at_head = GENESIS if head_seq == 0 else None  # the hash of the event the case names as its head
        self.key = None  # (read at the first keyed event: a chain of only legacy events needs none)

    def step(self, ev) -> bool:
        if ev.seq != self.last + 1 or ev.prev_hash != self.prev:
            return False
        if (self.keyed or ev.seq > self.head_seq) and ev.alg not in KEYED:
            return False  # an unkeyed event after a keyed one (or newer than the head): a rewrite, never a legacy event
        self.keyed = self.keyed or ev.alg in KEYED
        if self.key is None and ev.alg in KEYED:
            self.key = chain_key()
        digest = _digest(self.case_id, ev.seq, ev.type, clock.as_utc(ev.at), ev.actor_id, ev.actor_unit_id, ev.bpmn_id,
                         ev.details, self.prev, ev.alg, self.key)
        if not hmac.compare_digest(digest, ev.hash):
            return False
        self.last, self.prev = ev.seq, ev.hash
        if ev.seq == self.head_seq:
            self.at_head = ev.hash
        return True


def verify_all_chains():
    """(case number, first bad seq) for every case whose timeline chain does not verify."""
    for case_id, number in db.session.execute(select(Case.id, Case.number).order_by(Case.id)).all():
        ok, seq = verify_chain(case_id)
        if not ok:
            yield number, seq
