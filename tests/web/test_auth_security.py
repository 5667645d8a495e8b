"""Logins as a security campaign would try them: sessions that end server-side, lockout, throttling, equal
work for unknown users, initial passwords replaced at the first login, a password policy."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app import clock as app_clock
from app.auth import services as auth_services
from app.auth.models import User
from app.extensions import db, limiter
from config import Config
from tests.conftest import csrf_from, login, user


def _post_login(client, username, password):
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_from(page)})


def test_a_copied_session_cookie_stops_working_at_logout(client, org):
    login(client, "market_cw")
    stolen = client.get_cookie("session").value
    assert client.get("/tasks/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/tasks/").get_data(as_text=True))})
    other = client.application.test_client()
    other.set_cookie("session", stolen)
    resp = other.get("/tasks/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_a_password_reset_ends_the_users_sessions_and_the_new_password_must_be_changed(client, org, monkeypatch):
    # (the org fixture stores one precomputed hash for speed; here passwords are really set)
    monkeypatch.setattr(User, "set_password", lambda self, pw: setattr(self, "password_hash", generate_password_hash(pw)))
    login(client, "market_cw")
    admin = client.application.test_client()
    login(admin, "admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    uid = user("market_cw").id
    html = admin.post(f"/admin/users/{uid}/reset", data={"csrf_token": csrf_from(page)}, follow_redirects=True).get_data(as_text=True)
    new_password = html.split("用户 market_cw 的新密码为 ")[1].split("，")[0]
    assert client.get("/tasks/").status_code == 302  # the old session ended
    fresh = client.application.test_client()
    resp = _post_login(fresh, "market_cw", new_password)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account/password")
    assert fresh.get("/tasks/").headers["Location"].endswith("/account/password")  # nothing else first
    page = fresh.get("/account/password").get_data(as_text=True)
    bad = fresh.post("/account/password", data={"csrf_token": csrf_from(page), "current": new_password, "new": "password1",
                                                "confirm": "password1"})
    assert bad.status_code == 200 and "不得使用常见密码或包含用户名。" in bad.get_data(as_text=True)
    good = fresh.post("/account/password", data={"csrf_token": csrf_from(page), "current": new_password,
                                                 "new": "Neues-Pass-2026", "confirm": "Neues-Pass-2026"})
    assert good.status_code == 302 and fresh.get("/tasks/").status_code == 200
    db.session.expire_all()
    assert not user("market_cw").must_change_password and user("market_cw").check_password("Neues-Pass-2026")


def test_the_system_administrator_cannot_reset_or_change_the_other_administrators_accounts(client, org):
    """三员分立: a password the system administrator set would let them log in as the auditor who watches them. The
    security administrator resets the administrators' passwords (not their own); the system administrator resets
    business accounts only, and does not edit or deactivate the security and audit administrators."""
    admin = client.application.test_client()
    login(admin, "admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    for name in ("auditor", "secadmin"):
        before = user(name).password_hash
        admin.post(f"/admin/users/{user(name).id}/reset", data={"csrf_token": csrf_from(page)})
        db.session.expire_all()
        assert user(name).password_hash == before and not user(name).must_change_password
        assert f'/admin/users/{user(name).id}/reset"' not in page  # (no button for it either)
        form = admin.get(f"/admin/users?user_id={user(name).id}").get_data(as_text=True)
        admin.post(f"/admin/users/{user(name).id}", data={"csrf_token": csrf_from(form), "username": name, "full_name": "x",
                                                            "role": user(name).role, "unit_id": user(name).unit_id})
        db.session.expire_all()
        assert user(name).active and user(name).full_name != "x"
    assert f'/admin/users/{user("market_cw").id}/reset"' in page
    sec = client.application.test_client()
    login(sec, "secadmin")
    page = sec.get("/admin/security").get_data(as_text=True)
    assert f'/admin/users/{user("auditor").id}/reset"' in page and f'/admin/users/{user("market_cw").id}/reset"' not in page
    html = sec.post(f"/admin/users/{user('auditor').id}/reset", data={"csrf_token": csrf_from(page)},
                    follow_redirects=True).get_data(as_text=True)
    assert "用户 auditor 的新密码为 " in html
    db.session.expire_all()
    assert user("auditor").must_change_password
    before = user("market_cw").password_hash
    sec.post(f"/admin/users/{user('market_cw').id}/reset", data={"csrf_token": csrf_from(page)})
    db.session.expire_all()
    assert user("market_cw").password_hash == before


REFUSED = "用户名或密码错误，或账号已停用或暂时锁定（连续 5 次密码错误将锁定 15 分钟）。"


def _refusal(client, username, password) -> str:
    html = _post_login(client, username, password).get_data(as_text=True)
    return re.sub(r' value="[^"]*"', "", html)  # (the form's token and the name typed)


def test_five_wrong_passwords_lock_the_account_for_a_while(client, org, clock):
    for _ in range(5):
        assert REFUSED in _refusal(client, "market_cw", "wrong")
    assert db.session.get(User, user("market_cw").id).locked_until is not None
    html = _post_login(client, "market_cw", "demo1234").get_data(as_text=True)  # right password, still locked
    assert REFUSED in html and client.get("/tasks/").status_code == 302
    clock.shift(timedelta(minutes=16))
    assert _post_login(client, "market_cw", "demo1234").status_code == 302
    assert user("market_cw").failed_logins == 0 and user("market_cw").last_login_at is not None


def test_a_locked_account_and_an_unknown_name_are_refused_alike(client, org):
    """Saying "locked" only for accounts that exist told anyone which usernames do."""
    for _ in range(6):
        locked = _refusal(client, "market_cw", "wrong")
        unknown = _refusal(client, "no-such-user", "wrong")
    assert locked == unknown and REFUSED in locked


def test_unknown_usernames_cost_as_much_as_wrong_passwords(client, org, monkeypatch):
    checked = []
    real = auth_services.check_password_hash
    monkeypatch.setattr(auth_services, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    html = _post_login(client, "nobody-here", "whatever").get_data(as_text=True)
    assert "用户名或密码错误" in html and checked == [auth_services._DUMMY_HASH]


@pytest.fixture
def throttled(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", Config.LOGIN_RATE_LIMIT)
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT", Config.REGISTER_RATE_LIMIT)
    limiter.reset()
    yield
    limiter.reset()


def test_logins_and_registrations_are_throttled_per_address(client, org, throttled):
    # Successful logins from one address (a unit's office behind one gateway) are not counted: twelve colleagues log in.
    for name in ("market_cw", "tax_cw", "finance_cw", "housing_cw", "pbc_cw", "market_lead", "pbc_lead", "office1",
                 "supervisor1", "auditor", "court_cw", "market_cw"):
        fresh = client.application.test_client()
        assert _post_login(fresh, name, "demo1234").status_code == 302, name
    codes = [_post_login(client, "market_cw", "wrong").status_code for _ in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429
    html = _post_login(client, "market_cw", "demo1234").get_data(as_text=True)
    assert "您所在地址的尝试次数过多" in html
    page = client.get("/portal/register").get_data(as_text=True)
    answers = [client.post("/portal/register", data={"csrf_token": csrf_from(page), "kind": "enterprise",
                                                     "subject_code": "91510400MA6X000102", "access_code": f"GUES-SAAA-{i:04d}",
                                                     "username": f"g{i}", "password": "A-long-passw0rd",
                                                     "password2": "A-long-passw0rd"}).status_code for i in range(6)]
    assert answers[:5] == [200] * 5 and answers[5] == 429


def test_a_deactivated_user_is_logged_out_everywhere(client, org):
    login(client, "market_cw")
    admin = client.application.test_client()
    login(admin, "admin")
    u = user("market_cw")
    page = admin.get(f"/admin/users/{u.id}").get_data(as_text=True)
    admin.post(f"/admin/users/{u.id}", data={"csrf_token": csrf_from(page), "username": "market_cw", "full_name": u.full_name,
                                              "role": "caseworker", "unit_id": str(u.unit_id)})  # active unticked
    assert client.get("/tasks/").status_code == 302
    assert db.session.scalar(select(User.active).where(User.username == "market_cw")) is False


def test_the_login_message_names_the_login_before_this_one(client, org, clock):
    first = _post_login(client, "market_cw", "demo1234")
    assert first.status_code == 302
    assert "上次登录" not in client.get("/tasks/").get_data(as_text=True)  # the first login: none before it
    at = app_clock.now()
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/tasks/").get_data(as_text=True))})
    clock.shift(timedelta(days=2))
    _post_login(client, "market_cw", "demo1234")
    html = client.get("/tasks/").get_data(as_text=True)
    shown = at.astimezone(app_clock.LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    assert f"您上次登录：{shown}" in html, html[html.find("上次登录") - 40:html.find("上次登录") + 60]


def test_guessing_the_current_password_on_the_change_page_locks_the_account(client, org, app):
    """Someone at an unattended or stolen session may not guess the password freely and then lock the owner out."""
    login(client, "market_cw")
    tries = app.config["LOGIN_MAX_FAILURES"]
    for n in range(tries):
        page = client.get("/account/password").get_data(as_text=True)
        resp = client.post("/account/password", data={"csrf_token": csrf_from(page), "current": f"guess{n}",
                                                      "new": "Another#2026xyz", "confirm": "Another#2026xyz"})
        if n < tries - 1:
            assert resp.status_code == 200 and "当前密码不正确" in resp.get_data(as_text=True)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")  # locked: the session ended
    assert client.get("/tasks/").status_code == 302
    me = user("market_cw")
    assert auth_services.locked_minutes(me) > 0 and me.check_password("demo1234")  # not changed
    assert "用户名或密码错误" in _post_login(client, "market_cw", "demo1234").get_data(as_text=True)  # locked for now
    from app.security_log.models import SecurityEvent

    assert db.session.scalar(select(db.func.count()).select_from(SecurityEvent)
                             .where(SecurityEvent.kind == "password_change_failed")) == tries


def test_the_refusal_says_how_long_to_wait_when_an_hours_limit_is_reached(client, org, throttled, monkeypatch):
    monkeypatch.setitem(client.application.config, "REGISTER_RATE_LIMIT", "2 per hour")
    page = client.get("/portal/register").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "kind": "enterprise", "subject_code": "91510400MA6X000102",
            "access_code": "GUES-SAAA-0001", "username": "g1", "password": "A-long-passw0rd", "password2": "A-long-passw0rd"}
    answers = [client.post("/portal/register", data=form) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    html = answers[2].get_data(as_text=True)
    minutes = int(re.search(r"请在 (\d+) 分钟后再试", html).group(1))
    assert 55 <= minutes <= 60 and "一分钟" not in html
    assert abs(int(answers[2].headers["Retry-After"]) - minutes * 60) <= 60
