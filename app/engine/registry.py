"""Deployed process versions. BPMN files in bpmn/ are the source of truth; each distinct content (sha256)
becomes an immutable ProcessVersion. New cases take the newest version of a process; running cases keep
theirs. Parsed specs are cached in memory per version id (they never change)."""
import hashlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, func, select

from app import clock, txcache
from app.engine.models import ProcessInstance, ProcessVersion
from app.engine.runner import BpmnError, Engine, ParsedProcess, Specs, parse_bpmn
from app.extensions import db

_spec_cache: dict[int, Specs] = {}
_process_ids: dict[int, str] = {}


def deploy_xml(xml: bytes, filename: str, check: Callable[[ParsedProcess], list[str]], upload: bool = False) -> list[ProcessVersion]:
    """Parse, check (the caller's rules: lanes, forms, deadline rules) and store a BPMN file. Unchanged
    content is not stored again. `upload` (an administrator's): only processes the system runs (a mistyped process id
    would deploy a process nothing starts), and a version deployed before becomes again the one new cases take (the
    way back from a faulty version); at start-up the bundled files leave an uploaded newer version in place.
    Flushes, no commit."""
    sha = hashlib.sha256(xml).hexdigest()
    parsed = parse_bpmn(xml, filename)
    if upload:
        known = set(db.session.scalars(select(ProcessVersion.process_id).distinct()))
        unknown = [p.process_id for p in parsed if p.process_id not in known]
        if unknown:
            raise BpmnError(f"{filename}: process {', '.join(unknown)} is not one this system runs ({', '.join(sorted(known))})",
                            "unknown")
    errors = [e for p in parsed for e in check(p)]
    if errors:
        raise BpmnError(f"{filename}: " + "; ".join(errors))
    out = []
    for p in parsed:
        existing = db.session.scalar(
            select(ProcessVersion).where(ProcessVersion.process_id == p.process_id, ProcessVersion.sha256 == sha)
        )
        if existing is None:
            existing = ProcessVersion(
                process_id=p.process_id, sha256=sha, filename=filename, xml=xml.decode("utf-8"), spec_json=p.spec_json,
                deployed_at=_next_deployed_at(p.process_id),
            )
            db.session.add(existing)
            db.session.flush()
            db.session.info.setdefault(_NEW_VERSIONS, []).append(existing.id)
        elif upload and latest_version_id(p.process_id) != existing.id:
            existing.deployed_at = _next_deployed_at(p.process_id)
            db.session.flush()
        out.append(existing)
    return out


def _next_deployed_at(process_id: str):
    """Now, or just after the process's newest version if that is later (a clock set back must not make a new
    deployment older than the current one)."""
    newest = db.session.scalar(select(func.max(ProcessVersion.deployed_at)).where(ProcessVersion.process_id == process_id))
    now = clock.now()
    return now if newest is None or clock.as_utc(newest) < now else clock.as_utc(newest) + timedelta(microseconds=1)


def deploy_directory(bpmn_dir: str, check: Callable[[ParsedProcess], list[str]]) -> list[ProcessVersion]:
    out = []
    for path in sorted(Path(bpmn_dir).glob("*.bpmn")):
        out.extend(deploy_xml(path.read_bytes(), path.name, check))
    return out


# The version new cases take: the one deployed last (an administrator's upload of an earlier version deploys it again).
_NEWEST_FIRST = (ProcessVersion.deployed_at.desc(), ProcessVersion.id.desc())


def latest_version_id(process_id: str) -> int:
    """The id of the most recently deployed version of a process; only the id is read, not the version's XML and
    spec (tens of kilobytes), since starting an instance needs no more."""
    version_id = txcache.cached(("latest_version", process_id), lambda: db.session.scalar(
        select(ProcessVersion.id).where(ProcessVersion.process_id == process_id).order_by(*_NEWEST_FIRST).limit(1)
    ))
    if version_id is None:
        raise LookupError(f"process {process_id} is not deployed")
    return version_id


def latest_version(process_id: str) -> ProcessVersion:
    return db.session.get(ProcessVersion, latest_version_id(process_id))


def specs_for(version_id: int) -> Specs:
    specs = _spec_cache.get(version_id)
    if specs is None:
        spec_json, xml, process_id = db.session.execute(
            select(ProcessVersion.spec_json, ProcessVersion.xml, ProcessVersion.process_id).where(ProcessVersion.id == version_id)
        ).one()
        specs = Engine.restore_spec(spec_json, xml)
        _spec_cache[version_id] = specs
        _process_ids[version_id] = process_id
    return specs


def process_id_of(version_id: int) -> str:
    """A version's process id from memory (versions are immutable), without loading the row's XML."""
    if version_id not in _process_ids:
        _process_ids[version_id] = db.session.scalar(select(ProcessVersion.process_id).where(ProcessVersion.id == version_id))
    return _process_ids[version_id]


# Versions deployed in the open transaction: if it rolls back, their ids are free again (SQLite gives a rolled-back id
# to the next row), so what was remembered under them is forgotten, or another version's content would be served.
_NEW_VERSIONS = "new_process_versions"


def _forget_rolled_back(session, _previous_transaction) -> None:
    for version_id in session.info.pop(_NEW_VERSIONS, []):
        _spec_cache.pop(version_id, None)
        _process_ids.pop(version_id, None)


def _keep_committed(session) -> None:
    if session.get_nested_transaction() is None:
        session.info.pop(_NEW_VERSIONS, None)


event.listen(db.session, "after_soft_rollback", _forget_rolled_back)
event.listen(db.session, "after_commit", _keep_committed)


def clear_cache() -> None:
    _spec_cache.clear()
    _process_ids.clear()


def versions_overview() -> list[dict]:
    """Every deployed version with how many cases run on it (one grouped query)."""
    counts = dict(db.session.execute(
        select(ProcessInstance.process_version_id, func.count(func.distinct(ProcessInstance.case_id)))
        .where(ProcessInstance.status == "running")
        .group_by(ProcessInstance.process_version_id)
    ).all())
    rows = db.session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_id, *_NEWEST_FIRST)).all()
    latest = {}
    for v in rows:
        latest.setdefault(v.process_id, v.id)
    return [{"version": v, "running": counts.get(v.id, 0), "latest": latest[v.process_id] == v.id} for v in rows]
