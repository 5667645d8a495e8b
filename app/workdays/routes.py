"""Administration of deadline rules and the holiday calendar (administrators)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import clock
from app.auth.models import ADMIN
from app.auth.permissions import require_role
from app.dates import ShownDate
from app.errors import DomainError
from app.extensions import db
from app.form_errors import commit_or_errors, csrf_failed, flash_form_errors
from app.i18n import lazy_gettext as _l
from app.labels import DEADLINE_RULE_LABELS, label
from app.workdays import queries, services
from app.workdays import rules as rule_service
from app.workdays.forms import ClearDayForm, DayForm, RuleForm, YearForm

bp = Blueprint("workdays", __name__, url_prefix="/admin")


@bp.route("/rules", methods=["GET", "POST"])
@login_required
def rules():
    require_role(current_user, ADMIN)
    if request.method == "POST":
        form = RuleForm()
        name = request.form.get("name", "")
        if form.validate_on_submit():
            try:
                rule_service.change(current_user, name, form.days.data, form.day_kind.data, form.source.data or "")
                db.session.commit()
                flash(_l("Rule %(name)s changed: cases started from now on use it; running deadlines keep theirs.",
                         name=label(DEADLINE_RULE_LABELS, name)), "success")
            except DomainError as exc:
                db.session.rollback()
                flash(_l("%(field)s: %(message)s", field=label(DEADLINE_RULE_LABELS, name), message=exc.message), "danger")
        elif csrf_failed(form):
            flash(_l("The form expired or was sent twice. Please try again."), "danger")
        else:  # (each field's own reason, named with the rule: the length, the way days are counted, the source's length)
            flash_form_errors(form, prefix=label(DEADLINE_RULE_LABELS, name))
        return redirect(url_for("workdays.rules"))
    return render_template("admin/rules.html", rules=queries.rules(), form=RuleForm())


@bp.route("/calendar/clear", methods=["POST"])
@login_required
def clear_day():
    """An entry made by mistake removed: the day is again what the published schedule or its weekday makes it."""
    require_role(current_user, ADMIN)
    form = ClearDayForm(prefix="c")
    day = form.day.data if form.validate_on_submit() else None
    if csrf_failed(form):
        flash(_l("The form expired or was sent twice. Please try again."), "danger")
        return redirect(url_for("workdays.calendar"))
    try:
        services.admin_clear_day(current_user, day)
        db.session.commit()
        flash(_l("The entry for %(day)s was removed; deadlines computed from now on use the published schedule.",
                 day=ShownDate(day)), "success")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    return redirect(url_for("workdays.calendar", year=day.year if day else None))


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
def calendar():
    require_role(current_user, ADMIN)
    year = request.args.get("year", type=int) or clock.today_local().year
    year = min(max(year, 2004), 2100)
    day_form, year_form = DayForm(prefix="d"), YearForm(prefix="y")
    if request.method == "POST":
        if "d-day" in request.form and day_form.validate_on_submit():
            if commit_or_errors(day_form, lambda: services.admin_set_day(current_user, day_form.day.data,
                                                                         day_form.status.data == "work", day_form.name.data or "")):
                flash(_l("Saved; deadlines computed from now on use it."), "success")
                return redirect(url_for("workdays.calendar", year=day_form.day.data.year))
        elif "y-source" in request.form and year_form.validate_on_submit():
            if commit_or_errors(year_form, lambda: services.admin_complete_year(current_user, year, year_form.source.data)):
                flash(_l("The %(year)s schedule is marked as entered.", year=year), "success")
                return redirect(url_for("workdays.calendar", year=year))
    return render_template("admin/calendar.html", year=year, clear_form=ClearDayForm(prefix="c"), shown_calendar_year=year, days=services.year_days(year), source=services.year_source(year),
                           day_form=day_form, year_form=year_form)
