"""Puts a service's DomainError messages back onto the form fields they name (FlaskBB's pattern)."""
from flask import flash
from wtforms import FieldList, FormField

from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l


def _walk(fields):
    for f in fields:
        yield f
        if isinstance(f, FieldList):
            yield from _walk(f.entries)
        elif isinstance(f, FormField):
            yield from _walk(f.form)


def apply_errors(form, exc) -> None:
    by_name = {f.name: f for f in _walk(form)}
    for field, message in exc.errors:
        target = by_name.get(field) if field else None
        if target is not None:
            if not isinstance(target.errors, list):
                target.errors = list(target.errors)
            target.errors.append(message)
        else:
            flash(message, "danger")


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


def flash_form_errors(form) -> None:
    """For forms whose page is left by a redirect (small forms inside a list page): each field's errors as
    messages, named by the field's label, so the user learns what to correct."""
    for field in _walk(form):
        errors = field.errors if isinstance(field.errors, (list, tuple)) else []
        for message in errors:
            if field.type == "CSRFTokenField":
                continue
            flash(_l("%(field)s: %(message)s", field=field.label.text, message=message), "danger")
