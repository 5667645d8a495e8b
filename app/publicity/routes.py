"""Pages of the 双公示 ledger: a unit uploads its ledger and reads it; the office and supervisors read every unit's and
the monthly figures per unit."""
import io
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import FileField, StringField
from wtforms.validators import Length, Optional

from app import clock
from app.auth.models import Unit
from app.auth.permissions import require_role
from app.cases.attachments import uploads_from
from app.errors import DomainError
from app.exports import XLSX
from app.extensions import db
from app.form_errors import csrf_failed, flash_form_errors
from app.i18n import lazy_gettext as _l
from app.pagination import page_number
from app.publicity import services

bp = Blueprint("publicity", __name__, url_prefix="/publicity")
ONLY = ("late", "overdue", "pending")


class LedgerForm(FlaskForm):
    file = FileField(_l("The ledger (XLSX or CSV, at most 10 MB)"))


class WithdrawForm(FlaskForm):
    reason = StringField(_l("Why it is withdrawn"), validators=[Optional(), Length(max=500)])


@bp.route("/", methods=["GET", "POST"])
@login_required
def ledger():
    require_role(current_user, *services.UPLOADERS, *services.READERS)
    form, problems = LedgerForm(), []
    if request.method == "POST":
        require_role(current_user, *services.UPLOADERS)
        if form.validate_on_submit():
            files = uploads_from(request.files.getlist("file"), "file")
            try:
                if not files:
                    raise DomainError(_l("Choose a file."), "file")
                added, updated = services.import_ledger(current_user, files[0].filename, files[0].data)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                problems = [str(m) for f, m in exc.errors if not f]
                form.file.errors = [str(m) for f, m in exc.errors if f]
            except IntegrityError:  # the same ledger sent twice at once: the other upload saved these rows
                db.session.rollback()
                flash(_l("The same rows were saved by another upload at the same moment: send the file again to update them."),
                      "warning")
            else:
                flash(_l("Ledger saved: %(added)s rows added, %(updated)s updated.", added=added, updated=updated), "success")
                return redirect(url_for("publicity.ledger"))
    only = request.args.get("only") if request.args.get("only") in ONLY else None
    month = request.args.get("month") or None
    if month and services.month_bounds(month)[0] is None:
        abort(404)  # (a month that does not exist, as the monthly figures answer it: not every row unfiltered)
    unit_id = request.args.get("unit", type=int) if current_user.role in services.READERS else None
    page = services.entries(current_user, page_number(request.args.get("page")), unit_id, only, month)
    units = (db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.id)).all()
             if current_user.role in services.READERS else [])
    return render_template("publicity/ledger.html", form=form, problems=problems, page=page, only=only, month=month or "",
                           unit_id=unit_id, units=units, today=clock.today_local(), state=services.state,
                           columns=services.COLUMNS, may_upload=current_user.role in services.UPLOADERS)


@bp.route("/<int:entry_id>/withdraw", methods=["POST"])
@login_required
def withdraw(entry_id):
    form = WithdrawForm()
    if not form.validate_on_submit():
        if csrf_failed(form):
            flash(_l("The form expired or was sent twice. Please try again."), "danger")
        else:  # (the reason's own message: too long)
            flash_form_errors(form)
        return redirect(url_for("publicity.ledger"))
    try:
        entry = services.withdraw(current_user, entry_id, form.reason.data)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        for _field, message in exc.errors:
            flash(message, "danger")
    else:
        flash(_l("%(number)s was withdrawn from the ledger.", number=entry.decision_no), "success")
    return redirect(url_for("publicity.ledger"))


@bp.route("/template.xlsx")
@login_required
def template():
    require_role(current_user, *services.UPLOADERS)
    return send_file(io.BytesIO(services.template()), mimetype=XLSX, as_attachment=True, download_name="publicity-ledger-template.xlsx")


@bp.route("/monthly")
@login_required
def monthly():
    require_role(current_user, *services.READERS)
    today = clock.today_local()
    # (the month just ended by default: 月通报 reports on it; the month under way is one link away)
    month = request.args.get("month") or (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    first, _last = services.month_bounds(month)
    if first is None:
        abort(404)
    before = (first - timedelta(days=1)).strftime("%Y-%m")
    after = (first + timedelta(days=32)).replace(day=1)
    return render_template("publicity/monthly.html", month=month, rows=services.monthly(current_user, month), before=before,
                           after=after.strftime("%Y-%m") if after <= today else None)
