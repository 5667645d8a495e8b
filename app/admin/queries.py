"""Reading process versions and the audit of changes for the administration pages."""
import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import clock, labels
from app.audit.models import AdminChange
from app.auth.models import SpecialistGroup, Unit, User
from app.cases.models import Attachment, Case
from app.engine.models import ProcessVersion
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.security_log import services as security_log

_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")  # (a time a change recorded, in UTC)


def process_version(version_id: int) -> ProcessVersion | None:
    return db.session.get(ProcessVersion, version_id)


def recent_changes(limit: int = 500) -> list[AdminChange]:
    return list(db.session.scalars(select(AdminChange).options(joinedload(AdminChange.actor))
                                   .order_by(AdminChange.at.desc(), AdminChange.id.desc()).limit(limit)))


def readable_changes(rows: list[AdminChange]) -> list[dict]:
    """The change record in words: entity and action labels, ids as names, each recorded field labelled.
    Names are read once for the page (units, users, groups are few), never per row."""
    units = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    users = dict(db.session.execute(select(User.id, User.full_name)).all())
    groups = dict(db.session.execute(select(SpecialistGroup.id, SpecialistGroup.name)).all())
    names = {"unit": units, "user": users, "group": groups}

    def value(key, v):
        if isinstance(v, bool):
            return str(_l("yes") if v else _l("no"))
        if key in ("unit_id", "admin_unit_id", "lead"):
            return units.get(v, v)
        if key == "members":
            return "、".join(str(units.get(m, m)) for m in v or [])
        if key == "role":
            return labels.label(labels.ROLE_LABELS, v)
        if key == "kind":
            return labels.label(labels.UNIT_KIND_LABELS, v)
        if key == "day_kind":
            return str(_l("calendar days") if v == "calendar" else _l("working days"))
        if key == "source":
            return str(labels.source_text(v))
        if isinstance(v, str) and _ISO_TIME.match(v):  # (a time recorded in UTC: read as the reader's local time)
            return clock.as_utc(datetime.fromisoformat(v)).astimezone(clock.LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
        if key == "measures" and isinstance(v, list):
            return "\n".join(f"{m.get('code', '')} {m.get('text', '')}（{units.get(m.get('unit_id'), '')}）" for m in v or [])
        return "" if v is None else str(v)

    def fields(data):
        if not isinstance(data, dict):
            return []
        return [(str(labels.AUDIT_FIELD_LABELS.get(k, k)), value(k, v)) for k, v in data.items()]

    out = []
    for r in rows:
        key = r.entity_key
        if r.entity in names:
            try:
                key = names[r.entity].get(int(key), key)
            except (TypeError, ValueError):
                pass
        elif r.entity == "rule":
            key = labels.label(labels.DEADLINE_RULE_LABELS, key)
        out.append({"at": r.at, "actor": r.actor, "entity": labels.label(labels.AUDIT_ENTITY_LABELS, r.entity), "key": key,
                    "action": labels.label(labels.AUDIT_ACTION_LABELS, r.action), "reason": r.reason,
                    "before": fields(r.before), "after": fields(r.after)})
    return out


def security_record_names(events) -> dict[tuple[str, str], str]:
    """{(entity, key): what the auditor reads} for the security-log events of a page: a user's login name and full
    name, a unit's name, a case's number, and what features register (an API client's name) (a key naming several users, from the console, lists
    each). One query per kind of record on the page, never per row."""
    wanted: dict[str, set[int]] = {}
    for e in events:
        if (e.entity in _RECORD_NAME or e.entity == "attachment" or e.entity in security_log.RECORD_NAMERS) and e.entity_key:
            wanted.setdefault(e.entity, set()).update(int(k) for k in e.entity_key.split(",") if k.strip().isdigit())
    found = {entity: _names(entity, ids) for entity, ids in wanted.items() if ids}
    out = {}
    for e in events:
        names = found.get(e.entity)
        if names:
            keys = [k.strip() for k in e.entity_key.split(",")]
            out[(e.entity, e.entity_key)] = "、".join(str(names.get(int(k), f"#{k}")) if k.isdigit() else k for k in keys)
    return out


_NAMES_PER_QUERY = 10_000  # (an export names up to 100,000 events' records: PostgreSQL takes ~65,000 parameters)


def _names(entity: str, ids: set[int]) -> dict:
    out, ordered = {}, sorted(ids)
    for i in range(0, len(ordered), _NAMES_PER_QUERY):
        chunk = ordered[i:i + _NAMES_PER_QUERY]
        if entity == "attachment":  # (a document: its case and what it is, never its file name, which may name people)
            out.update((i, f"{number} · {labels.label(labels.ATTACHMENT_PURPOSE_LABELS, purpose)} #{i}") for i, number, purpose in
                       db.session.execute(select(Attachment.id, Case.number, Attachment.purpose)
                                          .join(Case, Case.id == Attachment.case_id).where(Attachment.id.in_(chunk))))
        elif entity in _RECORD_NAME:
            stmt = _RECORD_NAME[entity]
            out.update(db.session.execute(stmt.where(stmt.selected_columns[0].in_(chunk))).all())
        else:
            out.update(security_log.RECORD_NAMERS[entity](chunk))  # (a feature's own records, e.g. API clients)
    return out


_RECORD_NAME = {
    "user": select(User.id, User.username + " (" + User.full_name + ")"),
    "unit": select(Unit.id, Unit.name),
    "case": select(Case.id, Case.number),
}
