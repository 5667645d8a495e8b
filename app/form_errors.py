"""Puts a service's DomainError messages back onto the form fields they name (FlaskBB's pattern)."""
from flask import flash
from wtforms import FieldList, FormField


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
