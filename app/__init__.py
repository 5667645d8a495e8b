"""Application factory: the composition root.

`create_app` imports the features and wires them together (blueprints, task handlers, hooks). Those
imports are inside the register_* functions on purpose: this module runs first whenever any `app.*`
module is imported, so importing the features here at module level would make every kernel module
(app.clock, app.extensions, ...) drag the whole application in, in an order that cannot work."""
import json
import logging
import re
import time
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, current_app, flash, has_request_context, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.middleware.proxy_fix import ProxyFix

from app import i18n
from app.api.errors import error as api_error
from app.blobs.store import FileUnavailable
from app.db_errors import is_concurrency_error, unavailable_reason
from app.errors import DomainError, NotFound, PermissionDenied
from app.exports import CONTROL as CONTROL_CHARACTER
from app.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
from app.i18n import lazy_gettext as _l
from app.invisible import INVISIBLE, without_invisible
from app.redirects import local_url
from config import DevConfig, ProdConfig

# A control character escaped in a JSON body (raw ones are not valid JSON).
JSON_CONTROL = re.compile(rb"\\u00(0[0-8bcef]|1[0-9a-f]|7f)", re.IGNORECASE)
# A number of more digits than Python converts (4,300) in a JSON body: no field takes one, and the parser would fail
# with a ValueError that no schema reports.
# (matched only where a run of digits starts: searched inside one, a long run would cost quadratic time)
JSON_HUGE_NUMBER = re.compile(rb"(?<![0-9])[0-9]{4301}")
# An escaped UTF-16 surrogate in a JSON body: a pair is a character beyond the BMP (an emoji), a lone one is no
# character at all, which no database text column can hold (see _lone_surrogate).
JSON_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _lone_surrogate(body: bytes) -> bool:
    """Whether a JSON body holds a string (or key) with an unpaired surrogate."""
    if not JSON_SURROGATE.search(body):
        return False
    try:
        doc = json.loads(body)
    except ValueError:
        return False  # (the route refuses a body that is not JSON)
    todo = [doc]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


def create_app(config_class=None) -> Flask:
    config_class = config_class or DevConfig
    if config_class is ProdConfig:
        ProdConfig.check()
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config_class)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_cli(app)
    # Per-task state changes are not our log. Set on each SpiffWorkflow logger itself: it builds the extras of its
    # log records (every task id of the workflow, on each step) whenever the logger's own level is below INFO,
    # whatever its parent's (`logger.level < 20` in SpiffWorkflow.workflow and .task).
    for name in ("spiff", "spiff.workflow", "spiff.task", "spiff.data", "spiff.dmn"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if app.config.get("PROXY_HOPS"):
        # Behind N reverse proxies: the client's address (throttling, logs, the metrics allow list) and scheme
        # come from the X-Forwarded-* headers the proxies set, never from a client.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def _select_locale():
    chosen = session.get("lang") if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (composition root: every model registered before migrations run)
    from app.auth.services import load_session_user  # (composition root, see the module docstring)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "warning"
    # (before CSRF: its check parses the form, which consumes the body this one reads)
    app.before_request(_refuse_undecodable)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    i18n.install(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    _sqlite_pragmas(app)
    _postgres_session(app)
    if app.config.get("DB_PING_AFTER_IDLE_SECONDS") is not None:
        from app.ops import db_liveness  # (composition root, see the module docstring)

        with app.app_context():
            db_liveness.install(db.engine, app.config["DB_PING_AFTER_IDLE_SECONDS"])

    @app.before_request
    def _reject_control_characters():
        # PostgreSQL text cannot hold NUL, a spreadsheet cell or an XML document (PDFs) cannot hold the other
        # control characters, and no legitimate form, query or JSON body contains one (tab and line breaks aside).
        values = [v for vs in (*request.args.listvalues(), *request.form.listvalues()) for v in vs]  # (every value of a key)
        values += [f.filename or "" for vs in request.files.listvalues() for f in vs]
        # (a multipart field that was not UTF-8 arrives with its bad bytes replaced by U+FFFD: refused as well)
        undecoded = request.mimetype == "multipart/form-data" and any("\ufffd" in v for v in values)
        body = request.get_data() if request.is_json else b""
        if (undecoded or any(CONTROL_CHARACTER.search(v) for v in values) or JSON_CONTROL.search(body) or JSON_HUGE_NUMBER.search(body)
                or _lone_surrogate(body)):
            abort(400)
        # Invisible format characters (zero-width spaces, direction overrides) are dropped from every form and query
        # value: text pasted from a word processor carries them, and kept they make a blank "filled" field, a name
        # shown reversed on a public list, or an identity number that slips past a personal-data check.
        if any(INVISIBLE.search(v) for v in values):
            request.form = without_invisible(request.form)
            request.args = without_invisible(request.args)

    @login_manager.user_loader
    def load_user(session_id):
        return load_session_user(session_id)

    @app.before_request
    def _password_must_change_first():
        # An initial or reset password is replaced before anything else is done. (A request without a login in
        # its session, such as an API call with its bearer token, loads no user here.)
        if "_user_id" in session and current_user.is_authenticated and current_user.must_change_password and request.endpoint not in (
                "auth.change_password", "auth.logout", "auth.set_language", "static", "bootstrap.static"):
            return redirect(url_for("auth.change_password"))


def _refuse_undecodable():
    """A query or URL-encoded form that is not UTF-8 once decoded (%ED%A0%80, %FF) is refused: Werkzeug would keep such
    a value as its percent-encoded text, which would then be stored as if typed. (The body read here stays cached:
    the form is parsed from it afterwards.)"""
    if not _utf8(request.query_string) or (
            request.mimetype == "application/x-www-form-urlencoded" and not _utf8(request.get_data(cache=True))):
        abort(400)


def _utf8(encoded: bytes) -> bool:
    """Whether a URL-encoded query or form body decodes to UTF-8 text."""
    try:
        unquote_to_bytes(encoded.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _postgres_session(app: Flask) -> None:
    """Session settings of each new PostgreSQL connection (PG_IO_CONCURRENCY), committed at once so that a first
    transaction rolled back does not undo them. A server that refuses the value (a platform without prefetching)
    keeps its own."""
    level = int(app.config.get("PG_IO_CONCURRENCY") or 0)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") or level <= 0:
        return
    with app.app_context():

        @event.listens_for(db.engine, "connect")
        def _on_connect(dbapi_conn, _record):
            try:
                with dbapi_conn.cursor() as cur:
                    cur.execute(f"SET effective_io_concurrency = {level}")
                dbapi_conn.commit()
            except Exception:  # noqa: BLE001  (the server's setting stands; nothing else was sent on this connection)
                dbapi_conn.rollback()
                logging.getLogger(__name__).warning("PostgreSQL refused effective_io_concurrency = %s", level, exc_info=True)


def _sqlite_pragmas(app: Flask) -> None:
    """WAL and a busy timeout make the embedded SQLite database behave with the in-process scheduler.

    The sqlite3 module begins a transaction only before the first write, so a writer waits (busy timeout)
    for another to finish instead of failing on a stale read snapshot; the version columns catch real
    conflicts. SAVEPOINT does not work that way, so the test suite (which rolls every test back to a
    savepoint) sets SQLITE_EXPLICIT_BEGIN: SQLAlchemy then begins every transaction itself."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():

        explicit_begin = app.config.get("SQLITE_EXPLICIT_BEGIN", False)

        @event.listens_for(db.engine, "connect")
        def _on_connect(dbapi_conn, _record):
            if explicit_begin:
                dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.execute("PRAGMA foreign_keys=ON")
            # A city's worth of cases is a few hundred MB: keep more of it in each connection's page cache
            # (64 MB) and read the file through a memory map, so random lookups (the credit check) stay quick.
            cur.execute("PRAGMA cache_size=-65536")
            cur.execute("PRAGMA mmap_size=268435456")
            cur.close()

        if explicit_begin:

            @event.listens_for(db.engine, "begin")
            def _on_begin(conn):
                conn.exec_driver_sql("BEGIN")


def register_blueprints(app: Flask) -> None:
    """Each feature wires itself into the case runtime (task handlers, hooks, visibility) and registers
    its own blueprint; the layers below (auth, cases, inbox, catalog, calendar, administration) have
    plain blueprints. Nothing is registered by merely importing a module."""
    # (composition root, see the module docstring)
    from app import (
        api,
        catalog_proposals,
        credit,
        data_calls,
        dueprocess,
        experts,
        joint,
        listings,
        public_reports,
        publicity,
        rights,
        supervision,
    )
    from app.admin.routes import bp as admin_bp  # (composition root, see the module docstring)
    from app.admin.security_log_routes import bp as security_log_bp  # (composition root, see the module docstring)
    from app.auth.routes import bp as auth_bp
    from app.cases import hooks
    from app.cases.routes import bp as cases_bp
    from app.catalog.routes import bp as catalog_bp
    from app.ops import register as register_ops  # (composition root, see the module docstring)
    from app.tasks.routes import bp as tasks_bp
    from app.workdays.routes import bp as workdays_bp
    from forms import FORMS

    register_ops(app)  # first: its request id and timing wrap every other handler
    for bp in (auth_bp, cases_bp, tasks_bp, catalog_bp, workdays_bp, admin_bp, security_log_bp):
        app.register_blueprint(bp)
    for feature in (joint, experts, listings, rights, dueprocess, public_reports, catalog_proposals, data_calls, supervision, credit,
                    publicity, api):
        feature.init_app(app)
    # The two registries keyed by form key (task forms, task handlers) must agree.
    handled, forms = hooks.task_form_keys(), set(FORMS)
    if handled != forms:
        raise RuntimeError(f"task forms without handler: {sorted(forms - handled)}; handlers without form: {sorted(handled - forms)}")


# Every asset is served by the app itself (government intranets have no internet), so the policy allows only
# this origin: no inline script, no framing. Style attributes stay allowed for the diagram library's SVG.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(resp):
        h = resp.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if current_app.config.get("SESSION_COOKIE_SECURE"):  # served over HTTPS (production): browsers keep to it
            h.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static" and not (request.endpoint or "").endswith(".static"):
            # Pages carry personal data: not kept by browsers or proxies (also after logout, via Back).
            h["Cache-Control"] = "no-store"
            h["Pragma"] = "no-cache"
        h.pop("Server", None)
        return resp


def register_template_helpers(app: Flask) -> None:
    from app import templating  # (composition root, see the module docstring)

    templating.register(app)


def _error_page(code: int, message, status: int | None = None):
    return render_template("error.html", code=code, message=message), status or code


def register_errorhandlers(app: Flask) -> None:
    bad_values = _l("The request contained characters or values that cannot be accepted.")

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        flash(_l("The form expired or was sent twice. Please try again."), "danger")
        return redirect(local_url(request.referrer, request.host, url_for("tasks.inbox")))

    @app.errorhandler(PermissionDenied)
    def denied(exc):
        return _error_page(403, exc.message)

    @app.errorhandler(NotFound)
    def not_found_domain(exc):
        return _error_page(404, exc.message)

    @app.errorhandler(DomainError)
    def domain_error(exc):
        return _error_page(400, exc.message)

    @app.errorhandler(400)
    def bad_request(exc):
        return _error_page(400, bad_values)

    @app.errorhandler(OverflowError)
    def too_big(exc):
        # An id or number larger than the database holds (SQLite raises this while binding it): in an address, no
        # such page; in a form, a value that cannot be accepted (as PostgreSQL's DataError below).
        db.session.rollback()
        if request.method in ("GET", "HEAD"):
            return _error_page(404, _l("Page not found."))
        return _error_page(400, bad_values)

    @app.errorhandler(DataError)
    def bad_data(exc):
        # PostgreSQL: a value out of range for its column; nothing was saved.
        db.session.rollback()
        return _error_page(400, bad_values)

    @app.errorhandler(403)
    def forbidden(exc):
        return _error_page(403, _l("You may not see this page."))

    def _api_path() -> bool:
        # (an address under the API matching none of its routes: the router answered before any API handler could)
        return request.path == "/api" or request.path.startswith("/api/")

    @app.errorhandler(404)
    def not_found(exc):
        if _api_path():
            return api_error(404, "not_found")
        return _error_page(404, _l("Page not found."))

    @app.errorhandler(405)
    def method_not_allowed(exc):
        if _api_path():
            resp = api_error(405, "method_not_allowed")
        else:
            resp = make_response(_error_page(405, _l("This page cannot be reached this way: open it from the menu or the link on "
                                                     "another page.")))
        resp.headers["Allow"] = ", ".join(sorted(getattr(exc, "valid_methods", None) or ()))  # (HTTP requires it on a 405)
        return resp

    @app.errorhandler(429)
    def too_many(exc):
        # (the limit broken may be an hour's: the page says how long, as the Retry-After header does)
        current = limiter.current_limit
        wait = max(0, current.reset_at - time.time()) if current is not None else 0
        if wait <= 60:
            return _error_page(429, _l("Too many attempts from your address: wait a minute and try again."))
        return _error_page(429, _l("Too many attempts from your address (each submission counts, also one refused for a "
                                   "mistake): try again in %(n)s minutes.", n=max(2, round(wait / 60))))

    @app.errorhandler(413)
    def too_large(exc):
        # (a form without files over the limit is text far longer than any field takes, not an upload)
        mb = lambda n: max(1, round(n / 1024 / 1024))  # noqa: E731
        said = (_l("The upload is too large: the files sent at once may together be at most %(total)s MB (each at most "
                   "%(each)s MB). Go back and send fewer or smaller files (a scan at a lower resolution, or split).",
                   total=mb(app.config["MAX_CONTENT_LENGTH"]), each=mb(app.config["MAX_UPLOAD_BYTES"]))
                if request.mimetype == "multipart/form-data"
                else _l("What was submitted is far longer than any field takes: shorten it and try again."))
        flash(said, "danger")
        return _error_page(413, said)

    @app.errorhandler(FileUnavailable)
    def file_unavailable(exc):
        # Logged by its hash only (no name: file names can name people); nothing damaged is ever sent.
        app.logger.error("stored file %s is %s", exc.sha, "damaged" if exc.damaged else "missing")
        return _error_page(500, _l("This file cannot be opened: it is damaged or missing in storage. The administrators have been told in the log."))

    @app.errorhandler(IntegrityError)
    @app.errorhandler(StaleDataError)
    def concurrent_change(exc):
        """Two requests wrote the same thing at once (the same case's next timeline entry, a row saved meanwhile): the
        later one changes nothing and is told so, not shown a 500."""
        db.session.rollback()
        current_app.logger.warning("concurrent change refused: %s %s: %s", request.method, request.path,
                                   str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200])
        return _error_page(409, _l("Someone else changed this at the same time. Please try again."))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(exc):
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001  (the connection is gone; nothing to roll back)
            pass
        if is_concurrency_error(exc):  # SQLite "database is locked", a PostgreSQL deadlock: another writer, not an outage
            # (it may be any other writer, not someone changing the same thing: a login, a report from the public)
            return _error_page(409, _l("The system was busy saving other work and saved nothing of yours. Please try again."))
        # One line per failed request: an outage must not fill the log with a traceback per page view.
        current_app.logger.warning("database unavailable: %s %s: %s", request.method, request.path, unavailable_reason(exc))
        # Rendered without the context processors: Flask-Login's would load the user from the database.
        page = current_app.jinja_env.get_template("unavailable.html").render(lang=_select_locale())
        return page, 503, {"Retry-After": "60"}

    @app.errorhandler(500)
    def server_error(exc):
        db.session.rollback()
        return _error_page(500, _l("Something went wrong. Nothing was saved."))


def register_cli(app: Flask) -> None:
    from app import cli  # (composition root, see the module docstring)

    cli.register(app)
