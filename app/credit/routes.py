"""信用核查: the staff page for approval desks, the batch check and the check log."""
import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.cases.attachments import uploads_from
from app.credit import batch, queries, services
from app.credit.forms import ApplicationForm, BatchForm, CheckForm
from app.errors import DomainError, PermissionDenied
from app.exports import XLSX
from app.extensions import db
from app.form_errors import commit_or_errors, flash_form_errors
from app.i18n import lazy_gettext as _l
from app.pagination import page_number
from app.security_log import services as security_log

bp = Blueprint("credit", __name__, url_prefix="/check")


@bp.route("/", methods=["GET", "POST"])
@login_required
def check():
    requester = services.Requester.of_user(current_user)
    form = CheckForm()
    form.set_matter_types(services.matter_types())
    if form.validate_on_submit():
        answer = commit_or_errors(form, lambda: services.check(requester, form.code.data, form.matter_type.data, form.matter_no.data))
        if answer:
            return redirect(url_for("credit.answer", check_id=answer.check_id))
    elif request.method == "POST":
        flash(_l("Please correct the marked fields."), "danger")
    return render_template("credit/check.html", form=form)


@bp.route("/<int:check_id>", methods=["GET", "POST"])
@login_required
def answer(check_id):
    requester = services.Requester.of_user(current_user)
    form = ApplicationForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.record_application(requester, check_id, int(form.listing_id.data), form.action.data, form.note.data or "")
                db.session.commit()
                flash(_l("Recorded: it is on the case's timeline as your unit's application of the listing."), "success")
            except (DomainError, ValueError) as exc:
                db.session.rollback()
                flash(getattr(exc, "message", _l("Choose what your unit did.")), "danger")
        else:
            flash_form_errors(form)
        return redirect(url_for("credit.answer", check_id=check_id))
    ans = services.answer_of(requester, check_id)
    done = queries.applications_of([check_id])
    return render_template("credit/answer.html", a=ans, done=done, form=form, allowed_actions=services.allowed_actions,
                           unit_state_words=services.unit_state_words)


@bp.route("/batch", methods=["GET", "POST"])
@login_required
def batch_check():
    requester = services.Requester.of_user(current_user)
    form = BatchForm()
    if form.validate_on_submit():
        files = uploads_from([request.files.get("file")], "file")
        try:
            if not files:
                raise DomainError(_l("Choose a file."), "file")
            sheet, n = batch.run(requester, files[0].filename, files[0].data)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            security_log.record_export(current_user, request.remote_addr, "credit_check_batch", n)
            return send_file(io.BytesIO(sheet), mimetype=XLSX, as_attachment=True, download_name=f"credit-check-{n}.xlsx")
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("credit/batch.html", form=form)


@bp.route("/batch/template.xlsx")
@login_required
def batch_template():
    services.Requester.of_user(current_user)
    return send_file(io.BytesIO(batch.template()), mimetype=XLSX, as_attachment=True, download_name="credit-check-template.xlsx")


@bp.route("/log")
@login_required
def log():
    if current_user.role not in (*services.CHECK_ROLES, *queries.LOG_READERS) or current_user.unit_id is None:
        raise PermissionDenied(_l("Only staff of a unit check subjects' credit."))
    code = (request.args.get("code") or "").strip()[:30] or None
    page = queries.log(current_user, unit_id=request.args.get("unit", type=int), code=code,
                       page=page_number(request.args.get("page")))
    return render_template("credit/log.html", page=page, code=code, all_units=current_user.role in queries.LOG_READERS)
