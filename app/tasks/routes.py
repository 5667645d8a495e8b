"""Inbox and task pages: a user's open tasks (role + unit), claim/release, and completing a task."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.auth.permissions import can_act_on_task, can_see_full_codes
from app.cases import queries, tasks
from app.db_errors import CONCURRENCY_ERRORS, is_concurrency_error
from app.errors import Conflict, DomainError
from app.extensions import db
from app.form_errors import apply_errors
from app.labels import step
from app.uploads import uploads_from
from forms import FORMS

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

CONFLICT = _l("Someone else completed or changed this task at the same moment. Nothing of yours was saved.")


@bp.route("/")
@login_required
def inbox():
    page = queries.inbox(
        current_user,
        kind=request.args.get("kind") or None,
        step=request.args.get("step") or None,
        scope=request.args.get("scope") or "all",
        page=request.args.get("page", 1, type=int),
    )
    subjects = queries.subjects_for([t.case_id for t in page.items])
    return render_template("tasks/inbox.html", page=page, steps=queries.inbox_steps(current_user), subjects=subjects)


@bp.route("/<uuid:task_id>", methods=["GET", "POST"])
@login_required
def task(task_id):
    try:
        data = queries.task_page(current_user, str(task_id))
    except Conflict as exc:
        flash(exc.message, "warning")
        return redirect(url_for("tasks.inbox"))
    ot = data["task"]
    form = FORMS[ot.form_key]()
    form.prepare(data["case"], data["units"])
    if request.method == "GET":
        form.version.data = data["instance_version"]
    if form.validate_on_submit():
        try:
            expected = int(form.version.data) if form.version.data else None
        except ValueError:
            expected = None
        try:
            files = uploads_from(request.files.getlist("files")) if form.has_files else []
            case = tasks.complete(current_user, ot.task_id, form.values(), files, expected_version=expected)
            db.session.commit()
        except Conflict as exc:
            db.session.rollback()
            flash(exc.message, "warning")
            return redirect(url_for("tasks.inbox"))
        except CONCURRENCY_ERRORS as exc:
            db.session.rollback()
            if not is_concurrency_error(exc):
                raise
            flash(CONFLICT, "warning")
            return redirect(url_for("tasks.inbox"))
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_l("Done: %(task)s.", task=step(ot.bpmn_id, ot.name)), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    elif request.method == "POST":
        flash(_l("Please correct the marked fields."), "danger")
    return render_template(
        "tasks/task.html",
        form=form,
        can_act=can_act_on_task(current_user, ot),
        full_codes=can_see_full_codes(current_user, data["case"]),
        **data,
    )


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
    nxt = request.form.get("next") or ""
    if not nxt.startswith("/") or nxt.startswith("//"):
        nxt = url_for("tasks.inbox")
    return redirect(nxt)


@bp.route("/<uuid:task_id>/claim", methods=["POST"])
@login_required
def claim(task_id):
    return _claim_or_release(task_id, tasks.claim)


@bp.route("/<uuid:task_id>/release", methods=["POST"])
@login_required
def release(task_id):
    return _claim_or_release(task_id, tasks.release)
