"""API errors as JSON: a code, the message in Chinese and English, and the field when one is at fault."""
from flask import jsonify
from flask_babel import force_locale

from app.i18n import lazy_gettext as _l

MESSAGES = {
    "unauthorized": _l("A valid API token is required (Authorization: Bearer …)."),
    "forbidden": _l("This client's scopes do not allow this call."),
    "not_found": _l("Not found."),
    "bad_request": _l("The request is not valid."),
    "rate_limited": _l("Too many calls: slow down and try again in a minute."),
    "conflict": _l("Someone else changed this at the same time. Please try again."),
    "awaiting_approval": _l("This system's access awaits the security administrator's approval (管理 → 对接系统): the token "
                            "works once it is approved."),
    "server_error": _l("Something went wrong. Nothing was saved."),
    "method_not_allowed": _l("This method is not allowed here."),
    "unavailable": _l("The system cannot reach its database at the moment. Nothing you sent was saved."),
}


def _both(message) -> dict:
    out = {}
    for lang in ("zh", "en"):
        with force_locale(lang):
            out[lang] = str(message)
    return out


def error(status: int, code: str, message=None, field: str | None = None, details=None):
    body = {"code": code, "message": _both(message if message is not None else MESSAGES[code])}
    if field:
        body["field"] = field
    if details:
        body["details"] = details
    resp = jsonify(body)
    resp.status_code = status
    return resp


# Marshmallow's own messages (English only), as the message says them in both languages; by their start.
_SCHEMA_REASONS = (
    ("Missing data for required field", _l("it is required")),
    ("Unknown field", _l("no such field")),
    ("Not a valid integer", _l("not a whole number")),
    ("Not a valid number", _l("not a number")),
    ("Not a valid string", _l("not text")),
    ("Not a valid boolean", _l("not true or false")),
    ("Not a valid datetime", _l("not a time (ISO 8601, with its offset)")),
    ("Not a valid date", _l("not a date (YYYY-MM-DD)")),
    ("Not a valid list", _l("not a list")),
    ("Field may not be null", _l("may not be null")),
    ("Must be one of", _l("not one of the values it takes")),
    ("Must be greater than or equal to", _l("out of the range it takes")),
    ("Must be less than or equal to", _l("out of the range it takes")),
    ("Longer than maximum length", _l("too long")),
    ("Shorter than minimum length", _l("too short")),
    ("Length must be between", _l("too short or too long")),
)


def schema_message(field: str | None, messages):
    """The message of a body or query the schema refused: the first field and why, in both languages."""
    first = messages
    while isinstance(first, dict) and first:
        first = next(iter(first.values()))
    text = first[0] if isinstance(first, list) and first and isinstance(first[0], str) else ""
    reason = next((r for start, r in _SCHEMA_REASONS if text.startswith(start)), None)
    if field is None or reason is None:
        return MESSAGES["bad_request"]
    return _l("The request is not valid: %(field)s: %(reason)s.", field=field, reason=reason)

