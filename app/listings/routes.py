"""Pages for departments' own red and black lists: upload (all rows checked, all or nothing), the template, and
the imports the reader's unit may see."""
import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.auth.models import ADMIN, OFFICE
from app.auth.permissions import require_role
from app.cases import queries as case_queries
from app.cases.access import case_visibility_clause
from app.cases.attachments import uploads_from
from app.cases.models import Case, CaseSubject
from app.cases.routes import detail_with_draft
from app.catalog.models import CatalogEntry
from app.enums import CaseKind
from app.errors import DomainError
from app.exports import XLSX
from app.extensions import db
from app.form_errors import commit_or_errors
from app.i18n import lazy_gettext as _l
from app.listings import imports, retired_basis, withdrawal
from app.listings.forms import DepartmentListForm, EndListingForm, RetiredBasisForm

bp = Blueprint("department_lists", __name__, url_prefix="/lists/department")
staff_bp = Blueprint("listing_end", __name__)


def _imports(actor) -> list[tuple[Case, int]]:
    """The latest 100 imports the actor may see, each with its number of subjects (counted by the database: an import
    holds up to thousands of rows, and loading them to count cost a query and every row per import)."""
    subjects = (select(func.count()).where(CaseSubject.case_id == Case.id).correlate(Case).scalar_subquery())
    stmt = (select(Case, subjects).where(Case.kind == CaseKind.DEPARTMENT_LIST)
            .order_by(Case.created_at.desc(), Case.id.desc()).limit(100))
    clause = case_visibility_clause(actor, Case.id)
    if clause is not None and clause is not False:
        stmt = stmt.where(clause)
    return [(c, n) for c, n in db.session.execute(stmt)]


@bp.route("/", methods=["GET", "POST"])
@login_required
def upload():
    require_role(current_user, *imports.UPLOADERS)
    form, problems = DepartmentListForm(), []
    if form.validate_on_submit():
        files = uploads_from(request.files.getlist("file"), "file")
        try:
            if not files:
                raise DomainError(_l("Choose a file."), "file")
            made = imports.import_list(current_user, files[0].filename, files[0].data)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            problems = [str(m) for f, m in exc.errors if not f]  # row by row, shown as one list
            form.file.errors = [str(m) for f, m in exc.errors if f]
        else:
            rows = db.session.scalar(select(func.count()).where(CaseSubject.case_id.in_([c.id for c in made])))
            flash(_l("%(n)s rows imported: the units applying the measures have been told.", n=rows), "success")
            return redirect(url_for("cases.detail", case_id=made[0].id) if len(made) == 1 else url_for("department_lists.upload"))
    return render_template("listings/department_lists.html", form=form, problems=problems, imports=_imports(current_user),
                           columns=imports.COLUMNS)


@bp.route("/template.xlsx")
@login_required
def template():
    require_role(current_user, *imports.UPLOADERS)
    return send_file(io.BytesIO(imports.template()), mimetype=XLSX, as_attachment=True, download_name="department-list-template.xlsx")


@staff_bp.route("/cases/<int:case_id>/listings/end", methods=["POST"])
@login_required
def end_listing(case_id):
    """The deciding body ends one subject's listing early (listings.withdrawal), from the case page."""
    case_queries.get_case(current_user, case_id)  # (a case the user may not see is no such case)
    form = EndListingForm()
    typed = {"listing_id": form.listing_id.data, "way": form.way.data, "reasons": form.reasons.data}
    if not form.validate_on_submit():
        for message in (m for errors in form.errors.values() for m in errors):
            flash(message, "danger")
        return detail_with_draft(case_id, "listing-end", typed)
    try:
        listing = withdrawal.end(current_user, case_id, form.listing_id.data, form.way.data, form.reasons.data,
                                 uploads_from(request.files.getlist("files")))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        for _field, message in exc.errors:
            flash(message, "danger")
        return detail_with_draft(case_id, "listing-end", typed)
    flash(_l("The listing of %(name)s has ended; the units applying its measures have been told to lift them.",
             name=listing.subject.name), "success")
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="listings"))


@staff_bp.route("/catalog/<int:entry_id>/listings", methods=["GET", "POST"])
@login_required
def retired_entry_listings(entry_id):
    """The listings in force under a catalog entry: after the entry is retired, the office ends them here
    (listings.retired_basis); the catalog's managers see them."""
    require_role(current_user, OFFICE, ADMIN)
    entry = db.session.get(CatalogEntry, entry_id) or abort(404)
    form = RetiredBasisForm()
    if request.method == "POST":
        require_role(current_user, OFFICE)
        out = form.validate_on_submit() and commit_or_errors(form, lambda: retired_basis.end_all(
            current_user, entry.id, form.reasons.data, uploads_from(request.files.getlist("files"))))
        if out:
            flash(_l("%(n)s listings ended; the units applying their measures have been told to lift them.",
                     n=len(out.ended)), "success")
            if out.held:
                flash(_l("%(n)s listings were kept: their subjects' objection or repair applications are being handled "
                         "(%(nos)s); end them once those are decided.", n=len(out.held),
                         nos="、".join(r.number for _lst, r in out.held)), "warning")
            if out.left:
                flash(_l("%(n)s more listings are in force under this entry: submit again to end them.", n=out.left), "warning")
            return redirect(url_for("listing_end.retired_entry_listings", entry_id=entry.id))
    listings = retired_basis.in_force(entry.id)
    return render_template("listings/retired_basis.html", entry=entry, form=form, listings=listings,
                           pending=retired_basis.requests_open(listings),
                           total=retired_basis.count_in_force(entry.id), shown=retired_basis.SHOWN, batch=retired_basis.BATCH,
                           elsewhere=retired_basis.count_resting_elsewhere(entry.id))
