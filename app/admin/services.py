"""Administrative operations that span features: BPMN upload and the holiday calendar of a year."""
from calendar import monthrange
from datetime import date, timedelta

from flask import current_app
from app.i18n import lazy_gettext as _l

from app.admin import audit
from app.auth.models import ADMIN
from app.auth.permissions import require_role
from app.engine.registry import deploy_xml
from app.engine.runner import BpmnError
from app.errors import DomainError
from app.extensions import db
from app.workdays import services as workdays


def upload_bpmn(actor, filename: str, data: bytes) -> list:
    """Validate (XML, BPMN schema, parse, lanes, form keys, deadline rules) and deploy as a new version for
    new cases. Nothing is deployed if anything is wrong."""
    require_role(actor, ADMIN)
    from forms import FORMS

    from app.admin.rules import current

    if not filename.lower().endswith(".bpmn"):
        raise DomainError(_l("Upload a .bpmn file."), "file")
    rules = {name: (r["days"], r["source"]) for name, r in current().items()}
    try:
        versions = deploy_xml(data, filename, set(FORMS), rules)
    except BpmnError as exc:
        raise DomainError(_l("The BPMN file was not deployed: %(why)s", why=str(exc)), "file")
    for v in versions:
        audit.record(actor, "process", v.process_id, "deploy", None, {"version_id": v.id, "sha256": v.sha256, "filename": filename})
    return versions


def year_days(year: int) -> list[dict]:
    """The days of a year that are not what the weekday suggests (holidays on weekdays, working weekends),
    with where each answer comes from."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    cal = workdays.WorkCalendar(first, last)
    out = []
    d = first
    while d <= last:
        work = cal.is_workday(d)
        if work != (d.weekday() < 5) or d in cal.overrides:
            out.append({"day": d, "workday": work, "source": "table" if d in cal.overrides else "library"})
        d += timedelta(days=1)
    return out


def set_day(actor, day: date, is_workday: bool, name: str):
    require_role(actor, ADMIN)
    if day is None:
        raise DomainError(_l("Enter the date."), "day")
    row = workdays.set_day(day, is_workday, name, actor)
    audit.record(actor, "calendar", day.isoformat(), "set_day", None, {"workday": is_workday, "name": name})
    return row


def complete_year(actor, year: int, source: str):
    require_role(actor, ADMIN)
    if not (source or "").strip():
        raise DomainError(_l("Name the notice the schedule comes from."), "source")
    row = workdays.mark_year_entered(year, source.strip(), actor)
    audit.record(actor, "calendar", str(year), "complete_year", None, {"source": source.strip()})
    return row
