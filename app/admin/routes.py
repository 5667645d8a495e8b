"""Administration pages: catalog (office and administrators), organisation, deadline rules, holiday
calendar, process versions (administrators), and the audit of changes (also supervisors)."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from app.i18n import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from app import clock
from app.admin import rules as rule_service
from app.admin import services
from app.admin.forms import (CatalogEntryForm, DayForm, FileForm, GroupForm, ReasonForm, RuleForm, UnitForm, UserForm,
                             YearForm)
from app.admin.models import AdminChange, DeadlineRule
from app.auth import admin as org
from app.auth.models import ADMIN, OFFICE, SUPERVISOR, SpecialistGroup, Unit, User
from app.auth.permissions import require_role
from app.catalog import admin as catalog
from app.catalog.models import CatalogEntry, CatalogVersion
from app.engine.models import ProcessVersion
from app.engine.registry import versions_overview
from app.errors import DomainError
from app.extensions import db
from app.form_errors import commit_or_errors
from forms.joint_punishment import choices

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@login_required
def index():
    require_role(current_user, ADMIN, OFFICE, SUPERVISOR)
    return render_template("admin/index.html")


# -- catalog -----------------------------------------------------------------------------------------
def _catalog_form(form):
    form.group.choices = choices((g.name, g.name) for g in db.session.scalars(select(SpecialistGroup).order_by(SpecialistGroup.id)))
    form.admin_unit.choices = choices((u.name, u.name) for u in db.session.scalars(select(Unit).order_by(Unit.id)))
    return form


def _entry_in(form) -> catalog.EntryIn:
    return catalog.EntryIn(form.kind.data, form.group.data, form.behaviour.data, form.admin_unit.data, form.grounds.data,
                           form.legal_basis.data, form.measures.data, form.measure_content.data or "",
                           form.required_evidence.data or "", form.default_period_days.data)


@bp.route("/catalog")
@login_required
def catalog_list():
    require_role(current_user, *catalog.MANAGERS)
    entries = db.session.scalars(select(CatalogEntry).order_by(CatalogEntry.retired_at.is_not(None), CatalogEntry.code)).all()
    return render_template("admin/catalog_list.html", entries=entries, import_form=FileForm())


@bp.route("/catalog/new", methods=["GET", "POST"])
@login_required
def catalog_new():
    require_role(current_user, *catalog.MANAGERS)
    form = _catalog_form(CatalogEntryForm())
    if form.validate_on_submit():
        entry = commit_or_errors(form, lambda: catalog.create(current_user, form.code.data, _entry_in(form), form.reason.data or ""))
        if entry:
            flash(_l("Catalog entry %(code)s created.", code=entry.code), "success")
            return redirect(url_for("admin.catalog_entry", entry_id=entry.id))
    return render_template("admin/catalog_edit.html", form=form, entry=None)


@bp.route("/catalog/<int:entry_id>", methods=["GET", "POST"])
@login_required
def catalog_entry(entry_id):
    require_role(current_user, *catalog.MANAGERS)
    entry = db.session.get(CatalogEntry, entry_id) or abort(404)
    form = _catalog_form(CatalogEntryForm(data=vars(catalog.entry_in_from_version(entry.current_version)) if request.method == "GET" else None))
    if form.validate_on_submit():
        if commit_or_errors(form, lambda: catalog.revise(current_user, entry, _entry_in(form), form.reason.data or "")):
            flash(_l("Saved as a new version; cases keep citing the version they were filed under."), "success")
            return redirect(url_for("admin.catalog_entry", entry_id=entry.id))
    versions = db.session.scalars(select(CatalogVersion).where(CatalogVersion.entry_id == entry.id).order_by(CatalogVersion.version_no.desc())).all()
    return render_template("admin/catalog_edit.html", form=form, entry=entry, versions=versions, retire_form=ReasonForm(prefix="r"))


@bp.route("/catalog/<int:entry_id>/retire", methods=["POST"])
@login_required
def catalog_retire(entry_id):
    require_role(current_user, *catalog.MANAGERS)
    entry = db.session.get(CatalogEntry, entry_id) or abort(404)
    form = ReasonForm(prefix="r")
    if form.validate_on_submit() and commit_or_errors(form, lambda: catalog.retire(current_user, entry, form.reason.data)):
        flash(_l("Entry retired: new cases cannot cite it; running cases continue."), "success")
    else:
        flash(_l("Give a reason."), "danger")
    return redirect(url_for("admin.catalog_entry", entry_id=entry.id))


@bp.route("/catalog/<int:entry_id>/diff")
@login_required
def catalog_diff(entry_id):
    require_role(current_user, *catalog.MANAGERS, SUPERVISOR)
    entry = db.session.get(CatalogEntry, entry_id) or abort(404)
    a = db.session.get(CatalogVersion, request.args.get("a", type=int) or 0)
    b = db.session.get(CatalogVersion, request.args.get("b", type=int) or 0)
    if a is None or b is None or a.entry_id != entry.id or b.entry_id != entry.id:
        abort(404)
    return render_template("admin/catalog_diff.html", entry=entry, a=a, b=b, rows=catalog.diff(a, b))


@bp.route("/catalog/export.xlsx")
@login_required
def catalog_export():
    require_role(current_user, *catalog.MANAGERS)
    return Response(catalog.export_xlsx(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=catalog.xlsx"})


@bp.route("/catalog/import", methods=["POST"])
@login_required
def catalog_import():
    require_role(current_user, *catalog.MANAGERS)
    form = FileForm()
    errors = []
    if form.validate_on_submit():
        f = request.files.get("file")
        try:
            created, versioned = catalog.import_xlsx(current_user, f.stream.read(5 * 1024 * 1024 + 1), form.reason.data or "")
            db.session.commit()
            flash(_l("%(c)s entries created, %(v)s new versions.", c=created, v=versioned), "success")
            return redirect(url_for("admin.catalog_list"))
        except DomainError as exc:
            db.session.rollback()
            errors = [str(m) for _f, m in exc.errors]
    entries = db.session.scalars(select(CatalogEntry).order_by(CatalogEntry.code)).all()
    return render_template("admin/catalog_list.html", entries=entries, import_form=form, import_errors=errors)


# -- organisation ------------------------------------------------------------------------------------
@bp.route("/units", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@login_required
def units(unit_id=None):
    require_role(current_user, ADMIN)
    unit = db.session.get(Unit, unit_id) if unit_id else None
    form = UnitForm(obj=unit)
    if form.validate_on_submit():
        if commit_or_errors(form, lambda: org.save_unit(current_user, unit, form.name.data, form.kind.data, bool(form.active.data))):
            flash(_l("Saved."), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/units.html", form=form, unit=unit, units=db.session.scalars(select(Unit).order_by(Unit.id)).all(),
                           groups=db.session.scalars(select(SpecialistGroup).order_by(SpecialistGroup.id)).all())


@bp.route("/groups/new", methods=["GET", "POST"])
@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@login_required
def group(group_id=None):
    require_role(current_user, ADMIN)
    g = db.session.get(SpecialistGroup, group_id) if group_id else None
    form = GroupForm(obj=g)
    all_units = db.session.scalars(select(Unit).order_by(Unit.id)).all()
    form.lead_unit_id.choices = choices((u.id, u.name) for u in all_units)
    form.member_ids.choices = choices((u.id, u.name) for u in all_units)
    if request.method == "GET" and g:
        form.member_ids.data = [u.id for u in g.members]
    if form.validate_on_submit():
        if commit_or_errors(form, lambda: org.save_group(current_user, g, form.name.data, form.domain.data, form.lead_unit_id.data,
                                                          form.member_ids.data or [])):
            flash(_l("Saved."), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/group.html", form=form, group=g)


@bp.route("/users", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def users(user_id=None):
    require_role(current_user, ADMIN)
    user = db.session.get(User, user_id) if user_id else None
    form = UserForm(obj=user)
    form.unit_id.choices = choices([(0, "—")] + [(u.id, u.name) for u in db.session.scalars(select(Unit).order_by(Unit.id))])
    if form.validate_on_submit():
        result = commit_or_errors(form, lambda: org.save_user(current_user, user, form.username.data, form.full_name.data,
                                                               form.role.data, form.unit_id.data or None, bool(form.active.data)))
        if result:
            saved, password = result
            flash(_l("Saved."), "success")
            if password:
                flash(_l("Initial password for %(u)s: %(p)s — give it to the user; it is not shown again.", u=saved.username, p=password), "warning")
            return redirect(url_for("admin.users"))
    rows = db.session.scalars(select(User).order_by(User.role, User.username)).all()
    return render_template("admin/users.html", form=form, user=user, users=rows)


@bp.route("/users/<int:user_id>/reset", methods=["POST"])
@login_required
def reset_password(user_id):
    require_role(current_user, ADMIN)
    from flask_wtf.csrf import validate_csrf

    validate_csrf(request.form.get("csrf_token"))
    user = db.session.get(User, user_id) or abort(404)
    password = org.reset_password(current_user, user)
    db.session.commit()
    flash(_l("New password for %(u)s: %(p)s — it is not shown again.", u=user.username, p=password), "warning")
    return redirect(url_for("admin.users"))


# -- deadline rules, calendar, processes ---------------------------------------------------------------
@bp.route("/rules", methods=["GET", "POST"])
@login_required
def rules():
    require_role(current_user, ADMIN)
    rule_service.ensure_seeded()
    db.session.commit()
    if request.method == "POST":
        form = RuleForm()
        name = request.form.get("name", "")
        if form.validate_on_submit():
            try:
                rule_service.change(current_user, name, form.days.data, form.day_kind.data, form.source.data or "")
                db.session.commit()
                flash(_l("Rule %(name)s changed: cases started from now on use it; running deadlines keep theirs.", name=name), "success")
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "danger")
        else:
            flash(_l("The length must be a positive whole number of days."), "danger")
        return redirect(url_for("admin.rules"))
    return render_template("admin/rules.html", rules=db.session.scalars(select(DeadlineRule).order_by(DeadlineRule.name)).all(), form=RuleForm())


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
def calendar():
    require_role(current_user, ADMIN)
    year = request.args.get("year", type=int) or clock.today_local().year
    year = min(max(year, 2004), 2100)
    day_form, year_form = DayForm(prefix="d"), YearForm(prefix="y")
    if request.method == "POST":
        if "d-day" in request.form and day_form.validate_on_submit():
            if commit_or_errors(day_form, lambda: services.set_day(current_user, day_form.day.data, day_form.status.data == "work", day_form.name.data or "")):
                flash(_l("Saved; deadlines computed from now on use it."), "success")
                return redirect(url_for("admin.calendar", year=day_form.day.data.year))
        elif "y-source" in request.form and year_form.validate_on_submit():
            if commit_or_errors(year_form, lambda: services.complete_year(current_user, year, year_form.source.data)):
                flash(_l("The %(year)s schedule is marked as entered.", year=year), "success")
                return redirect(url_for("admin.calendar", year=year))
    from app.workdays.services import year_source

    return render_template("admin/calendar.html", year=year, days=services.year_days(year), source=year_source(year),
                           day_form=day_form, year_form=year_form)


@bp.route("/processes", methods=["GET", "POST"])
@login_required
def processes():
    require_role(current_user, ADMIN)
    form = FileForm()
    errors = []
    if form.validate_on_submit():
        f = request.files.get("file")
        try:
            deployed = services.upload_bpmn(current_user, f.filename or "", f.stream.read(2 * 1024 * 1024 + 1))
            db.session.commit()
            flash(_l("Deployed: %(v)s. New cases use it; running cases keep their version.", v="、".join(f"{v.process_id} #{v.id}" for v in deployed)), "success")
            return redirect(url_for("admin.processes"))
        except DomainError as exc:
            db.session.rollback()
            errors = [str(m) for _f, m in exc.errors]
    return render_template("admin/processes.html", rows=versions_overview(), form=form, errors=errors)


@bp.route("/processes/<int:version_id>.bpmn")
@login_required
def process_xml(version_id):
    require_role(current_user, ADMIN, SUPERVISOR, OFFICE)
    v = db.session.get(ProcessVersion, version_id) or abort(404)
    return Response(v.xml, mimetype="application/xml")


@bp.route("/audit")
@login_required
def audit_log():
    require_role(current_user, ADMIN, SUPERVISOR, OFFICE)
    rows = db.session.scalars(select(AdminChange).order_by(AdminChange.at.desc(), AdminChange.id.desc()).limit(500)).all()
    return render_template("admin/audit.html", rows=rows)
