"""Deadline rules kept in the database (seeded from config.DEFAULT_DEADLINE_RULES and its environment
overrides). A case copies the rule set when it starts, so a change applies to cases started afterwards
while running deadlines keep theirs; every deadline shows the rule and length it used."""
from flask import current_app
from sqlalchemy import select

from app import clock
from app.audit import services as audit
from app.auth.models import ADMIN
from app.auth.permissions import require_role
from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.workdays.models import DeadlineRule
from config import CALENDAR_DAY_RULES

SOURCES = {"local": "local default, configurable"}


def ensure_seeded() -> None:
    known = set(db.session.scalars(select(DeadlineRule.name)))
    for name, (days, source) in current_app.config["DEADLINE_RULES"].items():
        if name not in known:
            db.session.add(DeadlineRule(name=name, days=days, day_kind=_day_kind(name), source=source))
    db.session.flush()


def _day_kind(name: str) -> str:
    return "calendar" if name in CALENDAR_DAY_RULES else "working"


def current() -> dict[str, dict]:
    """{name: {"days", "day_kind", "source"}} — what a case starting now copies."""
    rows = db.session.scalars(select(DeadlineRule)).all()
    if not rows:
        return {n: {"days": d, "day_kind": _day_kind(n), "source": s} for n, (d, s) in current_app.config["DEADLINE_RULES"].items()}
    return {r.name: {"days": r.days, "day_kind": r.day_kind, "source": r.source} for r in rows}


def change(actor, name: str, days, day_kind: str, source: str) -> DeadlineRule:
    require_role(actor, ADMIN)
    ensure_seeded()  # the page lists the configured rules even before any was stored
    rule = db.session.get(DeadlineRule, name)
    if rule is None:
        raise DomainError(_l("No such rule."))
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise DomainError(_l("The length must be a whole number of days from 1 to 365."), "days")
    if days < 1 or days > 365:
        raise DomainError(_l("The length must be a whole number of days from 1 to 365."), "days")
    if day_kind not in ("working", "calendar"):
        raise DomainError(_l("Choose working or calendar days."), "day_kind")
    before = {"days": rule.days, "day_kind": rule.day_kind, "source": rule.source}
    rule.days, rule.day_kind, rule.source, rule.updated_at = days, day_kind, (source or "").strip() or rule.source, clock.now()
    audit.record(actor, "rule", name, "change", before, {"days": days, "day_kind": day_kind, "source": rule.source})
    db.session.flush()
    return rule
