"""Two-factor login and idle timeout (issue 20): TOTP with a clock the test moves, single-use codes, recovery
codes, voluntary enrolment, the administrator's reset, and production refusing the demo's "off" setting."""
import json
import re
from datetime import timedelta

import pyotp
import pytest

from app import clock as app_clock
from app.auth.models import RecoveryCode
from app.extensions import db
from app.ops.production import unsafe
from tests.conftest import csrf_from, login, user


@pytest.fixture
def two_factor_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR", True)


def _code(secret, shift=timedelta()):
    return pyotp.TOTP(secret).at(app_clock.now() + shift)


def _second_step(client, code):
    page = client.get("/login/two-factor").get_data(as_text=True)
    return client.post("/login/two-factor", data={"csrf_token": csrf_from(page), "code": code})


def _session_cookie(client) -> str:
    """The session as anyone holding the cookie could read it (signed, not encrypted)."""
    app = client.application
    return json.dumps(app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value))


def _enrol(client, username):
    login(client, username)
    page = client.get("/login/two-factor").get_data(as_text=True)
    assert "data:image/svg+xml;base64," in page  # the QR code, made here (no outside service)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    # The secret being enrolled waits in the session sealed, and the page shows the same one again.
    assert secret not in _session_cookie(client) and "sm4gcm:" in _session_cookie(client)
    page = client.get("/login/two-factor").get_data(as_text=True)
    assert re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1) == secret
    resp = client.post("/login/two-factor", data={"csrf_token": csrf_from(page), "code": "000000"})
    assert "代码不正确" in resp.get_data(as_text=True) or "不匹配" in resp.get_data(as_text=True)
    resp = client.post("/login/two-factor", data={"csrf_token": csrf_from(page), "code": _code(secret)})
    html = resp.get_data(as_text=True)
    codes = re.findall(r"<li>([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})</li>", html)
    assert resp.status_code == 200 and len(codes) == 10
    return secret, codes


def test_a_supervisor_must_enrol_then_logs_in_with_the_code(client, org, clock, two_factor_on):
    resp = login(client, "supervisor1")
    assert resp.headers["Location"].endswith("/login/two-factor")
    assert client.get("/supervision/").status_code == 302  # not logged in before the second factor
    secret, codes = _enrol(client, "supervisor1")
    assert client.get("/supervision/").status_code == 200
    u = user("supervisor1")
    assert u.totp_enabled_at is not None and db.session.query(RecoveryCode).filter_by(user_id=u.id).count() == 10
    assert all(c not in rc.code_hash for rc in db.session.query(RecoveryCode) for c in codes)  # stored hashed

    client.post("/logout", data={"csrf_token": csrf_from(client.get("/supervision/").get_data(as_text=True))})
    clock.shift(timedelta(minutes=2))
    login(client, "supervisor1")
    # A code from two minutes ago (outside the allowed drift) is refused; the current one is accepted once.
    assert _second_step(client, _code(secret, -timedelta(minutes=2))).status_code == 200
    assert client.get("/supervision/").status_code == 302
    assert _second_step(client, _code(secret)).status_code == 302
    assert client.get("/supervision/").status_code == 200


def test_a_code_is_accepted_once_and_a_recovery_code_once(client, org, clock, two_factor_on):
    secret, codes = _enrol(client, "office1")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/tasks/").get_data(as_text=True))})
    login(client, "office1")
    used = _code(secret)
    resp = _second_step(client, used)  # the enrolment already used this time step: a replay
    assert resp.status_code == 200 and client.get("/tasks/").status_code == 302
    assert _second_step(client, codes[0]).status_code == 302  # a recovery code
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/tasks/").get_data(as_text=True))})
    login(client, "office1")
    assert _second_step(client, codes[0]).status_code == 200  # spent
    assert _second_step(client, codes[1]).status_code == 302


def test_the_pending_second_step_expires(client, org, clock, two_factor_on):
    secret, _codes = _enrol(client, "supervisor1")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/supervision/").get_data(as_text=True))})
    login(client, "supervisor1")
    token = csrf_from(client.get("/login/two-factor").get_data(as_text=True))
    clock.shift(timedelta(minutes=6))
    resp = client.post("/login/two-factor", data={"csrf_token": token, "code": _code(secret)})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
    assert client.get("/supervision/").status_code == 302


def test_other_staff_log_in_with_a_password_and_may_enrol(client, org, clock, two_factor_on):
    resp = login(client, "market_cw")
    assert "/login/two-factor" not in resp.headers["Location"]
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert secret not in _session_cookie(client) and "sm4gcm:" in _session_cookie(client)
    html = client.post("/account/two-factor", data={"csrf_token": csrf_from(page), "code": _code(secret)}).get_data(as_text=True)
    assert len(re.findall(r"<li>[0-9a-f]{4}-", html)) == 10
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/tasks/").get_data(as_text=True))})
    clock.shift(timedelta(minutes=1))
    assert login(client, "market_cw").headers["Location"].endswith("/login/two-factor")
    assert _second_step(client, _code(secret)).status_code == 302


def test_an_administrator_resets_a_lost_authenticator(client, org, clock, two_factor_on):
    _enrol(client, "office1")
    admin = client.application.test_client()
    # (the security administrator has not enrolled yet: the two-factor step is enrolment)
    _enrol(admin, "secadmin")
    page = admin.get("/admin/security").get_data(as_text=True)
    office = user("office1")
    admin.post(f"/admin/users/{office.id}/reset-two-factor", data={"csrf_token": csrf_from(page)})
    db.session.expire_all()
    assert user("office1").totp_secret is None
    assert client.get("/tasks/").status_code == 302  # the office user's sessions ended
    login(client, "office1")
    assert "data:image/svg+xml" in client.get("/login/two-factor").get_data(as_text=True)  # enrols again


def test_no_one_administrator_resets_both_the_password_and_the_authenticator_of_another(client, org, clock, two_factor_on):
    """三员分立: the security administrator resets the auditor's password, so the system administrator (not they)
    resets the auditor's authenticator; otherwise one of them could log in as the auditor."""
    auditor = client.application.test_client()
    _enrol(auditor, "auditor")
    sec = client.application.test_client()
    _enrol(sec, "secadmin")
    page = sec.get("/admin/security").get_data(as_text=True)
    target = user("auditor")
    assert f"/admin/users/{target.id}/reset-two-factor" not in page
    sec.post(f"/admin/users/{target.id}/reset-two-factor", data={"csrf_token": csrf_from(page)})
    db.session.expire_all()
    assert user("auditor").totp_secret is not None
    sysadmin = client.application.test_client()
    _enrol(sysadmin, "admin")
    page = sysadmin.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{target.id}/reset-two-factor" in page
    sysadmin.post(f"/admin/users/{target.id}/reset-two-factor", data={"csrf_token": csrf_from(page)})
    db.session.expire_all()
    assert user("auditor").totp_secret is None
    office = user("office1")  # a business account's authenticator stays the security administrator's to reset
    _enrol(client, "office1")
    sysadmin.post(f"/admin/users/{office.id}/reset-two-factor", data={"csrf_token": csrf_from(page)})
    db.session.expire_all()
    assert user("office1").totp_secret is not None


def test_the_security_administrator_requires_two_factor_login_of_one_caseworker(client, org, clock, two_factor_on):
    import sqlalchemy as sa

    from app.security_log.models import SecurityEvent

    cw = user("market_cw")
    sysadmin = client.application.test_client()
    _enrol(sysadmin, "admin")
    page = sysadmin.get("/admin/users").get_data(as_text=True)
    assert sysadmin.post(f"/admin/security/{cw.id}/two-factor", data={"csrf_token": csrf_from(page), "required": "1"}).status_code == 403
    sec = client.application.test_client()
    _enrol(sec, "secadmin")
    page = sec.get("/admin/security").get_data(as_text=True)
    sec.post(f"/admin/security/{cw.id}/two-factor", data={"csrf_token": csrf_from(page), "required": "1"})
    db.session.expire_all()
    assert user("market_cw").two_factor_required
    assert db.session.scalar(sa.select(SecurityEvent).where(SecurityEvent.kind == "admin_action")
                             .order_by(SecurityEvent.seq.desc())).details["action"] == "two_factor_policy"
    assert login(client, "market_cw").headers["Location"].endswith("/login/two-factor")  # enrols at the next login
    assert "data:image/svg+xml" in client.get("/login/two-factor").get_data(as_text=True)
    # the authenticator's secret is kept sealed, never as the text shown for enrolment
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', client.get("/login/two-factor").get_data(as_text=True)).group(1)
    client.post("/login/two-factor", data={"csrf_token": csrf_from(client.get("/login/two-factor").get_data(as_text=True)),
                                           "code": _code(secret)})
    raw = db.session.execute(sa.text('SELECT totp_secret FROM "user" WHERE id = :i'), {"i": cw.id}).scalar()
    assert raw.startswith("sm4gcm:") and secret not in raw


def test_an_idle_session_ends_after_thirty_minutes(client, org, clock):
    login(client, "market_cw")
    clock.shift(timedelta(minutes=29))
    assert client.get("/tasks/").status_code == 200  # activity: the idle time starts again
    clock.shift(timedelta(minutes=29))
    assert client.get("/tasks/").status_code == 200
    clock.shift(timedelta(minutes=31))
    resp = client.get("/tasks/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "30 分钟" in page or "30分钟" in page
    assert client.get("/tasks/").status_code == 302


def test_production_refuses_the_demo_setting(monkeypatch):
    problems = unsafe({"SQLALCHEMY_DATABASE_URI": "postgresql://x", "TWO_FACTOR": False, "DATA_KEY_PROVIDER": "k:k"}, 4, {"SECRET_KEY": "k" * 40})
    assert any("Two-factor" in p for p in problems)
    from config import ProdConfig

    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("XINLIAN_TWO_FACTOR", "0")
    with pytest.raises(RuntimeError, match="two-factor"):
        ProdConfig.check()


def _change_password(client, current, new):
    page = client.get("/account/password").get_data(as_text=True)
    return client.post("/account/password", data={"csrf_token": csrf_from(page), "current": current, "new": new,
                                                   "confirm": new})


def test_an_old_password_must_be_replaced_and_recent_ones_are_not_reused(app, client, org, clock, monkeypatch):
    from werkzeug.security import generate_password_hash

    from app.auth.models import User

    monkeypatch.setitem(app.config, "PASSWORD_MAX_AGE_DAYS", 90)
    # (the org fixture stores one shared hash for speed; this test needs real ones)
    monkeypatch.setattr(User, "set_password", lambda self, pw: setattr(self, "password_hash", generate_password_hash(pw)))
    user("market_cw").password_changed_at = app_clock.now()  # (set today, on the test's clock)
    db.session.commit()
    assert login(client, "market_cw").headers["Location"].endswith("/tasks/")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/tasks/").get_data(as_text=True))})
    clock.shift(timedelta(days=91))
    resp = login(client, "market_cw")
    assert resp.headers["Location"].endswith("/account/password")
    assert "90" in client.get("/account/password").get_data(as_text=True)
    assert client.get("/tasks/").status_code == 302  # nothing else until it is changed
    assert _change_password(client, "demo1234", "Neues-Passwort-2026").status_code == 302
    assert client.get("/tasks/").status_code == 200  # (the session goes on after a change)
    r = _change_password(client, "Neues-Passwort-2026", "Zweites-Passwort-2026")
    assert r.status_code == 302, re.findall(r"invalid-feedback[^>]*>([^<]+)", r.get_data(as_text=True))
    assert _change_password(client, "Zweites-Passwort-2026", "Drittes-Passwort-2026").status_code == 302
    html = _change_password(client, "Drittes-Passwort-2026", "Neues-Passwort-2026").get_data(as_text=True)
    assert "最近" in html  # one of the last five: refused
    db.session.expire_all()
    assert user("market_cw").check_password("Drittes-Passwort-2026")


def test_the_security_page_offers_the_requirement_per_account(client, org, clock):
    login(client, "secadmin")
    page = client.get("/admin/security").get_data(as_text=True)
    cw = user("market_cw")
    assert f'action="/admin/security/{cw.id}/two-factor"' in page and "要求 market_cw 使用" in page
    client.post(f"/admin/security/{cw.id}/two-factor", data={"csrf_token": csrf_from(page), "required": "1"})
    page = client.get("/admin/security").get_data(as_text=True)
    assert "已要求该账户使用" in page and "取消要求" in page
