"""The subject's statement on the portal, and a statement received on paper recorded by the determining body."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.cases import queries as case_queries
from app.cases.attachments import uploads_from
from app.cases.models import Subject
from app.cases.routes import detail_with_draft
from app.dueprocess import corrections, record, services, subject_changes
from app.dueprocess.forms import CorrectionForm, NoticeServiceForm, ServiceForm, StatementForm, SubjectChangeForm
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.form_errors import apply_errors, commit_or_errors
from app.i18n import lazy_gettext as _l
from app.rights.objections import applicant_case

portal_bp = Blueprint("statements", __name__, url_prefix="/portal")
staff_bp = Blueprint("notices", __name__, url_prefix="/cases")
subjects_bp = Blueprint("subjects", __name__, url_prefix="/subjects")


@portal_bp.route("/cases/<int:case_id>/statement", methods=["GET", "POST"])
@login_required
def statement(case_id):
    notice = services.notice_for_applicant(current_user, case_id)
    if notice is None:
        flash(_l("There is no notice to answer in this case."), "warning")
        return redirect(url_for("portal.case", case_id=case_id))
    form = StatementForm()
    if form.validate_on_submit():
        waive = bool(form.waive.data)
        try:
            services.state_on_portal(current_user, case_id, form.statement.data, uploads_from(request.files.getlist("files")), waive)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_l("You waived the statement.") if waive else _l("Your statement has been received."), "success")
            return redirect(url_for("portal.case", case_id=case_id))
    return render_template("dueprocess/statement.html", form=form, notice=notice, rights=services.RIGHTS,
                           open=services.period_open(notice))


@staff_bp.route("/<int:case_id>/notices/<int:notice_id>/statement", methods=["POST"])
@login_required
def paper_statement(case_id, notice_id):
    case_queries.get_case(current_user, case_id)  # a case the user may not see is "no such case" (404), as a missing one
    form = StatementForm()
    if form.validate_on_submit():
        waive = bool(form.waive.data)
        try:
            notice = db.session.get(services.PriorNotice, notice_id)
            if notice is None or notice.case_id != case_id:
                raise DomainError(_l("No such notice."))
            services.record_on_paper(current_user, notice_id, form.statement.data,
                                     uploads_from(request.files.getlist("files")), waive, form.received_on.data)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return detail_with_draft(case_id, f"statement-{notice_id}", {"statement": form.statement.data,
                                                                          "received_on": request.form.get("received_on", "")})
        flash(_l("The subject's waiver was recorded.") if waive else _l("The statement received on paper was recorded."), "success")
        return redirect(url_for("cases.detail", case_id=case_id, _anchor="notices"))
    for errors in form.errors.values():
        for e in errors:
            flash(e, "danger")
    return detail_with_draft(case_id, f"statement-{notice_id}", {"statement": form.statement.data,
                                                                  "received_on": request.form.get("received_on", "")})


@staff_bp.route("/<int:case_id>/service", methods=["POST"])
@login_required
def record_service(case_id):
    case_queries.get_case(current_user, case_id)  # (as paper_statement: the refusal must not tell that the case exists)
    form = ServiceForm()
    if form.validate_on_submit():
        try:
            services.record_service(current_user, case_id, int(form.subject_id.data), form.way.data, form.served_on.data,
                                    form.note.data, uploads_from(request.files.getlist("proof"), "proof"))
            db.session.commit()
        except (DomainError, ValueError) as exc:
            db.session.rollback()
            return _service_refused(case_id, f"service-{request.form.get('subject_id', '')}",
                                    exc.message if isinstance(exc, DomainError) else _l("No such subject in this case."))
        flash(_l("The service of the decision was recorded."), "success")
        return redirect(url_for("cases.detail", case_id=case_id, _anchor="service"))
    return _service_refused(case_id, f"service-{request.form.get('subject_id', '')}", *_errors(form))


@staff_bp.route("/<int:case_id>/notices/<int:notice_id>/service", methods=["POST"])
@login_required
def record_notice_service(case_id, notice_id):
    """The day a prior notice reached its subject: its statement period runs from then."""
    case_queries.get_case(current_user, case_id)  # (a case the user may not see is no such case)
    form = NoticeServiceForm()
    if form.validate_on_submit():
        try:
            outcome = services.record_notice_service(current_user, case_id, notice_id, form.way.data, form.served_on.data,
                                                     uploads_from(request.files.getlist("proof"), "proof"))
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            return _service_refused(case_id, f"service-n{notice_id}", exc.message)
        else:
            if outcome == services.OVER:
                flash(_l("The service of the notice was recorded. The statement period had already ended or been answered, "
                         "and is not reopened."), "warning")
            else:  # (counted from service it ends later, or on the same working day as counted from issue)
                flash(_l("The service of the notice was recorded; the statement period now runs from that day.") if
                      outcome == services.MOVED else
                      _l("The service of the notice was recorded; counted from that day, the statement period ends when it "
                         "did."), "success")
        return redirect(url_for("cases.detail", case_id=case_id, _anchor="notices"))
    return _service_refused(case_id, f"service-n{notice_id}", *_errors(form))


def _errors(form) -> list:
    return [e for errors in form.errors.values() for e in errors]


def _service_refused(case_id: int, key: str, *messages):
    """The case page again with the refused service form open, what was typed kept and the reason beside it (a
    redirect to the section lost both, with the message out of view at the top)."""
    for m in messages:
        flash(m, "danger")
    return detail_with_draft(case_id, key, {"way": request.form.get("way"), "served_on": request.form.get("served_on"),
                                            "note": request.form.get("note"), "errors": [str(m) for m in messages]})


@subjects_bp.route("/<int:subject_id>")
@login_required
def subject(subject_id):
    return render_template("dueprocess/subject.html", **record.subject_record(current_user, subject_id))


def _report(subject_id: int, case_id: int | None, back):
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            corr = corrections.report(current_user, subject_id, form.field.data, form.proposed.data, form.reason.data,
                                      uploads_from(request.files.getlist("files")), case_id)
            db.session.commit()
        except PermissionDenied:
            db.session.rollback()
            raise  # a 403 page
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_l("The correction %(number)s was reported; the unit responsible verifies it.", number=corr.number), "success")
            return redirect(back(corr))
    return form


@subjects_bp.route("/<int:subject_id>/correction", methods=["GET", "POST"])
@login_required
def report_correction(subject_id):
    data = record.subject_record(current_user, subject_id)
    if not data["may_report"]:  # (refused on opening, as the link is not shown: not after typing)
        raise PermissionDenied(_l("Your unit is not party to a case about this subject."))
    form = _report(subject_id, None, lambda corr: url_for("cases.detail", case_id=corr.id))
    if not isinstance(form, CorrectionForm):
        return form
    return render_template("dueprocess/correction.html", form=form, subject=data["subject"])


@subjects_bp.route("/<int:subject_id>/registration", methods=["GET", "POST"])
@login_required
def registration(subject_id):
    """Record that the subject was deregistered (注销) or merged (合并) into another body."""
    data = record.subject_record(current_user, subject_id)
    if not subject_changes.may_record(current_user, subject_id):
        raise PermissionDenied(_l("Your unit is not party to a case about this subject."))
    form = SubjectChangeForm()
    if form.validate_on_submit():
        change = commit_or_errors(form, lambda: subject_changes.record_change(
            current_user, subject_id, form.kind.data, form.on_date.data, form.basis.data, form.reason.data,
            form.successor_code.data, form.successor_name.data))
        if change:
            flash(_l("Recorded; the units applying measures to the subject have been told."), "success")
            return redirect(url_for("subjects.subject", subject_id=change.successor_id or subject_id))
    return render_template("dueprocess/registration.html", form=form, subject=data["subject"], listings=data["listings"])


@portal_bp.route("/cases/<int:case_id>/correction", methods=["GET", "POST"])
@login_required
def portal_correction(case_id):
    case = applicant_case(current_user, case_id)
    subject = db.session.get(Subject, current_user.subject_id)
    form = _report(current_user.subject_id, case.id, lambda corr: url_for("portal.case", case_id=corr.id))
    if not isinstance(form, CorrectionForm):
        return form
    return render_template("dueprocess/correction.html", form=form, subject=subject, portal_case=case)


@portal_bp.route("/record")
@login_required
def own_record():
    return render_template("dueprocess/subject.html", **record.own_record(current_user))
