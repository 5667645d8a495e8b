"""Files sent with a form that is refused stay for its next submission (a browser cannot refill a file input): the
web side of cases.attachments' staging, shared by every form with file fields (the trigger, the portal's requests,
the task forms)."""
from flask import g, request
from flask_login import current_user

from app.cases.attachments import keep_for_resubmission, take_staged, uploads_from
from app.extensions import db
from app.form_errors import csrf_token_valid


def files_sent(field: str) -> list:
    """A file field's uploads: those kept from the sender's earlier refused submission (taken in this transaction)
    and the new ones. A file chosen again although it was kept (same name, same content) counts once."""
    kept = take_staged(current_user, request.form.getlist(f"staged-{field}"), field)
    seen = {(u.filename, u.data) for u in kept}
    return kept + [u for u in new_uploads(field) if (u.filename, u.data) not in seen]


def new_uploads(field: str) -> list:
    """The request's files of a field, read once (kept on `g`: a refused submission stages the same files)."""
    read = g.setdefault("uploads_read", {})
    if field not in read:
        read[field] = uploads_from(request.files.getlist(field), field)
    return read[field]


def kept_for(form, fields) -> dict:
    """The form goes back to its sender refused: per file field, the files sent so far are kept for the next
    submission, listed with a box to drop each (`kept_files` in _macros.html). Only from a form whose CSRF token held
    (a page on another site must not store files in a user's name). Commits the staging."""
    if request.method != "POST" or not csrf_token_valid():
        return {}
    out = {}
    for name in fields:
        out[name], problems = keep_for_resubmission(current_user, request.form.getlist(f"staged-{name}"), new_uploads(name))
        field = getattr(form, name)
        field.errors = list(field.errors) + [p for p in problems if p not in field.errors]
    db.session.commit()
    return out
