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
