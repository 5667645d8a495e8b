"""Login, logout, language; and the organisation's administration pages (units, groups, users)."""
from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import validate_csrf

from app import clock
from app.auth import queries, services, two_factor
from app.auth.forms import GroupForm, LoginForm, PasswordChangeForm, TwoFactorForm, UnitForm, UserForm
from app.auth.models import ADMIN, ROLES, SECURITY_ADMIN
from app.auth.permissions import require_role
from app.auth.services import LoginRefused, authenticate, landing_endpoint
from app.auth.two_factor import TwoFactorRefused
from app.errors import DomainError
from app.extensions import db, limiter
from app.form_errors import commit_or_errors, commit_or_flash
from app.i18n import lazy_gettext as _l
from app.labels import ROLE_LABELS, label
from app.redirects import local_path, local_url
from app.security_log import services as security_log
from forms.fields import choices

bp = Blueprint("auth", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for(landing_endpoint(current_user)))
    return redirect(url_for("auth.login"))


def _safe_next(default: str) -> str:
    return local_path(request.args.get("next"), default)


def _refused(response) -> bool:
    """A login attempt that did not get through (the form shown again, an error): what the per-address limit counts.
    A unit's office logs in behind one address at nine in the morning; its successful logins use none of it."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_refused)
def login():
    if current_user.is_authenticated:
        return redirect(url_for(landing_endpoint(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        previous = None
        try:
            user = authenticate(form.username.data, form.password.data, request.remote_addr)
            previous = user.previous_login
        except LoginRefused as exc:
            security_log.record("login_failed", username=form.username.data or "", address=request.remote_addr)
            db.session.commit()  # the failure count and any lock are kept
            form.password.errors.append(exc.message)
        else:
            db.session.commit()
            _fresh_session()
            if two_factor.required_for(user):  # the password was right; the second factor comes next
                at = clock.as_utc(previous[0]).isoformat() if previous[0] else None
                session["2fa"] = {"uid": user.get_id(), "at": clock.now().timestamp(), "prev": [at, previous[1]],
                                  "next": _safe_next(url_for(landing_endpoint(user)))}
                return redirect(url_for("auth.two_factor_login"))
            return _logged_in(user, previous, _safe_next(url_for(landing_endpoint(user))))
    return render_template("auth/login.html", form=form)


def _fresh_session() -> None:
    lang = session.get("lang")
    session.clear()  # nothing from before the login carries over (session fixation)
    if lang:
        session["lang"] = lang


def _logged_in(user, previous, target: str):
    if current_app.config.get("SINGLE_SESSION"):
        services.end_sessions(user)  # the newest login wins: the user's other sessions end
    security_log.record("login", user, address=request.remote_addr,
                        details={"two_factor": two_factor.required_for(user)})
    db.session.commit()
    login_user(user)
    session["seen"] = clock.now().timestamp()
    if previous[0]:
        at = clock.as_utc(previous[0]) if not isinstance(previous[0], str) else clock.as_utc(datetime.fromisoformat(previous[0]))
        flash(_l("Logged in. Your previous login: %(at)s from %(ip)s.", at=at.astimezone(clock.LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
                 ip=previous[1] or "-"), "info")
    if user.must_change_password:
        return redirect(url_for("auth.change_password"))
    if services.password_expired(user):
        flash(_l("Your password is older than %(n)s days: choose a new one.", n=current_app.config["PASSWORD_MAX_AGE_DAYS"]), "warning")
        user.must_change_password = True
        db.session.commit()
        return redirect(url_for("auth.change_password"))
    return redirect(target)


PENDING_SECONDS = 300


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_refused)
def two_factor_login():
    """The second step of a login: the authenticator's code (or a recovery code); or, for a user who must
    have two-factor login and has not enrolled yet, enrolment now."""
    pending = session.get("2fa")
    user = services.load_session_user(pending["uid"]) if pending else None
    if user is None or not user.active or clock.now().timestamp() - pending["at"] > PENDING_SECONDS:
        session.pop("2fa", None)
        flash(_l("Please log in again."), "warning")
        return redirect(url_for("auth.login"))
    form = TwoFactorForm()
    enrolling = user.totp_secret is None
    secret = two_factor.open_pending(pending.get("secret")) if enrolling else None
    if enrolling and secret is None:
        secret = two_factor.new_secret()
        pending["secret"] = two_factor.seal_pending(secret)
        session["2fa"] = pending
    if form.validate_on_submit():
        try:
            if services.locked_minutes(user):
                raise TwoFactorRefused(_l("Too many wrong passwords: the account is locked for %(n)s more minutes.",
                                          n=services.locked_minutes(user)))
            codes = two_factor.enrol(user, secret, form.code.data) if enrolling else None
            if not enrolling:
                two_factor.verify(user, form.code.data)
            db.session.commit()
        except TwoFactorRefused as exc:
            security_log.record("two_factor_failed", user, address=request.remote_addr)
            db.session.commit()  # the failure count and any lock are kept
            form.code.errors.append(exc.message)
        else:
            session.pop("2fa", None)
            response = _logged_in(user, pending["prev"], pending["next"])
            if codes:
                return render_template("auth/recovery_codes.html", codes=codes, next_url=response.location)
            return response
    uri = two_factor.provisioning_uri(user, secret) if enrolling else None
    return render_template("auth/two_factor.html", form=form, enrolling=enrolling, secret=secret,
                           qr=two_factor.qr_svg_data_uri(uri) if uri else None)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def account_two_factor():
    """Staff who are not required to may still turn on two-factor login for their own account."""
    form = TwoFactorForm()
    if current_user.totp_enabled_at is not None:
        return render_template("auth/two_factor_status.html", left=two_factor.recovery_codes_left(current_user))
    secret = two_factor.open_pending(session.get("2fa_enrol"))
    if secret is None:
        secret = two_factor.new_secret()
        session["2fa_enrol"] = two_factor.seal_pending(secret)
    if form.validate_on_submit():
        try:
            codes = two_factor.enrol(current_user, secret, form.code.data)
            db.session.commit()
        except TwoFactorRefused as exc:
            db.session.rollback()
            form.code.errors.append(exc.message)
        else:
            session.pop("2fa_enrol", None)
            return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for(landing_endpoint(current_user)))
    uri = two_factor.provisioning_uri(current_user, secret)
    return render_template("auth/two_factor.html", form=form, enrolling=True, secret=secret, qr=two_factor.qr_svg_data_uri(uri))


@bp.before_app_request
def _idle_timeout():
    """A session unused for IDLE_TIMEOUT_MINUTES ends (checked without loading the user)."""
    if "_user_id" not in session:
        return None
    now = clock.now().timestamp()
    seen = session.get("seen")
    if seen is not None and now - seen > current_app.config["IDLE_TIMEOUT_MINUTES"] * 60:
        user_id = session["_user_id"].split(".")[0]
        security_log.record("idle_logout", None, key=user_id, entity="user", address=request.remote_addr)
        db.session.commit()
        logout_user()
        _fresh_session()
        flash(_l("You were logged out after %(n)s minutes without activity.", n=current_app.config["IDLE_TIMEOUT_MINUTES"]), "warning")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if seen is None or now - seen > 60:  # (the cookie is rewritten at most once a minute)
        session["seen"] = now
    return None


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.end_sessions(current_user)  # a copied session cookie stops working too
    security_log.record("logout", current_user, address=request.remote_addr)
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
        if not me.check_password(form.current.data or ""):
            locked = services.wrong_current_password(me)
            security_log.record("password_change_failed", me, address=request.remote_addr)
            db.session.commit()  # the failure count and any lock are kept
            if locked:
                logout_user()
                flash(_l("Too many wrong passwords: the account is locked for %(n)s more minutes.",
                         n=services.locked_minutes(me)), "danger")
                return redirect(url_for("auth.login"))
            form.current.errors.append(_l("The current password is wrong."))
        elif commit_or_errors(form, lambda: services.change_password(me, form.current.data, form.new.data, form.confirm.data)):
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
    return redirect(local_url(request.referrer, request.host, url_for("auth.index")))


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
    return render_template("admin/units.html", form=form, unit=unit, units=queries.units(with_liaisons=True), groups=queries.groups())


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


def _account(user_id: int, *roles: str):
    """The account an administrator's POST acts on, after the role and the CSRF token are checked."""
    require_role(current_user, *roles)
    validate_csrf(request.form.get("csrf_token"))
    return queries.user(user_id) or abort(404)


@bp.route("/admin/users/<int:user_id>/reset", methods=["POST"])
@login_required
def reset_password(user_id):
    """The system administrator resets business accounts (users page), the security administrator the
    administrators' accounts (roles and security page)."""
    user = _account(user_id, ADMIN, SECURITY_ADMIN)
    back = url_for("auth.security_users" if current_user.role == SECURITY_ADMIN else "auth.users")
    try:
        password = services.reset_password(current_user, user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(back)
    db.session.commit()
    flash(_l("New password for %(u)s: %(p)s — it is not shown again.", u=user.username, p=password), "warning")
    return redirect(back)


@bp.route("/admin/users/<int:user_id>/reset-two-factor", methods=["POST"])
@login_required
def reset_two_factor(user_id):
    """A user who lost the phone and the recovery codes: the authenticator is removed; the user enrols again
    at the next login (if their role requires it). Recorded."""
    user = _account(user_id, ADMIN, SECURITY_ADMIN)
    back = url_for("auth.security_users" if current_user.role == SECURITY_ADMIN else "auth.users")
    try:
        two_factor.reset(current_user, user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(back)
    db.session.commit()
    flash(_l("Two-factor login of %(u)s was reset: they set it up again at their next login.", u=user.username), "warning")
    return redirect(back)


@bp.route("/admin/security", methods=["GET"])
@login_required
def security_users():
    """The security administrator's page: every account's role, two-factor state and lock."""
    require_role(current_user, SECURITY_ADMIN)
    users = queries.users()
    return render_template("admin/security_users.html", users=users, locked={u.id for u in users if services.locked_minutes(u)},
                           roles=[(r, label(ROLE_LABELS, r)) for r in ROLES],
                           by_role=set(current_app.config.get("TWO_FACTOR_ROLES", ())) if current_app.config.get("TWO_FACTOR", True) else set())


@bp.route("/admin/security/<int:user_id>/role", methods=["POST"])
@login_required
def change_role(user_id):
    user = _account(user_id, SECURITY_ADMIN)
    commit_or_flash(lambda: services.change_role(current_user, user, request.form.get("role", ""), request.form.get("reason", "")), _l("Saved."))
    return redirect(url_for("auth.security_users"))


@bp.route("/admin/security/<int:user_id>/two-factor", methods=["POST"])
@login_required
def require_two_factor(user_id):
    user = _account(user_id, SECURITY_ADMIN)
    commit_or_flash(lambda: services.set_two_factor_required(current_user, user, request.form.get("required") == "1"), _l("Saved."))
    return redirect(url_for("auth.security_users"))


@bp.route("/admin/security/<int:user_id>/unlock", methods=["POST"])
@login_required
def unlock(user_id):
    user = _account(user_id, SECURITY_ADMIN)
    commit_or_flash(lambda: services.unlock(current_user, user), _l("Saved."))
    return redirect(url_for("auth.security_users"))
