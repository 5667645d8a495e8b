"""Logs as JSON lines. Each request gets an id (a caller's well-formed X-Request-ID is kept, else a new one),
returned in the response header and written on one line with the user id, endpoint, status and duration.
No line carries an identity number, a name or an access code: requests are logged by endpoint (never by
path or query string) and the user by id."""
import json
import logging
import re
import time
import uuid
from datetime import datetime, timezone

from flask import g, has_request_context, request
from sqlalchemy import inspect as sa_inspect

from app.ops import metrics

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
request_log = logging.getLogger("xinlian.request")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if has_request_context() and "request_id" in g:  # any line logged while a request is handled
            out["request_id"] = g.request_id
        out.update(getattr(record, "fields", {}))
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure(app) -> None:
    handler = logging.StreamHandler()
    if app.config.get("LOG_FORMAT", "json") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    # One handler of ours on the root logger (an app created twice in a process must not log twice).
    for old in [h for h in root.handlers if getattr(h, "_xinlian", False)]:
        root.removeHandler(old)
    handler._xinlian = True
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the embedded server's own access lines
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # "job ran" twice a second; failures still show

    @app.before_request
    def _start():
        _identify()
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(resp):
        if "request_id" not in g:  # (refused before our hook ran — a control character, an upload too large — logged too)
            _identify()
        resp.headers["X-Request-ID"] = g.request_id
        took = time.perf_counter() - g.request_started if "request_started" in g else 0.0
        user = _user_id(g.get("_login_user"))  # only if this request already loaded its user: no query for logging
        request_log.info("request", extra={"fields": {
            "request_id": g.request_id, "method": request.method, "endpoint": request.endpoint or "-", "status": resp.status_code,
            "duration_ms": round(took * 1000, 1), "user_id": user}})
        metrics.observe(request.endpoint or "-", request.method, resp.status_code, took)
        return resp


def _identify() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _user_id(user) -> int | None:
    """The id of the request's user as loaded, without a query: after the request's commit the row is expired,
    and reading `user.id` would refresh it (a transaction and a SELECT after the response was made)."""
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    if state is None:  # nobody logged in (or not a mapped user)
        return getattr(user, "id", None)
    return state.identity[0] if state.identity else None
