"""Filing a trigger (the joint procedure's first step); the case pages themselves are in app.cases."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from app.auth.models import CASEWORKER
from app.auth.permissions import require_role
from app.cases.attachments import keep_for_resubmission, take_staged, uploads_from
from app.cases.services import subject_warnings
from app.catalog.services import usable_entries
from app.errors import DomainError
from app.extensions import db
from app.form_errors import apply_errors, commit_or_errors, csrf_checked_by_form, csrf_failed, csrf_token_valid, flash_invalid, walk_fields
from app.i18n import lazy_gettext as _l
from app.joint import services
from app.joint.forms import MAX_SUBJECTS, TriggerForm
from app.labels import CASE_KIND_LABELS
from forms.fields import choices, renew_submission_key, submission_key_of

bp = Blueprint("joint", __name__, url_prefix="/cases")


def _entry_choices():
    # Only behaviour in the unit's own field (seed 001 二(二)1); the service refuses any other all the same.
    entries = [e for e in usable_entries() if e.current_version.admin_unit_id == current_user.unit_id]
    return choices(
        (e.id, f"[{CASE_KIND_LABELS[e.kind]}] {e.code} {e.current_version.behaviour} — {e.group.name}") for e in entries
    )


def _file(form, subjects, kept_tokens, new_files):
    return commit_or_errors(form, lambda: services.file_trigger(
        current_user,
        subjects=subjects,
        entry_ids=form.entry_ids.data,
        title=form.title.data,
        facts=form.facts.data,
        legal_basis=form.legal_basis.data,
        files=take_staged(current_user, kept_tokens) + new_files,
        submission_key=submission_key_of(form),
    ))


@bp.route("/new", methods=["GET", "POST"])
@login_required
@csrf_checked_by_form
def new_case():
    require_role(current_user, CASEWORKER)
    form = TriggerForm()
    form.entry_ids.choices = _entry_choices()
    posted = request.method == "POST"
    new_files = uploads_from(request.files.getlist(form.files.name)) if posted else []
    kept_tokens = request.form.getlist("staged-files") if posted else []
    if posted and "add_row" in request.form:  # one more subject row; nothing is checked or lost
        if len(form.subjects) < MAX_SUBJECTS:
            form.subjects.append_entry()
    elif posted and (earlier := services.filed_with(current_user, submission_key_of(form))):
        flash(_l("This form was already sent: it filed %(number)s.", number=earlier.number), "info")
        return redirect(url_for("cases.detail", case_id=earlier.id))
    elif form.validate_on_submit():
        subjects = _typed_subjects(form)
        try:
            case = _file(form, subjects, kept_tokens, new_files)
        except IntegrityError:  # the same form sent twice at once: the other request filed it
            db.session.rollback()
            case = services.filed_with(current_user, submission_key_of(form))
            if case is None:
                raise
        if case:
            flash(_l("Trigger %(number)s filed and sent for pre-review.", number=case.number), "success")
            for warning in subject_warnings(case) + services.renamed_subjects(case, subjects):
                flash(warning, "warning")
            return redirect(url_for("cases.detail", case_id=case.id))
    elif posted:
        flash_invalid(form)
        if not csrf_failed(form):
            _add_service_errors(form, kept_tokens, new_files)
    renew_submission_key(form, posted)
    # (files are kept for the next submission only from a form whose CSRF token held: a page on another site must
    # not be able to store files in a user's name)
    kept = keep_files_for_next_submission(form, kept_tokens, new_files) if posted and csrf_token_valid() else []
    focus_row = len(form.subjects) - 1 if posted and "add_row" in request.form else None  # (the row just added)
    return render_template("cases/new.html", form=form, staged=kept, max_subjects=MAX_SUBJECTS, focus_row=focus_row)


def _typed_subjects(form) -> list:
    return [services.SubjectIn(row.form.kind.data, row.form.name.data or "", row.form.code.data or "")
            for row in form.subjects if not row.form.is_blank()]


def _add_service_errors(form, kept_tokens, new_files) -> None:
    """The form's own checks refused it: the service's errors of the other fields (subject rows, files, the catalog
    choice) are shown with them, so everything is corrected in one round. A field keeps its own error if it has one."""
    errors = services.trigger_errors(current_user, _typed_subjects(form), form.entry_ids.data or [], form.title.data,
                                     form.facts.data, form.legal_basis.data, new_files, files_kept=bool(kept_tokens))
    flagged = {f.name for f in walk_fields(form) if f.errors}
    fresh = [(name, message) for name, message in errors if name not in flagged]
    if fresh:
        apply_errors(form, DomainError(fresh[0][1], errors=fresh))


def keep_files_for_next_submission(form, kept_tokens, new_files):
    """The form goes back to its sender: the files already sent stay with it (browsers cannot refill a
    file input), listed on the page with a box to drop each."""
    kept, problems = keep_for_resubmission(current_user, kept_tokens, new_files)
    db.session.commit()
    form.files.errors = list(form.files.errors) + [p for p in problems if p not in form.files.errors]
    return kept
