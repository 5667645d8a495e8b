from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from app.i18n import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from app.auth.forms import LoginForm
from app.auth.services import authenticate, landing_endpoint

bp = Blueprint("auth", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for(landing_endpoint(current_user)))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for(landing_endpoint(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is None:
            form.password.errors.append(_l("Wrong username or password, or the account is deactivated."))
        else:
            login_user(user)
            nxt = request.args.get("next")
            if not nxt or urlsplit(nxt).netloc or not nxt.startswith("/"):
                nxt = url_for(landing_endpoint(user))
            return redirect(nxt)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_l("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>")
def set_language(code):
    if code in ("zh", "en"):
        session["lang"] = code
    ref = request.referrer
    if not ref or urlsplit(ref).netloc not in ("", request.host):
        ref = url_for("auth.index")
    return redirect(ref)
