"""Puts a service's DomainError messages back onto the form fields they name (FlaskBB's pattern)."""
import functools

from flask import current_app, flash, request, session
from flask_wtf.csrf import CSRFError, same_origin, validate_csrf
from wtforms import FieldList, FormField
from wtforms.validators import ValidationError

from app.errors import DomainError
from app.extensions import csrf, db
from app.i18n import lazy_gettext as _l


def walk_fields(fields):
    for f in fields:
        yield f
        if isinstance(f, FieldList):
            yield from walk_fields(f.entries)
        elif isinstance(f, FormField):
            yield from walk_fields(f.form)


def apply_errors(form, exc) -> None:
    """The service's reasons on the fields they concern (the rest above the form), and the line above the form that
    says to correct the marked fields, as for a form that did not validate (the page read alike either way)."""
    by_name = {f.name: f for f in walk_fields(form)}
    marked = False
    for field, message in exc.errors:
        target = by_name.get(field) if field else None
        if target is not None:
            if not isinstance(target.errors, list):
                target.errors = list(target.errors)
            target.errors.append(message)
            marked = True
        else:
            flash(message, "danger")
    if marked:
        _flash_once(_l("Please correct the marked fields."))


def commit_or_errors(form, action):
    """The edge of a form submission: run the service call and commit; on a DomainError roll back and put
    its messages on the form. Returns the call's result (True for None), or None when refused."""
    try:
        result = action()
        db.session.commit()
        return result if result is not None else True
    except DomainError as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return None


def commit_or_flash(action, done) -> bool:
    """The edge of a small form on a list page (left by a redirect): run the service call and commit, flashing `done`;
    on a DomainError roll back and flash its message. True when it was saved."""
    try:
        action()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return False
    flash(done, "success")
    return True


def flash_form_errors(form, prefix=None) -> None:
    """For forms whose page is left by a redirect (small forms inside a list page): each field's errors as
    messages, named by the field's label, so the user learns what to correct: one reason each, its validators' last (a number typed
    as "abc" fails the field's own parsing and then its range, which would say the same twice)."""
    for field in walk_fields(form):
        errors = field.errors if isinstance(field.errors, (list, tuple)) else []
        if errors and field.type != "CSRFTokenField":
            named = f"{prefix} · {field.label.text}" if prefix else field.label.text  # (which of a list's forms)
            flash(_l("%(field)s: %(message)s", field=named, message=errors[-1]), "danger")


FORM_EXPIRED_KEPT = _l("The form expired. What you typed is kept below: check it and send it again.")


def csrf_checked_by_form(view):
    """The view's own FlaskForm checks the CSRF token (its csrf_token field is part of validate_on_submit), not the
    global check: a POST whose token expired while a long text was being written then gets the form back with what
    was typed and a new token, instead of a redirect that loses it. Only for views that change nothing unless their
    form validates. The rest of the global check still applies before the view runs: over HTTPS, a POST must come
    from a page of this site (Referer of the same origin, as Flask-WTF's WTF_CSRF_SSL_STRICT requires)."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        _check_referrer()
        return view(*args, **kwargs)

    return csrf.exempt(checked)


def _check_referrer() -> None:
    if request.method not in current_app.config["WTF_CSRF_METHODS"]:
        return
    if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
        if not request.referrer:
            raise CSRFError("The referrer header is missing.")
        if not same_origin(request.referrer, f"https://{request.host}/"):
            raise CSRFError("The referrer does not match the host.")


def csrf_token_valid() -> bool:
    """Whether this POST carries a valid CSRF token (checked positively: a branch that never validates its form has
    no token error to show, which is not the same as a token that held)."""
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def csrf_failed(form) -> bool:
    field = getattr(form, "csrf_token", None)
    return field is not None and bool(field.errors)


def flash_invalid(form) -> None:
    """After a POST whose form did not validate: say why in one line above the form. Errors only on hidden fields
    (which no one types: a page altered or out of date) mark nothing, so they are said as the form's."""
    if csrf_failed(form):
        flash(FORM_EXPIRED_KEPT, "danger")
    elif form.errors and all(getattr(form, name, None) is not None and getattr(form, name).type == "HiddenField"
                             for name in form.errors):
        flash(_l("The form's hidden values were altered or are out of date. What you typed is kept below: check it and "
                 "send it again."), "danger")
    else:
        _flash_once(_l("Please correct the marked fields."))


def _flash_once(message) -> None:
    """A form refused by its own checks and then by the service's (the trigger form runs both) says it once."""
    if any(str(m) == str(message) for _c, m in session.get("_flashes", [])):
        return
    flash(message, "danger")
