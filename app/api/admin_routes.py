"""Administrators' pages for department systems: API clients (create with a token shown once, revoke), recent
calls, and webhook deliveries (pending, delivered, failed; send again)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.api import clients, webhooks
from app.api.models import SCOPES, ApiCall, ApiClient
from app.auth.models import ADMIN, SECURITY_ADMIN, Unit
from app.auth.permissions import require_role
from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l

bp = Blueprint("api_admin", __name__, url_prefix="/admin/api-clients")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    require_role(current_user, ADMIN)
    created = None
    if request.method == "POST":
        try:
            client, token, secret = clients.create(current_user, request.form.get("name", ""), request.form.get("unit_id", type=int),
                                                   request.form.getlist("scopes"), request.form.get("webhook_url"))
            db.session.commit()
            created = {"client": client, "token": token, "secret": secret}
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
    calls = db.session.scalars(select(ApiCall).order_by(ApiCall.id.desc()).limit(50)).all()
    return render_template("admin/api_clients.html", clients=clients.all_clients(), units=units, scopes=SCOPES, created=created,
                           calls=calls, deliveries=webhooks.recent(50), error_words=webhooks.error_words,
                           client_names={c.id: c.name for c in clients.all_clients()})


@bp.route("/<int:client_id>/revoke", methods=["POST"])
@login_required
def revoke(client_id):
    require_role(current_user, ADMIN, SECURITY_ADMIN)
    try:
        held = db.session.get(ApiClient, client_id)
        refused = held is not None and held.pending  # (never approved: refused, not revoked)
        client = clients.revoke(current_user, client_id)
        db.session.commit()
        flash(_l("Client %(name)s not approved: its token will never work.", name=client.name) if refused else
              _l("Client %(name)s revoked: its token no longer works.", name=client.name), "success")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    return redirect(url_for("api_admin.index" if current_user.role == ADMIN else "api_admin.approvals"))


@bp.route("/approvals", methods=["GET"])
@login_required
def approvals():
    """The security administrator's list of clients: those awaiting approval of their access, and the others."""
    require_role(current_user, SECURITY_ADMIN)
    return render_template("admin/api_client_approvals.html", pending=clients.pending_clients(), clients=clients.all_clients())


@bp.route("/<int:client_id>/approve", methods=["POST"])
@login_required
def approve(client_id):
    require_role(current_user, SECURITY_ADMIN)
    try:
        client = clients.approve(current_user, client_id)
        db.session.commit()
        flash(_l("Client %(name)s approved: its token works from now.", name=client.name), "success")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    return redirect(url_for("api_admin.approvals"))


@bp.route("/deliveries/<int:delivery_id>/retry", methods=["POST"])
@login_required
def retry(delivery_id):
    require_role(current_user, ADMIN)
    if webhooks.retry(delivery_id):
        db.session.commit()
        flash(_l("The delivery will be sent again."), "success")
    else:
        flash(_l("Nothing to send again."), "warning")
    return redirect(url_for("api_admin.index", _anchor="deliveries"))
