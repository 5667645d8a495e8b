"""A unit's catalog proposals: the list, and the form for a new entry or a revision of one it administers."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.permissions import require_role
from app.cases.services import commit_once, submitted_with
from app.catalog import admin as catalog
from app.catalog import queries as catalog_queries
from app.catalog.forms import ProposalForm
from app.catalog_proposals import services
from app.errors import PermissionDenied
from app.i18n import lazy_gettext as _l
from forms.fields import choices, renew_submission_key, submission_key_of

bp = Blueprint("catalog_proposals", __name__, url_prefix="/catalog-proposals")


@bp.route("/")
@login_required
def index():
    require_role(current_user, *services.PROPOSERS, "office", "admin")
    mine = services.entries_of_unit(current_user.unit_id) if current_user.role in services.PROPOSERS else []
    return render_template("catalog_proposals/index.html", proposals=services.proposals_of(current_user), entries=mine)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require_role(current_user, *services.PROPOSERS)
    entry_id = request.args.get("entry", type=int)
    entry = catalog_queries.entry(entry_id) if entry_id else None
    if entry_id and (entry is None or entry.retired_at is not None):
        abort(404)
    if entry and entry.current_version.admin_unit_id != current_user.unit_id:
        raise PermissionDenied(_l("Your unit may propose revisions of the entries it administers only."))
    data = None
    if request.method == "GET":
        data = vars(catalog.entry_in_from_version(entry.current_version)) if entry else {"admin_unit": current_user.unit.name}
    form = ProposalForm(data=data)
    form.group.choices = choices((n, n) for n in catalog_queries.group_names())
    form.admin_unit.choices = choices([(current_user.unit.name, current_user.unit.name)])
    posted, key = request.method == "POST", submission_key_of(form)
    if posted and (earlier := submitted_with(current_user, key)):  # sent twice: proposed once
        flash(_l("This form was already sent: it made %(number)s.", number=earlier.number), "info")
        return redirect(url_for("cases.detail", case_id=earlier.id))
    if form.validate_on_submit():
        case = commit_once(form, current_user, key, lambda: services.propose(
            current_user, entry.id if entry else None, form.entry_in(), form.reason.data, key))
        if case:
            flash(_l("Proposal %(number)s sent to the office for review.", number=case.number), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    renew_submission_key(form, posted)
    return render_template("catalog_proposals/new.html", form=form, entry=entry)
