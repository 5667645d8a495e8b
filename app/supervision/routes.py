"""Supervisors' overview: every case, its status, current steps and days overdue."""
from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from app.pagination import page_number

from app.cases import queries

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


@bp.route("/")
@login_required
def overview():
    page = queries.supervision_overview(
        current_user,
        status=request.args.get("status") or None,
        kind=request.args.get("kind") or None,
        overdue_only=request.args.get("overdue") == "1",
        page=page_number(request.args.get("page")),
    )
    case_ids = [row[0].id for row in page.items]
    return render_template(
        "supervision/overview.html",
        page=page,
        tasks=queries.open_tasks_for(case_ids),
        subjects=queries.subjects_for(case_ids),
    )


@bp.route("/sla")
@login_required
def sla():
    from app.supervision import services
    from app.supervision.forms import NoticeForm

    return render_template(
        "supervision/sla.html", by_unit=services.overdue_by_unit(current_user), by_step=services.overdue_by_step(current_user),
        form=NoticeForm(), notices=services.all_notices(current_user),
    )


@bp.route("/notices", methods=["POST"])
@login_required
def issue_notice():
    from flask import flash, redirect, url_for
    from flask_babel import lazy_gettext as _l

    from app.errors import DomainError
    from app.extensions import db
    from app.supervision import services
    from app.supervision.forms import NoticeForm

    form = NoticeForm()
    if form.validate_on_submit():
        try:
            n = services.issue(current_user, form.unit_id.data, form.kind.data, form.text.data, form.on_date.data)
            db.session.commit()
            flash(_l("Issued to %(unit)s; it is on the timelines of %(n)s cases.", unit=n.unit.name, n=len(n.cases)), "success")
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
    else:
        flash(_l("Please correct the marked fields."), "danger")
    return redirect(url_for("supervision.sla"))


@bp.route("/my-notices", methods=["GET", "POST"])
@login_required
def my_notices():
    from flask import redirect, url_for

    from app.errors import DomainError
    from app.extensions import db
    from app.supervision import services

    if request.method == "POST":
        try:
            services.acknowledge(current_user, request.form.get("notice_id", type=int))
            db.session.commit()
        except DomainError:
            db.session.rollback()
        return redirect(url_for("supervision.my_notices"))
    return render_template("supervision/my_notices.html", notices=services.notices_for_unit(current_user))
