"""Administration: the start page linking every feature's administration, process versions
(administrators) and the audit of changes (also supervisors and the office)."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.admin import queries, services, succession
from app.auth.models import ADMIN, OFFICE, SUPERVISOR
from app.auth.permissions import require_role
from app.catalog.forms import FileForm
from app.engine.registry import versions_overview
from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l

bp = Blueprint("admin", __name__, url_prefix="/admin")
MAX_BPMN_BYTES = 2 * 1024 * 1024


@bp.route("/")
@login_required
def index():
    require_role(current_user, ADMIN, OFFICE, SUPERVISOR)
    return render_template("admin/index.html")


@bp.route("/processes", methods=["GET", "POST"])
@login_required
def processes():
    require_role(current_user, ADMIN)
    form = FileForm()
    errors = []
    if form.validate_on_submit():
        f = request.files.get("file")
        try:
            deployed = services.upload_bpmn(current_user, f.filename or "", f.stream.read(MAX_BPMN_BYTES + 1))
            db.session.commit()
            flash(_l("Deployed: %(v)s. New cases use it; running cases keep their version.",
                     v="、".join(f"{v.process_id} #{v.id}" for v in deployed)), "success")
            return redirect(url_for("admin.processes"))
        except DomainError as exc:
            db.session.rollback()
            errors = [str(m) for _f, m in exc.errors]
    else:  # (no file chosen, or a text value sent in its place)
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    return render_template("admin/processes.html", rows=versions_overview(), form=form, errors=errors)


@bp.route("/processes/<int:version_id>.bpmn")
@login_required
def process_xml(version_id):
    require_role(current_user, ADMIN, SUPERVISOR, OFFICE)
    v = queries.process_version(version_id) or abort(404)
    return Response(v.xml, mimetype="application/xml")


@bp.route("/audit")
@login_required
def audit_log():
    require_role(current_user, ADMIN, SUPERVISOR, OFFICE)
    return render_template("admin/audit.html", rows=queries.readable_changes(queries.recent_changes()))


@bp.route("/units/<int:unit_id>/hand-over", methods=["POST"])
@login_required
def hand_over(unit_id):
    """A unit merged, renamed or abolished hands its work to a successor (see app/admin/succession.py)."""
    require_role(current_user, ADMIN)
    try:
        moved = succession.hand_over(current_user, unit_id, request.form.get("successor_id", type=int),
                                     request.form.get("reason", ""))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(_l("The work was handed over: %(tasks)s open tasks, %(pushes)s pushes, %(listings)s listings, %(measures)s "
                 "measures, %(entries)s catalog entries.", **moved), "success")
    return redirect(url_for("auth.units", unit_id=unit_id))
