"""Deployed process versions. BPMN files in bpmn/ are the source of truth; each distinct content (sha256)
becomes an immutable ProcessVersion. New cases take the newest version of a process; running cases keep
theirs. Parsed specs are cached in memory per version id (they never change)."""
import hashlib
from pathlib import Path

from sqlalchemy import select

from app.engine.models import ProcessVersion
from app.engine.runner import BpmnError, Engine, parse_bpmn
from app.extensions import db

# Lane name (as drawn in the diagram) -> role whose users work the lane's tasks.
LANE_ROLES = {
    "发起单位经办人": "caseworker",
    "专项小组牵头单位": "group_lead",
    "联席会议办公室": "office",
    "实施单位": "caseworker",
    "专家": "expert",
    "申请人": "applicant",
    # The unit that made a determination is a group lead or the office: its tasks name the role
    # in a "role" property (a task-data variable).
    "作出认定的单位": None,
}

_spec_cache: dict[int, tuple] = {}


def check_process(parsed, known_forms: set[str], deadline_rules: dict) -> list[str]:
    """Errors that would make a deployed process unusable: unknown lanes, form keys or deadline rules."""
    errors = []
    for t in parsed.user_tasks:
        props = t["properties"]
        if t["lane"] not in LANE_ROLES:
            errors.append(f"{t['bpmn_id']}: lane {t['lane']!r} has no role")
        elif LANE_ROLES[t["lane"]] is None and not props.get("role"):
            errors.append(f"{t['bpmn_id']}: lane {t['lane']!r} needs a 'role' property on its tasks")
        if props.get("form") not in known_forms:
            errors.append(f"{t['bpmn_id']}: form {props.get('form')!r} does not exist")
        if not props.get("unit") and not props.get("assignee"):
            errors.append(f"{t['bpmn_id']}: neither a 'unit' nor an 'assignee' property")
        rule = props.get("deadline_rule")
        if rule and rule not in deadline_rules:
            errors.append(f"{t['bpmn_id']}: deadline rule {rule!r} does not exist")
    return errors


def deploy_xml(xml: bytes, filename: str, known_forms: set[str], deadline_rules: dict) -> list[ProcessVersion]:
    """Parse, check and store a BPMN file. Unchanged content is not stored again. Flushes, no commit."""
    sha = hashlib.sha256(xml).hexdigest()
    parsed = parse_bpmn(xml, filename)
    errors = [e for p in parsed for e in check_process(p, known_forms, deadline_rules)]
    if errors:
        raise BpmnError(f"{filename}: " + "; ".join(errors))
    out = []
    for p in parsed:
        existing = db.session.scalar(
            select(ProcessVersion).where(ProcessVersion.process_id == p.process_id, ProcessVersion.sha256 == sha)
        )
        if existing is None:
            existing = ProcessVersion(
                process_id=p.process_id, sha256=sha, filename=filename, xml=xml.decode("utf-8"), spec_json=p.spec_json
            )
            db.session.add(existing)
            db.session.flush()
        out.append(existing)
    return out


def deploy_directory(bpmn_dir: str, known_forms: set[str], deadline_rules: dict) -> list[ProcessVersion]:
    out = []
    for path in sorted(Path(bpmn_dir).glob("*.bpmn")):
        out.extend(deploy_xml(path.read_bytes(), path.name, known_forms, deadline_rules))
    return out


def latest_version(process_id: str) -> ProcessVersion:
    version = db.session.scalar(
        select(ProcessVersion)
        .where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.id.desc())  # the most recently deployed (ids only grow)
        .limit(1)
    )
    if version is None:
        raise LookupError(f"process {process_id} is not deployed")
    return version


def specs_for(version_id: int):
    specs = _spec_cache.get(version_id)
    if specs is None:
        spec_json = db.session.scalar(select(ProcessVersion.spec_json).where(ProcessVersion.id == version_id))
        specs = Engine.restore_spec(spec_json)
        _spec_cache[version_id] = specs
    return specs


def clear_cache() -> None:
    _spec_cache.clear()


def versions_overview() -> list[dict]:
    """Every deployed version with how many cases run on it (one grouped query)."""
    from sqlalchemy import func

    from app.engine.models import ProcessInstance

    counts = dict(db.session.execute(
        select(ProcessInstance.process_version_id, func.count(func.distinct(ProcessInstance.case_id)))
        .where(ProcessInstance.status == "running")
        .group_by(ProcessInstance.process_version_id)
    ).all())
    rows = db.session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_id, ProcessVersion.id.desc())).all()
    latest = {}
    for v in rows:
        latest.setdefault(v.process_id, v.id)
    return [{"version": v, "running": counts.get(v.id, 0), "latest": latest[v.process_id] == v.id} for v in rows]
