"""A database outage: users get a Chinese 503 page that needs no database, and the log gets one line per failed
request (not a traceback). The app is pointed at a database it cannot reach (a file in a missing directory)."""
import logging

import pytest

from app import create_app
from config import TestConfig


@pytest.fixture()
def unreachable_app(tmp_path):
    class Down(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'missing-dir' / 'test.db'}"
        UPLOAD_DIR = str(tmp_path / "uploads")

    return create_app(Down)


@pytest.mark.parametrize("url", ["/login", "/tasks/", "/public/", "/portal/"])
def test_pages_during_an_outage_say_so_in_chinese_without_a_traceback(unreachable_app, url, caplog):
    client = unreachable_app.test_client()
    with caplog.at_level(logging.INFO):
        # A logged-in user's session makes even the login page load the user from the database.
        with client.session_transaction() as sess:
            sess["_user_id"] = "1.0"
        resp = client.get(url)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 503
    assert resp.headers.get("Retry-After")
    assert "系统暂时无法访问数据库" in html
    assert "Traceback" not in html and "OperationalError" not in html
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].exc_info is None and "\n" not in errors[0].getMessage()
    assert "database unavailable" in errors[0].getMessage()


def test_a_post_during_an_outage_gets_the_same_page(unreachable_app):
    unreachable_app.config["WTF_CSRF_ENABLED"] = False
    client = unreachable_app.test_client()
    resp = client.post("/login", data={"username": "office1", "password": "x"})
    assert resp.status_code == 503
    assert "系统暂时无法访问数据库" in resp.get_data(as_text=True)


def test_the_api_during_an_outage_answers_503_in_json(unreachable_app, caplog):
    client = unreachable_app.test_client()
    with caplog.at_level(logging.INFO):
        resp = client.post("/api/v1/checks", headers={"Authorization": "Bearer xl_1_" + "a" * 43},
                           json={"code": "91510400MA6X000108", "matter_type": "licence", "matter_no": "1"})
    assert resp.status_code == 503 and resp.headers.get("Retry-After")
    body = resp.get_json()
    assert body["code"] == "unavailable" and "数据库" in body["message"]["zh"] and body["message"]["en"]
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert errors and all(r.exc_info is None for r in errors), [r.getMessage() for r in errors]


def test_a_lost_connection_during_a_query_naming_a_locked_column_is_an_outage_not_a_conflict():
    """Fault campaign: PostgreSQL went away while the user's row (its locked_until column) was read; the error's text,
    which carries the statement, said "locked", and the request was answered as a conflict (then, its page failing to
    load the user, a bare 500). Only SQLite's own "database is locked" is a conflict."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from app.db_errors import is_concurrency_error

    class ServerGone(Exception):
        __module__ = "psycopg"

    lost = OperationalError('SELECT "user".locked_until FROM "user"', {}, ServerGone("server closed the connection unexpectedly"))
    busy = OperationalError('SELECT "user".locked_until FROM "user"', {}, sqlite3.OperationalError("database is locked"))
    assert not is_concurrency_error(lost) and is_concurrency_error(busy)
