"""The audit administrator's pages: search the security audit log and export it (the export is logged too).
Nobody else, including the system and security administrators, can open them."""
from datetime import date, datetime, time, timedelta

from flask import Blueprint, Response, flash, render_template, request
from flask_login import current_user, login_required

from app import clock
from app.admin.queries import security_record_names
from app.auth.models import AUDIT_ADMIN
from app.auth.permissions import require_role
from app.dates import plausible
from app.exports import csv_bytes
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.labels import SECURITY_EVENT_LABELS, label
from app.security_log import services

bp = Blueprint("security_log", __name__, url_prefix="/admin/security-log")


def _day(value: str | None) -> date | None:
    """A filter's day; a day that is not one, or out of the years the log can hold (0001-01-01 at local midnight is
    before the year 1 in UTC), filters nothing, as an empty field."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is not None and plausible(day) else None


def _before() -> int | None:
    """The page's starting point (a sequence number); one no log reaches is the first page."""
    before = request.args.get("before", type=int)
    return before if before is not None and 0 < before < 2 ** 62 else None


def _filters() -> dict:
    since, until = _day(request.args.get("from")), _day(request.args.get("to"))
    kind = request.args.get("kind") if request.args.get("kind") in services.KINDS else None

    def start(d):  # local day boundaries, as the auditor means them
        return datetime.combine(d, time(0), tzinfo=clock.LOCAL_TZ) if d else None

    return {"kind": kind, "username": (request.args.get("user") or "").strip()[:60] or None,
            "since": start(since), "until": start(until + timedelta(days=1)) if until else None}


@bp.route("/")
@login_required
def index():
    require_role(current_user, AUDIT_ADMIN)
    filters = _filters()
    if filters["since"] and filters["until"] and filters["since"] >= filters["until"]:  # (empty would read as "nothing happened")
        flash(_l("The start date is after the end date: swap them to search that period."), "warning")
    events = services.search(**filters, before_seq=_before())
    ok, bad_seq = services.verify()
    return render_template("admin/security_log.html", events=events, ok=ok, bad_seq=bad_seq, kinds=services.KINDS,
                           args=request.args, names=security_record_names(events))


@bp.route("/export.csv")
@login_required
def export():
    require_role(current_user, AUDIT_ADMIN)
    filters = _filters()
    events = services.search(**filters, limit=100_000)
    services.record("audit_export", current_user, address=request.remote_addr,
                    details={"rows": len(events), "kind": filters["kind"], "user": filters["username"]})
    db.session.commit()
    names = security_record_names(events)
    header = ["seq", "time", "kind", "user", "address", "entity", "key", "record", "details", "alg", "hash"]
    rows = [[e.seq, clock.as_utc(e.at).astimezone(clock.LOCAL_TZ).isoformat(timespec="seconds"), label(SECURITY_EVENT_LABELS, e.kind),
             e.username, e.address, e.entity, e.entity_key, names.get((e.entity, e.entity_key), ""), e.details, e.alg, e.hash]
            for e in events]
    return Response(csv_bytes(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=security-log-{clock.today_local()}.csv"})
