"""Login, logout, language; and the organisation's administration pages (units, groups, users)."""
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import validate_csrf

from app import clock
from app.auth import queries, services
from app.auth.forms import GroupForm, LoginForm, PasswordChangeForm, UnitForm, UserForm
from app.auth.models import ADMIN
from app.auth.permissions import require_role
from app.auth.services import LoginRefused, authenticate, landing_endpoint
from app.extensions import db, limiter
from app.form_errors import commit_or_errors
from app.i18n import lazy_gettext as _l
from forms.fields import choices

bp = Blueprint("auth", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for(landing_endpoint(current_user)))
    return redirect(url_for("auth.login"))


def _safe_next(default: str) -> str:
    nxt = request.args.get("next")
    if not nxt or urlsplit(nxt).netloc or not nxt.startswith("/") or nxt.startswith("//"):
        return default
    return nxt


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for(landing_endpoint(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        previous = None
        try:
            user = authenticate(form.username.data, form.password.data, request.remote_addr)
            previous = (user.last_login_at, user.last_login_ip)
        except LoginRefused as exc:
            db.session.commit()  # the failure count and any lock are kept
            form.password.errors.append(exc.message)
        else:
            db.session.commit()
            lang = session.get("lang")
            session.clear()  # nothing from before the login carries over (session fixation)
            if lang:
                session["lang"] = lang
            login_user(user)
            if previous[0]:
                flash(_l("Logged in. Your previous login: %(at)s from %(ip)s.", at=clock.as_utc(previous[0]).astimezone(clock.LOCAL_TZ).strftime("%Y-%m-%d %H:%M"), ip=previous[1] or "-"), "info")
            if user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(url_for(landing_endpoint(user))))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.end_sessions(current_user)  # a copied session cookie stops working too
    db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_l("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        me = current_user._get_current_object()
        if commit_or_errors(form, lambda: services.change_password(me, form.current.data, form.new.data, form.confirm.data)):
            login_user(me)  # this session continues under the new session version; others end
            flash(_l("Your password has been changed. Other sessions of your account have ended."), "success")
            return redirect(url_for(landing_endpoint(me)))
    elif request.method == "POST":
        flash(_l("Please correct the marked fields."), "danger")
    return render_template("auth/password.html", form=form, forced=current_user.must_change_password)


@bp.route("/lang/<code>")
def set_language(code):
    if code in ("zh", "en"):
        session["lang"] = code
    ref = request.referrer
    if not ref or urlsplit(ref).netloc not in ("", request.host):
        ref = url_for("auth.index")
    return redirect(ref)


# -- administering the organisation (administrators) ----------------------------------------------------
@bp.route("/admin/units", methods=["GET", "POST"])
@bp.route("/admin/units/<int:unit_id>", methods=["GET", "POST"])
@login_required
def units(unit_id=None):
    require_role(current_user, ADMIN)
    unit = queries.unit(unit_id)
    if unit_id and unit is None:
        abort(404)
    form = UnitForm(obj=unit)
    form.liaison_id.choices = choices([(0, _l("— none —"))] + [(u.id, f"{u.full_name}（{u.username}）") for u in services.liaison_candidates(unit_id)])
    if form.validate_on_submit():
        if commit_or_errors(form, lambda: services.save_unit(current_user, unit, form.name.data, form.kind.data, bool(form.active.data),
                                                              form.liaison_id.data or None, form.liaison_phone.data)):
            flash(_l("Saved."), "success")
            return redirect(url_for("auth.units"))
    return render_template("admin/units.html", form=form, unit=unit, units=queries.units(), groups=queries.groups())


@bp.route("/admin/groups/new", methods=["GET", "POST"])
@bp.route("/admin/groups/<int:group_id>", methods=["GET", "POST"])
@login_required
def group(group_id=None):
    require_role(current_user, ADMIN)
    g = queries.group(group_id)
    if group_id and g is None:
        abort(404)
    form = GroupForm(obj=g)
    all_units = queries.units()
    form.lead_unit_id.choices = choices((u.id, u.name) for u in all_units)
    form.member_ids.choices = choices((u.id, u.name) for u in all_units)
    if request.method == "GET" and g:
        form.member_ids.data = [u.id for u in g.members]
    if form.validate_on_submit():
        if commit_or_errors(form, lambda: services.save_group(current_user, g, form.name.data, form.domain.data,
                                                               form.lead_unit_id.data, form.member_ids.data or [])):
            flash(_l("Saved."), "success")
            return redirect(url_for("auth.units"))
    return render_template("admin/group.html", form=form, group=g)


@bp.route("/admin/users", methods=["GET", "POST"])
@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def users(user_id=None):
    require_role(current_user, ADMIN)
    user = queries.user(user_id)
    if user_id and user is None:
        abort(404)
    form = UserForm(obj=user)
    form.unit_id.choices = choices([(0, "—")] + [(u.id, u.name) for u in queries.units()])
    if form.validate_on_submit():
        result = commit_or_errors(form, lambda: services.save_user(current_user, user, form.username.data, form.full_name.data,
                                                                    form.role.data, form.unit_id.data or None, bool(form.active.data)))
        if result:
            saved, password = result
            flash(_l("Saved."), "success")
            if password:
                flash(_l("Initial password for %(u)s: %(p)s — give it to the user; it is not shown again.", u=saved.username, p=password), "warning")
            return redirect(url_for("auth.users"))
    return render_template("admin/users.html", form=form, user=user, users=queries.users())


@bp.route("/admin/users/<int:user_id>/reset", methods=["POST"])
@login_required
def reset_password(user_id):
    require_role(current_user, ADMIN)
    validate_csrf(request.form.get("csrf_token"))
    user = queries.user(user_id) or abort(404)
    password = services.reset_password(current_user, user)
    db.session.commit()
    flash(_l("New password for %(u)s: %(p)s — it is not shown again.", u=user.username, p=password), "warning")
    return redirect(url_for("auth.users"))
