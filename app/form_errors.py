"""Puts a service's DomainError messages back onto the form fields they name (FlaskBB's pattern)."""
from flask import flash
from wtforms import FieldList, FormField

from app.errors import DomainError
from app.extensions import db


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
