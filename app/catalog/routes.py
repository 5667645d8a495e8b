"""Catalog administration (office and administrators): entries, versions, retirement, diff, XLSX
export and import. Every change is a new version; cases keep citing the version they were filed under."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import clock
from app.auth.models import SUPERVISOR
from app.auth.permissions import require_role
from app.catalog import admin as catalog
from app.catalog import ledger, queries
from app.catalog.forms import CatalogEntryForm, FileForm, ReasonForm
from app.errors import DomainError, PermissionDenied
from app.exports import XLSX
from app.extensions import db
from app.form_errors import commit_or_errors
from app.i18n import lazy_gettext as _l
from app.security_log import services as security_log
from forms.fields import choices

bp = Blueprint("catalog", __name__, url_prefix="/admin/catalog")


def _catalog_form(form):
    form.group.choices = choices((n, n) for n in queries.group_names())
    form.admin_unit.choices = choices((n, n) for n in queries.unit_names())
    return form


@bp.route("", strict_slashes=False)
@login_required
def catalog_list():
    require_role(current_user, *catalog.MANAGERS)
    return render_template("admin/catalog_list.html", entries=queries.entries(), import_form=FileForm())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def catalog_new():
    require_role(current_user, *catalog.MANAGERS)
    form = _catalog_form(CatalogEntryForm())
    if form.validate_on_submit():
        entry = commit_or_errors(form, lambda: catalog.create(current_user, form.code.data, form.entry_in(), form.reason.data or ""))
        if entry:
            flash(_l("Catalog entry %(code)s created.", code=entry.code), "success")
            return redirect(url_for("catalog.catalog_entry", entry_id=entry.id))
    return render_template("admin/catalog_edit.html", form=form, entry=None)


@bp.route("/<int:entry_id>", methods=["GET", "POST"])
@login_required
def catalog_entry(entry_id):
    require_role(current_user, *catalog.MANAGERS)
    entry = queries.entry(entry_id) or abort(404)
    data = vars(catalog.entry_in_from_version(entry.current_version)) if request.method == "GET" else None
    form = _catalog_form(CatalogEntryForm(data=data))
    if form.validate_on_submit():
        if commit_or_errors(form, lambda: catalog.revise(current_user, entry, form.entry_in(), form.reason.data or "")):
            flash(_l("Saved as a new version; cases keep citing the version they were filed under."), "success")
            return redirect(url_for("catalog.catalog_entry", entry_id=entry.id))
    return render_template("admin/catalog_edit.html", form=form, entry=entry, versions=queries.versions_of(entry),
                           retire_form=ReasonForm(prefix="r"))


@bp.route("/<int:entry_id>/retire", methods=["POST"])
@login_required
def catalog_retire(entry_id):
    require_role(current_user, *catalog.MANAGERS)
    entry = queries.entry(entry_id) or abort(404)
    form = ReasonForm(prefix="r")
    if not form.validate_on_submit():
        flash(_l("Give a reason."), "danger")
    elif commit_or_errors(form, lambda: catalog.retire(current_user, entry, form.reason.data)):
        flash(_l("Entry retired: new cases cannot cite it. The listings already decided under it stay in force until "
                 "the office ends them on the page of its listings."), "success")
        # (the listings' page: their own package, above the catalog's; named by its endpoint)
        return redirect(url_for("listing_end.retired_entry_listings", entry_id=entry.id))
    else:  # (refused by the service: its reason, not "give a reason")
        for message in (m for errors in form.errors.values() for m in errors):
            flash(message, "danger")
    return redirect(url_for("catalog.catalog_entry", entry_id=entry.id))


@bp.route("/<int:entry_id>/diff")
@login_required
def catalog_diff(entry_id):
    require_role(current_user, *catalog.MANAGERS, SUPERVISOR)
    entry = queries.entry(entry_id) or abort(404)
    a = queries.version_of(entry, request.args.get("a", type=int))
    b = queries.version_of(entry, request.args.get("b", type=int))
    if a is None or b is None:
        abort(404)
    return render_template("admin/catalog_diff.html", entry=entry, a=a, b=b, rows=catalog.diff(a, b))


@bp.route("/export.xlsx")
@login_required
def catalog_export():
    require_role(current_user, *catalog.MANAGERS)
    security_log.record_export(current_user, request.remote_addr, "catalog")
    return Response(catalog.export_xlsx(), mimetype=XLSX, headers={"Content-Disposition": "attachment; filename=catalog.xlsx"})


@bp.route("/import", methods=["POST"])
@login_required
def catalog_import():
    require_role(current_user, *catalog.MANAGERS)
    form = FileForm()
    errors = []
    if form.validate_on_submit():
        f = request.files.get("file")
        try:
            created, versioned = catalog.import_xlsx(current_user, f.stream.read(catalog.MAX_IMPORT_BYTES + 1), form.reason.data or "")
            db.session.commit()
            flash(_l("%(c)s entries created, %(v)s new versions.", c=created, v=versioned), "success")
            return redirect(url_for("catalog.catalog_list"))
        except DomainError as exc:
            db.session.rollback()
            errors = [str(m) for _f, m in exc.errors]
    else:  # (no file chosen, or a text value sent in its place)
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    return render_template("admin/catalog_list.html", entries=queries.entries(), import_form=form, import_errors=errors)


@bp.route("/ledger")
@login_required
def catalog_ledger():
    """The month's ledger (工作台账) of catalog changes and measures cleaned up."""
    month = request.args.get("month") or clock.today_local().strftime("%Y-%m")
    try:
        rows = ledger.rows(current_user, month)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        abort(404)  # (a month that does not exist: as the 双公示 ledger and this ledger's export answer it)
    return render_template("admin/catalog_ledger.html", rows=rows, month=month, changes=ledger.CHANGE_LABELS)


@bp.route("/ledger.xlsx")
@login_required
def catalog_ledger_xlsx():
    month = request.args.get("month") or clock.today_local().strftime("%Y-%m")
    try:
        data = ledger.xlsx(current_user, month)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        abort(404)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=catalog-ledger-{month}.xlsx"})
