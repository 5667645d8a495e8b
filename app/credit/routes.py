"""信用核查: the staff page for approval desks, the batch check and the check log."""
import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app import clock
from app.cases.attachments import uploads_from
from app.credit import batch, commitments, queries, services
from app.credit.forms import ApplicationForm, BatchForm, CheckForm, CloseCommitmentForm, CommitmentForm
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
    return _answer_page(requester, check_id, form, CommitmentForm())


def _answer_page(requester, check_id: int, form, commitment_form):
    ans = services.answer_of(requester, check_id)
    done = queries.applications_of([check_id])
    return render_template("credit/answer.html", a=ans, done=done, form=form, allowed_actions=services.allowed_actions,
                           unit_state_words=services.unit_state_words, commitment=commitments.of_check(check_id),
                           commitment_form=commitment_form)


@bp.route("/<int:check_id>/commitment", methods=["POST"])
@login_required
def record_commitment(check_id):
    """The applicant's written commitment for the checked matter (信用承诺), recorded by the desk."""
    requester = services.Requester.of_user(current_user)
    form = CommitmentForm()
    if form.validate_on_submit():
        made = commit_or_errors(form, lambda: commitments.record(requester, check_id, form.kind.data, form.content.data,
                                                                 form.due_on.data))
        if made:
            flash(_l("The commitment is recorded in your unit's register of commitments."), "success")
            return redirect(url_for("credit.answer", check_id=check_id))
    else:
        flash(_l("Please correct the marked fields."), "danger")
    return _answer_page(requester, check_id, ApplicationForm(), form)


@bp.route("/commitments")
@login_required
def commitment_register():
    """The unit's register of commitments: the open ones first, those past their day on top."""
    services.Requester.of_user(current_user)
    status = request.args.get("status") if request.args.get("status") in ("open", "kept", "broken") else None
    page = commitments.register(current_user.unit_id, status, page_number(request.args.get("page")))
    return render_template("credit/commitments.html", page=page, status=status, form=CloseCommitmentForm(),
                           overdue=commitments.overdue_count(current_user.unit_id), today=clock.today_local())


@bp.route("/commitments/<int:commitment_id>/close", methods=["POST"])
@login_required
def close_commitment(commitment_id):
    services.Requester.of_user(current_user)
    form = CloseCommitmentForm()
    if form.validate_on_submit():
        try:
            row = commitments.close(current_user, commitment_id, form.outcome.data, form.finding.data)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            flash(_l("Recorded: the commitment was broken. Desks checking the subject are told; if the behaviour is to be "
                     "reported for joint punishment, file a trigger.") if row.status == "broken"
                  else _l("Recorded: the commitment was kept."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("credit.commitment_register", status=request.args.get("status") or None))


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
