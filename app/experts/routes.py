"""Expert database pages (office, administrators) and the draw verification page."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.models import Unit
from app.auth.permissions import require_role
from app.errors import DomainError, PermissionDenied
from app.experts import database
from app.experts.forms import ExpertForm, ImportForm, UnavailableForm
from app.experts.models import Draw, Expert
from app.experts.services import REASONS, may_verify, verify, was_invited
from app.extensions import db
from app.form_errors import commit_or_errors, flash_form_errors
from app.i18n import lazy_gettext as _l
from app.pagination import page_number
from app.text_search import normalise
from forms.fields import choices

bp = Blueprint("experts", __name__, url_prefix="/experts")


def _unit_choices():
    units = db.session.scalars(select(Unit).order_by(Unit.id)).all()
    return choices([(0, "—")] + [(u.id, u.name) for u in units])


def _expert_in(form) -> database.ExpertIn:
    return database.ExpertIn(
        name=form.name.data or "", fields=list(form.fields.data or []), affiliation=form.affiliation.data or "",
        affiliated_unit_id=form.affiliated_unit_id.data or None,
        affiliated_subject_code=(form.affiliated_subject_code.data or "").strip() or None,
        contact=form.contact.data or "", active=bool(form.active.data),
    )


@bp.route("/")
@login_required
def index():
    require_role(current_user, *database.MANAGERS)
    q = normalise(request.args.get("q"))
    stmt = select(Expert).order_by(Expert.id)
    if q:
        stmt = stmt.where(Expert.name.contains(q) | Expert.affiliation.contains(q))
    page = db.paginate(stmt, page=page_number(request.args.get("page")), per_page=50, error_out=False)
    return render_template("experts/index.html", page=page)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require_role(current_user, *database.MANAGERS)
    form = ExpertForm()
    form.affiliated_unit_id.choices = _unit_choices()
    if form.validate_on_submit():
        result = commit_or_errors(form, lambda: database.create(current_user, _expert_in(form), form.username.data or None))
        if result:
            expert, password = result
            flash(_l("Expert %(name)s added.", name=expert.name), "success")
            if password:
                flash(_l("Login %(u)s created with the initial password %(p)s — give it to the expert; it is not shown again.",
                         u=form.username.data, p=password), "warning")
            return redirect(url_for("experts.edit", expert_id=expert.id))
    return render_template("experts/edit.html", form=form, expert=None, unavailable_form=None)


@bp.route("/<int:expert_id>", methods=["GET", "POST"])
@login_required
def edit(expert_id):
    require_role(current_user, *database.MANAGERS)
    expert = db.session.get(Expert, expert_id) or abort(404)
    form = ExpertForm(obj=expert)
    form.affiliated_unit_id.choices = _unit_choices()
    if request.method == "GET":
        form.affiliated_unit_id.data = expert.affiliated_unit_id or 0
    if form.validate_on_submit():
        if commit_or_errors(form, lambda: database.update(current_user, expert, _expert_in(form))):
            flash(_l("Saved."), "success")
            return redirect(url_for("experts.edit", expert_id=expert.id))
    return render_template("experts/edit.html", form=form, expert=expert, unavailable_form=UnavailableForm(prefix="u"))


@bp.route("/<int:expert_id>/unavailable", methods=["POST"])
@login_required
def add_unavailable(expert_id):
    require_role(current_user, *database.MANAGERS)
    expert = db.session.get(Expert, expert_id) or abort(404)
    form = UnavailableForm(prefix="u")
    if form.validate_on_submit():
        try:
            database.add_unavailability(current_user, expert, form.start.data, form.end.data, form.reason.data or "")
            db.session.commit()
            flash(_l("Unavailable period added."), "success")
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
    else:
        flash_form_errors(form)
    return redirect(url_for("experts.edit", expert_id=expert.id))


@bp.route("/<int:expert_id>/unavailable/<int:row_id>/delete", methods=["POST"])
@login_required
def remove_unavailable(expert_id, row_id):
    require_role(current_user, *database.MANAGERS)
    expert = db.session.get(Expert, expert_id) or abort(404)
    try:
        database.remove_unavailability(current_user, expert, row_id)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    return redirect(url_for("experts.edit", expert_id=expert.id))


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_experts():
    require_role(current_user, *database.MANAGERS)
    form = ImportForm()
    row_errors = []
    if form.validate_on_submit():
        f = request.files.get(form.file.name)
        try:
            created = database.import_file(current_user, f.filename or "", f.stream.read(database.MAX_FILE_BYTES + 1))
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            row_errors = [str(m) for _f, m in exc.errors]
        else:
            flash(_l("%(n)s experts imported.", n=len(created)), "success")
            return redirect(url_for("experts.index"))
    return render_template("experts/import.html", form=form, row_errors=row_errors)


@bp.route("/draws/<int:draw_id>/verify")
@login_required
def verify_draw(draw_id):
    d = db.session.get(Draw, draw_id) or abort(404)
    if not may_verify(current_user, d):
        if not was_invited(current_user, d):
            abort(404)  # (as a case one may not see: not even whether this draw exists)
        raise PermissionDenied(_l("Only the office, supervisors, administrators and the experts who confirmed they attend may verify a draw."))
    ok, recomputed = verify(d)
    names = {c["id"]: c["name"] for c in d.pool}
    return render_template("experts/verify.html", d=d, ok=ok, recomputed=recomputed, names=names, reasons=REASONS)
