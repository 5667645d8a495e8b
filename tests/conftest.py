"""Fixtures: one app and schema per test session (built by the real Alembic migrations), every table
emptied between tests, the demo organisation and catalog as factory data, and a controllable clock."""
import logging
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
import time_machine
from flask import g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FSASession
from sqlalchemy import select, text

from app import create_app
from app.auth.models import User
from app.extensions import db
from app.ops.logs import JsonFormatter
from config import TestConfig, is_test_database

KEEP = {"process_version", "alembic_version"}


def _compile_translations():
    """The .mo files are build output; compile them so pytest alone (not only make test) sees Chinese."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (Path(__file__).parent.parent / "app" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as f:
                catalog = read_po(f)
            with mo.open("wb") as f:
                write_mo(f, catalog)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    _compile_translations()
    base = tmp_path_factory.mktemp("xinlian")

    class Cfg(TestConfig):
        UPLOAD_DIR = str(base / "uploads")
        if not os.environ.get("TEST_DATABASE_URL"):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{base / 'test.db'}"

    # The suite drops the schema and empties tables: never on a database that is not a test database.
    if not is_test_database(Cfg.SQLALCHEMY_DATABASE_URI):
        pytest.exit(
            "Refusing to run: TEST_DATABASE_URL must name a database whose name contains 'test' "
            "(the suite empties it).", returncode=4,
        )
    app = create_app(Cfg)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":  # a clean schema every run (SQLite gets a new file)
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(Path(app.root_path).parent / "migrations"))
        from app.cli import deploy_processes

        deploy_processes()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # close pooled connections before interpreter exit (ResourceWarning otherwise)


def _empty_tables():
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:  # the pragma only works outside a transaction: on the driver connection, before BEGIN
        raw = db.engine.raw_connection()
        try:
            raw.execute("PRAGMA foreign_keys=OFF")
            raw.execute("BEGIN")
            for t in tables:
                raw.execute(f'DELETE FROM "{t.name}"')
            raw.execute("COMMIT")
            raw.execute("PRAGMA foreign_keys=ON")
        finally:
            raw.close()


_fsa_get_bind = FSASession.get_bind


def _get_bind(self, mapper=None, clause=None, bind=None, **kw):
    """Flask-SQLAlchemy picks the app's engine by bind key; inside a test, use the test's connection."""
    if bind is None and self.bind is not None:
        return self.bind
    return _fsa_get_bind(self, mapper, clause, bind, **kw)


FSASession.get_bind = _get_bind


# The read models kept in step by flush listeners (app/cases/access_sync.py, search_sync.py), as their sources
# give them: every test ends by comparing them, so any path that adds cases, subjects or units, or moves a status,
# is checked, not only the paths a read-model test thought of.
READ_MODELS = {
    "case_search": (
        "SELECT case_id, subject_id, created_at, text FROM case_search",
        'SELECT id, NULL, created_at, title FROM "case" UNION ALL SELECT cs.case_id, cs.subject_id, c.created_at, '
        's.name FROM case_subject cs JOIN "case" c ON c.id = cs.case_id JOIN subject s ON s.id = cs.subject_id',
    ),
    "case_access": (
        "SELECT unit_id, case_id, created_at, status, kind FROM case_access",
        'SELECT DISTINCT cu.unit_id, c.id, c.created_at, c.status, c.kind FROM case_unit cu JOIN "case" c ON c.id = cu.case_id',
    ),
}


def _check_read_models(conn) -> None:
    from sqlalchemy.exc import DBAPIError

    for name, (actual, expected) in READ_MODELS.items():
        try:
            counts = conn.execute(text(f"SELECT (SELECT count(*) FROM ({actual}) a), (SELECT count(*) FROM ({expected}) e), "
                                       f"(SELECT count(*) FROM ({actual} EXCEPT SELECT * FROM ({expected}) e2) x), "
                                       f"(SELECT count(*) FROM (SELECT * FROM ({expected}) e3 EXCEPT {actual}) y)")).one()
        except DBAPIError:  # (a transaction the test left failed: nothing to compare)
            return
        assert counts[0] == counts[1] and counts[2] == counts[3] == 0, (
            f"{name} is out of step with its sources (rows, expected rows, extra, missing): {tuple(counts)}")


@pytest.fixture
def ctx(app, request):
    """An app context whose database work is rolled back after the test: the session runs inside an outer
    transaction and every commit the code under test makes is a savepoint within it. Tests that need real
    commits across connections (threads racing for one task) are marked `real_commits`; the tables are
    emptied after them instead."""
    with app.app_context():
        if request.node.get_closest_marker("real_commits"):
            try:
                yield app
                db.session.rollback()
                with db.engine.connect() as check:
                    _check_read_models(check)
            finally:
                db.session.rollback()
                db.session.remove()
                _empty_tables()
            return
        conn = db.engine.connect()
        outer = conn.begin()
        db.session.remove()
        db.session.configure(bind=conn, join_transaction_mode="create_savepoint")
        try:
            yield app
            db.session.remove()
            if outer.is_active:
                _check_read_models(conn)
        finally:
            db.session.remove()
            db.session.configure(bind=None, join_transaction_mode="conditional_savepoint")
            outer.rollback()
            conn.close()


_DEMO_HASH = {}


@pytest.fixture
def org(ctx, monkeypatch):
    """The demo organisation and catalog (units, groups, users of every role, five catalog entries)."""
    from werkzeug.security import generate_password_hash

    from app.demo import DEMO_PASSWORD, load_organisation_and_catalog

    # Hash the shared demo password once per session, not once per user per test (scrypt is slow).
    if not _DEMO_HASH:
        _DEMO_HASH["h"] = generate_password_hash(DEMO_PASSWORD)
    monkeypatch.setattr(User, "set_password", lambda self, pw: setattr(self, "password_hash", _DEMO_HASH["h"]))
    load_organisation_and_catalog()
    db.session.commit()
    return ctx


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


@pytest.fixture
def clock():
    """A clock the test moves: starts on a Monday morning in Shanghai (2026-11-23 09:00 +08:00)."""
    with time_machine.travel(datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc), tick=False) as traveller:
        yield traveller


class IsolatedClient(FlaskClient):
    """Tests hold one app context for database access; Flask reuses it for the requests they make, so
    per-request state cached on `g` (logged-in user, CSRF token, locale) is cleared before each request,
    as a real server's fresh app context would be."""

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, ctx):
    app.test_client_class = IsolatedClient
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "page has no CSRF token"
    return m.group(1) or m.group(2)


def login(client, username, password="demo1234"):
    page = client.get("/login").get_data(as_text=True)
    resp = client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_from(page)})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return resp


# -- No personal data in any log line (issue 19): every record logged during the run is kept, formatted as in
# production, and scanned at the end; a leak fails the run and names the line.
class _LogCollector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        try:
            self.lines.append(JsonFormatter().format(record))
        except Exception:  # noqa: BLE001  (a record that cannot be formatted is still scanned)
            self.lines.append(str(record.msg))


_LOGS = _LogCollector()
_NOT_ALNUM_BEFORE, _NOT_ALNUM_AFTER = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"
PERSONAL = [
    ("identity number", re.compile(_NOT_ALNUM_BEFORE + r"[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{5}[\dXx]" + _NOT_ALNUM_AFTER)),
    ("credit code", re.compile(_NOT_ALNUM_BEFORE + r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}" + _NOT_ALNUM_AFTER)),
    ("access code", re.compile(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}")),
]


def pytest_configure(config):
    logging.getLogger().addHandler(_LOGS)


def personal_data_in(lines) -> list[tuple[str, str]]:
    from tests.helpers import COMPANY, COMPANY2, PERSON

    names = [s[1] for s in (COMPANY, COMPANY2, PERSON)]
    leaks = []
    for line in lines:
        what = next((w for w, pattern in PERSONAL if pattern.search(line)), None) or next(
            ("name" for n in names if n in line), None)
        if what:
            leaks.append((what, line))
    return leaks


def pytest_sessionfinish(session, exitstatus):
    leaks = personal_data_in(_LOGS.lines)
    if leaks:
        print(f"\n{len(leaks)} log line(s) carry personal data (identity numbers, credit codes, access codes, names):")
        for what, line in leaks[:20]:
            print(f"  [{what}] {line[:400]}")
        session.exitstatus = 1
