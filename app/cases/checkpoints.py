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
from app.crypto import chain_key
from app.extensions import db
from app.security_log import services as security_log
from app.security_log.models import SecurityEvent

PREFIX = "checkpoint-"
CHUNK = 500


# The signature's algorithm is named in the file: HMAC-SM3 (GB/T 32905) for new checkpoints, unless
# XINLIAN_CHAIN_ALG says hmac-sha256; files written before it was named are HMAC-SHA256 and still verify.
SIGNING = {"hmac-sm3": "sm3", "hmac-sha256": hashlib.sha256}


def _sign(body: bytes, alg: str = "hmac-sha256") -> str:
    return hmac.new(chain_key(), body, SIGNING[alg]).hexdigest()


def signing_alg() -> str:
    alg = current_app.config.get("CHAIN_ALG", "hmac-sm3")
    return alg if alg in SIGNING else "hmac-sm3"


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
    body = json.dumps({"created_at": now.isoformat(), "heads": heads, "security_log": list(security_log.head())},
                      separators=(",", ":")).encode()
    alg = signing_alg()
    doc = {"version": 1, "body": body.decode(), "alg": alg, "signature": _sign(body, alg)}
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
    security_log: tuple[int, str] | None = None  # the security audit log's head (checkpoints since issue 20)


def _read_signed(path: Path) -> dict:
    doc = json.loads(path.read_text(encoding="utf-8"))
    body = doc["body"].encode()
    alg = doc.get("alg", "hmac-sha256")
    if alg not in SIGNING or not hmac.compare_digest(_sign(body, alg), doc.get("signature", "")):
        raise ValueError(f"checkpoint {path.name}: signature does not match (altered, or another key)")
    return json.loads(body)


def _load(path: Path) -> Checkpoint:
    data = _read_signed(path)
    sec = data.get("security_log")
    return Checkpoint(path, datetime.fromisoformat(data["created_at"]), [tuple(h) for h in data["heads"]],
                      tuple(sec) if sec else None)


def latest() -> Checkpoint | None:
    """The newest checkpoint whose signature is right (a tampered file raises ValueError: it must not be
    skipped silently in favour of an older one)."""
    files = sorted(_directory().glob(f"{PREFIX}*.json"))
    return _load(files[-1]) if files else None


# -- restores: a database loaded from a backup is older than the checkpoints written since the backup --------
RESTORE_PREFIX = "restore-"


@dataclass
class RestoreMarker:
    path: Path
    restored_at: datetime
    backup_created_at: datetime
    backup_checkpoint: str  # the checkpoint written just before the backup's dump


def write_restore_marker(backup_checkpoint: str, backup_created_at: str) -> Path:
    """Signed note, beside the checkpoints, that the database was restored now from a backup of that time."""
    now = clock.now()
    body = json.dumps({"created_at": now.isoformat(), "backup_created_at": backup_created_at,
                       "backup_checkpoint": backup_checkpoint}, separators=(",", ":")).encode()
    path = _directory() / f"{RESTORE_PREFIX}{now.strftime('%Y%m%dT%H%M%S%fZ')}.json"
    alg = signing_alg()
    path.write_text(json.dumps({"version": 1, "body": body.decode(), "alg": alg, "signature": _sign(body, alg)}), encoding="utf-8")
    return path


def latest_restore() -> RestoreMarker | None:
    files = sorted(_directory().glob(f"{RESTORE_PREFIX}*.json"))
    if not files:
        return None
    data = _read_signed(files[-1])
    return RestoreMarker(files[-1], datetime.fromisoformat(data["created_at"]),
                         datetime.fromisoformat(data["backup_created_at"]), data["backup_checkpoint"])


@dataclass
class Assessment:
    """What `flask verify-chains` concludes from the checkpoints (the chains' own integrity is checked apart)."""

    reference: Checkpoint | None  # the checkpoint the database must still contain
    problems: list[tuple[int, str]]  # heads of the reference that are missing or differ
    rollback_to: Checkpoint | None = None  # newest checkpoint the database fully contains, if only events are missing
    restore: RestoreMarker | None = None  # the restore that explains a rollback

    @property
    def tampered(self) -> bool:
        return bool(self.problems) and self.rollback_to is None


def assess() -> Assessment:
    """Compare the database with the checkpoints. After `flask restore` the reference is the newest checkpoint
    written since the restore, else the backup's own; without a restore, the newest. When heads of the
    reference are only missing (none differs) and an older checkpoint is fully contained, the database was
    rolled back to about that checkpoint's time (a restore of an older backup), which is told apart from
    tampering (events rewritten, or missing with no older checkpoint matching)."""
    files = sorted(_directory().glob(f"{PREFIX}*.json"))
    if not files:
        return Assessment(None, [])
    marker = latest_restore()
    candidates = files
    if marker is not None:
        after = [f for f in files if _load(f).created_at > marker.restored_at]
        candidates = after or [f for f in files if f.name <= marker.backup_checkpoint]
    reference = _load(candidates[-1])
    problems = verify_against(reference)
    result = Assessment(reference, problems, restore=marker if problems == [] else None)
    if problems and all("missing" in p for _c, p in problems):
        for f in reversed([f for f in files if f.name < reference.path.name]):
            older = _load(f)
            if not verify_against(older):
                result.rollback_to = older
                break
    return result


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
    if cp.security_log and cp.security_log[0] > 0:  # (case id None: the security audit log)
        seq, h = cp.security_log
        got = db.session.scalar(select(SecurityEvent.hash).where(SecurityEvent.seq == seq))
        if got is None:
            problems.append((None, f"security log event #{seq} recorded at the checkpoint is missing"))
        elif not hmac.compare_digest(got, h):
            problems.append((None, f"security log event #{seq} differs from the checkpoint"))
    return problems
