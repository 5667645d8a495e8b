"""Inbox and task pages: a user's open tasks (role + unit), claim/release, and completing a task."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.models import APPLICANT, CASEWORKER, EXPERT, GROUP_LEAD, OFFICE
from app.auth.services import landing_endpoint
from app.cases import hooks, queries, tasks
from app.cases.access import can_act_on_task, can_see_case, full_codes_shown
from app.db_errors import CONCURRENCY_ERRORS, is_concurrency_error
from app.errors import Conflict, DomainError
from app.extensions import db
from app.form_errors import apply_errors, csrf_checked_by_form, flash_invalid
from app.i18n import lazy_gettext as _l
from app.kept_uploads import files_sent, kept_for
from app.labels import step
from app.pagination import page_number
from app.redirects import local_path
from forms import FORMS

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

CONFLICT = _l("This task was completed or changed at the same moment, by someone else or by the same form sent twice. Nothing of this submission was saved.")


# The roles whose users are given tasks (the menu offers "My tasks" to them alone).
INBOX_ROLES = (CASEWORKER, GROUP_LEAD, OFFICE, EXPERT, APPLICANT)


@bp.route("/")
@login_required
def inbox():
    if current_user.role not in INBOX_ROLES:  # (no task is ever theirs: their own start page, not an empty inbox)
        return redirect(url_for(landing_endpoint(current_user)))
    page = queries.inbox(
        current_user,
        kind=request.args.get("kind") or None,
        step=request.args.get("step") or None,
        scope=request.args.get("scope") or "all",
        page=page_number(request.args.get("page")),
    )
    subjects = queries.subjects_for([t.case_id for t in page.items])
    return render_template("tasks/inbox.html", page=page, steps=queries.inbox_steps(current_user), subjects=subjects,
                           rows=hooks.task_rows(page.items))


@bp.route("/<uuid:task_id>", methods=["GET", "POST"])
@login_required
@csrf_checked_by_form
def task(task_id):
    task_id = str(task_id)
    try:
        # A submitted form needs only the task and its case; the whole case page is built to show the form.
        data = (queries.task_form_data if request.method == "POST" else queries.task_page)(current_user, task_id)
    except Conflict as exc:
        flash(exc.message, "warning")
        return redirect(url_for("tasks.inbox"))
    ot = data["task"]
    form = FORMS[ot.form_key]()
    form.prepare(data["case"], data["form_units"])
    if hasattr(form, "for_task"):
        form.for_task(ot)
    if form.validate_on_submit():
        done = _l("Done: %(task)s.", task=step(ot.bpmn_id, ot.name))
        try:
            files = [up for name in _file_fields(form) for up in files_sent(name)]
            case = tasks.complete(current_user, task_id, form.values(), files, open_task=ot)
            case_id, role = case.id, current_user.role  # read before the commit expires them (no reload to redirect)
            db.session.commit()
        except CONCURRENCY_ERRORS as exc:
            db.session.rollback()
            if not is_concurrency_error(exc):
                raise
            flash(CONFLICT, "warning")
            return _again(task_id, form, kept=kept_for(form, _file_fields(form)))
        except Conflict as exc:
            db.session.rollback()
            flash(exc.message, "warning")
            # (the files sent stay listed for the next submission, as with any refusal)
            return _again(task_id, form, kept=kept_for(form, _file_fields(form)))
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
            return _again(task_id, form, status=200, kept=kept_for(form, _file_fields(form)))
        else:
            flash(done, "success")
            if role == "applicant":
                return redirect(url_for("portal.case", case_id=case_id))
            if role == "expert" and not can_see_case(current_user, case_id):
                return redirect(url_for("tasks.inbox"))  # declined: the file stays closed
            return redirect(url_for("cases.detail", case_id=case_id))
    elif request.method == "POST":
        flash_invalid(form)
        return _again(task_id, form, status=200, kept=kept_for(form, _file_fields(form)))
    return _render(data, form)


def _file_fields(form) -> list[str]:
    return [f.name for f in form if f.type in ("MultipleFileField", "FileField")] if form.has_files else []


def _render(data, form, status=200, kept=None):
    # (every path here has committed or rolled back its own work; the view's audit event is committed after
    # rendering, so the page is built from what was loaded: a commit first would expire it, and a task another
    # server completes meanwhile would then be gone mid-render)
    full_codes = full_codes_shown(current_user, data["case"], request.remote_addr)
    page = render_template(
        "tasks/task.html",
        form=form,
        kept=kept or {},
        can_act=can_act_on_task(current_user, data["task"]),
        full_codes=full_codes,
        **data,
    )
    db.session.commit()
    return page, status


def _again(task_id, form, status=409, kept=None):
    """Show the form again with what the user typed (and the files sent, kept), if the task is still theirs to do."""
    try:
        data = queries.task_page(current_user, task_id)
    except Conflict:
        return redirect(url_for("tasks.inbox"))
    return _render(data, form, status, kept)


def _claim_or_release(task_id, action):
    try:
        action(current_user, str(task_id))
        db.session.commit()
    except CONCURRENCY_ERRORS as exc:
        db.session.rollback()
        if not is_concurrency_error(exc):
            raise
        flash(CONFLICT, "warning")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    return redirect(local_path(request.form.get("next"), url_for("tasks.inbox")))


@bp.route("/<uuid:task_id>/claim", methods=["POST"])
@login_required
def claim(task_id):
    return _claim_or_release(task_id, tasks.claim)


@bp.route("/<uuid:task_id>/release", methods=["POST"])
@login_required
def release(task_id):
    return _claim_or_release(task_id, tasks.release)
