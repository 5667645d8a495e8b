"""Signed checkpoints of every timeline's head, written outside the database.

A keyed chain cannot be recomputed without its key, but the newest events of a case (or a whole case) could
still be deleted together with the head on the case row. A checkpoint records, at a point in time, each
case's head (sequence number and hash), signed with the chain key, in a file kept apart from the database.
`flask verify-chains` then checks that every head in the latest checkpoint is still in its chain: a chain
cut short, rewritten before that point, or a case removed since, shows."""
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select, tuple_

from app import clock
from app.cases.models import Case, CaseEvent
from app.extensions import db

PREFIX = "checkpoint-"
CHUNK = 500


def _sign(body: bytes) -> str:
    return hmac.new(current_app.config["CHAIN_KEY"].encode(), body, hashlib.sha256).hexdigest()


def _directory() -> Path:
    d = Path(current_app.config["CHECKPOINT_DIR"])
    d.mkdir(parents=True, exist_ok=True)
    return d


def write() -> Path:
    """Write a checkpoint of every case's head now; returns the file. Written to a temporary name and renamed,
    so a reader never sees half a file."""
    now = clock.now()
    heads = [[cid, seq, h] for cid, seq, h in db.session.execute(
        select(Case.id, Case.event_seq, Case.event_hash).where(Case.event_seq > 0).order_by(Case.id))]
    body = json.dumps({"created_at": now.isoformat(), "heads": heads}, separators=(",", ":")).encode()
    doc = {"version": 1, "body": body.decode(), "signature": _sign(body)}
    path = _directory() / f"{PREFIX}{now.strftime('%Y%m%dT%H%M%S%fZ')}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc), encoding="utf-8")
    os.replace(tmp, path)
    return path


@dataclass
class Checkpoint:
    path: Path
    created_at: datetime
    heads: list[tuple[int, int, str]]


def latest() -> Checkpoint | None:
    """The newest checkpoint whose signature is right (a tampered file raises ValueError: it must not be
    skipped silently in favour of an older one)."""
    files = sorted(_directory().glob(f"{PREFIX}*.json"))
    if not files:
        return None
    doc = json.loads(files[-1].read_text(encoding="utf-8"))
    body = doc["body"].encode()
    if not hmac.compare_digest(_sign(body), doc.get("signature", "")):
        raise ValueError(f"checkpoint {files[-1].name}: signature does not match (altered, or another key)")
    data = json.loads(body)
    return Checkpoint(files[-1], datetime.fromisoformat(data["created_at"]), [tuple(h) for h in data["heads"]])


def verify_against(cp: Checkpoint) -> list[tuple[int, str]]:
    """(case id, problem) for each head of the checkpoint no longer in its chain: missing (the case or the
    events up to that point were deleted) or different (rewritten)."""
    problems = []
    for i in range(0, len(cp.heads), CHUNK):
        chunk = cp.heads[i:i + CHUNK]
        found = {(cid, seq): h for cid, seq, h in db.session.execute(
            select(CaseEvent.case_id, CaseEvent.seq, CaseEvent.hash)
            .where(tuple_(CaseEvent.case_id, CaseEvent.seq).in_([(cid, seq) for cid, seq, _h in chunk])))}
        for cid, seq, h in chunk:
            got = found.get((cid, seq))
            if got is None:
                problems.append((cid, f"event #{seq} recorded at the checkpoint is missing"))
            elif not hmac.compare_digest(got, h):
                problems.append((cid, f"event #{seq} differs from the checkpoint"))
    return problems
