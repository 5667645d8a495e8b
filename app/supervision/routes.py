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
