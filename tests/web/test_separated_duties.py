"""三员分立 and the security audit log (issue 20): the system, security and audit administrators each do only
their own work; logins, role changes, exports and full identity-number views are in a separate, chained
(HMAC-SM3), append-only log that only the audit administrator reads."""
import hashlib
import hmac
import json

import pytest
from sqlalchemy import select, text

from app.auth.models import User
from app.extensions import db
from app.security_log import services as security_log
from app.security_log.models import SecurityEvent
from tests.conftest import csrf_from, login, user
from tests.helpers import PERSON, file_case


def _kinds():
    return [e.kind for e in db.session.scalars(select(SecurityEvent).order_by(SecurityEvent.seq))]


def test_the_audit_administrator_reads_the_log_and_changes_nothing(client, org, clock):
    security_log.record_export(user("office1"), "127.0.0.1", "case_list", 16)
    security_log.record("role_change", user("secadmin"), entity="user", key=user("market_cw").id,
                        details={"from": "caseworker", "to": "group_lead"})
    from app.api import clients

    client_row, _token, _secret = clients.create(user("admin"), "税务征管系统", user("tax_cw").unit_id, ["check"])
    security_log.record("admin_action", user("admin"), entity="api_client", key=client_row.id, details={"action": "create"})
    db.session.commit()
    login(client, "auditor")
    for url in ("/admin/users", "/admin/units", "/admin/security", "/cases/", "/supervision/"):
        assert client.get(url).status_code == 403, url
    page = client.get("/admin/security-log/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "登录" in html and "日志哈希链验证通过" in html
    # Records and details in words, not keys: "案件清单", "行数：16", "原角色：经办人".
    assert "案件清单" in html and "行数：16" in html and "原角色：经办人" in html and "新角色：" in html
    assert "case_list" not in html and '{"rows"' not in html
    # The record is named (login and full name), not an id.
    cw = user("market_cw")
    assert f"用户 market_cw ({cw.full_name})" in html and f"#{cw.id}<" not in html
    assert "接口客户端 税务征管系统" in html  # (a feature's record, named by the name the feature registers)
    resp = client.get("/admin/security-log/export.csv?kind=login")
    assert resp.status_code == 200 and "auditor" in resp.get_data(as_text=True)
    rows = client.get("/admin/security-log/export.csv?kind=role_change").get_data(as_text=True).splitlines()
    assert rows[0].lstrip("\ufeff").split(",")[:8] == ["seq", "time", "kind", "user", "address", "entity", "key", "record"]
    assert f"market_cw ({cw.full_name})" in rows[1]
    assert _kinds()[-1] == "audit_export"
    resp = client.post("/admin/users", data={"csrf_token": csrf_from(html), "username": "x", "full_name": "x",
                                            "role": "caseworker", "unit_id": user("market_cw").unit_id})
    assert resp.status_code == 403 and user("x") is None


def test_the_system_administrator_cannot_read_the_log_or_grant_roles(client, org, clock):
    login(client, "admin")
    assert client.get("/admin/security-log/").status_code == 403
    assert client.get("/admin/security-log/export.csv").status_code == 403
    assert client.get("/admin/security").status_code == 403
    page = client.get("/admin/users").get_data(as_text=True)
    unit = user("market_cw").unit_id
    resp = client.post("/admin/users", data={"csrf_token": csrf_from(page), "username": "boss", "full_name": "某某",
                                            "role": "security_admin", "unit_id": unit, "active": "y"})
    assert "安全管理员分配" in resp.get_data(as_text=True) and user("boss") is None
    # A business role for a new account is the system administrator's to give; changing it later is not.
    client.post("/admin/users", data={"csrf_token": csrf_from(page), "username": "newcw", "full_name": "新经办",
                                      "role": "caseworker", "unit_id": unit, "active": "y"})
    new = user("newcw")
    assert new.role == "caseworker"
    page = client.get(f"/admin/users/{new.id}").get_data(as_text=True)
    resp = client.post(f"/admin/users/{new.id}", data={"csrf_token": csrf_from(page), "username": "newcw", "full_name": "新经办",
                                                      "role": "office", "unit_id": unit, "active": "y"})
    db.session.expire_all()
    assert user("newcw").role == "caseworker" and "安全管理员分配" in resp.get_data(as_text=True)


def test_the_security_administrator_changes_roles_with_a_reason(client, org, clock):
    target = client.application.test_client()
    login(target, "market_cw")
    assert target.get("/tasks/").status_code == 200
    login(client, "secadmin")
    for url in ("/admin/users", "/admin/security-log/", "/cases/"):
        assert client.get(url).status_code == 403, url
    page = client.get("/admin/security").get_data(as_text=True)
    cw = user("market_cw")
    client.post(f"/admin/security/{cw.id}/role", data={"csrf_token": csrf_from(page), "role": "group_lead", "reason": ""})
    db.session.expire_all()
    assert user("market_cw").role == "caseworker"  # no reason, no change
    client.post(f"/admin/security/{cw.id}/role", data={"csrf_token": csrf_from(page), "role": "group_lead", "reason": "岗位调整"})
    db.session.expire_all()
    assert user("market_cw").role == "group_lead"
    assert target.get("/tasks/").status_code == 302  # the changed user's sessions ended
    me = user("secadmin")
    client.post(f"/admin/security/{me.id}/role", data={"csrf_token": csrf_from(page), "role": "admin", "reason": "r"})
    db.session.expire_all()
    assert user("secadmin").role == "security_admin"
    ev = db.session.scalar(select(SecurityEvent).where(SecurityEvent.kind == "role_change"))
    assert ev.details == {"from": "caseworker", "to": "group_lead"} and ev.username == "secadmin"


def test_logins_exports_and_full_identity_numbers_are_logged_in_a_chain(client, org, clock):
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"csrf_token": csrf_from(page), "username": "market_cw", "password": "wrong"})
    login(client, "market_cw")
    case = file_case(subjects=(PERSON,))
    db.session.commit()
    client.get(f"/cases/{case.id}")  # the filing unit sees the identity number whole
    supervisor = client.application.test_client()
    login(supervisor, "supervisor1")
    supervisor.get(f"/cases/{case.id}")  # masked for the supervisor: no event
    admin = client.application.test_client()
    login(admin, "admin")
    assert PERSON[2] not in admin.get(f"/cases/{case.id}").get_data(as_text=True)  # nor whole for the administrator
    supervisor.get("/supervision/export.csv")
    kinds = _kinds()
    assert kinds.count("login_failed") == 1 and kinds.count("login") == 3
    assert kinds.count("full_code_view") == 1 and kinds.count("export") == 1
    view = db.session.scalar(select(SecurityEvent).where(SecurityEvent.kind == "full_code_view"))
    assert view.username == "market_cw" and view.entity_key == str(case.id)
    assert PERSON[2] not in json.dumps([e.details for e in db.session.scalars(select(SecurityEvent))])
    # HMAC-SM3, the algorithm kept with each event; the chain verifies.
    first = db.session.scalar(select(SecurityEvent).order_by(SecurityEvent.seq).limit(1))
    assert first.alg == "hmac-sm3" and len(first.hash) == 64
    payload = json.dumps([first.seq, first.at.isoformat() if first.at.tzinfo else first.at.isoformat() + "+00:00", first.kind,
                          first.actor_id, first.username, first.address, first.entity, first.entity_key, first.details,
                          first.prev_hash], sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    assert first.hash == hmac.new(client.application.config["CHAIN_KEY"].encode(), payload, hashlib.new("sm3").name).hexdigest()
    assert security_log.verify() == (True, None)


def test_the_log_cannot_be_altered_unnoticed(client, org, clock):
    login(client, "market_cw")
    db.session.commit()
    ev = db.session.scalar(select(SecurityEvent).where(SecurityEvent.kind == "login"))
    if db.engine.dialect.name == "postgresql":  # the database refuses outright
        with pytest.raises(Exception, match="append-only"):
            with db.session.begin_nested():
                db.session.execute(text("UPDATE security_event SET username = 'someone' WHERE id = :i"), {"i": ev.id})
        return
    db.session.execute(text("UPDATE security_event SET username = 'someone' WHERE id = :i"), {"i": ev.id})
    db.session.expire_all()
    assert security_log.verify() == (False, ev.seq)


def test_no_account_holds_two_administrator_roles():
    from app.auth.models import ADMIN_ROLES

    assert len(set(ADMIN_ROLES)) == 3 and isinstance(User.role.type.length, int)  # one role column: one role each


def test_the_last_holder_of_an_administrator_role_keeps_it(client, org, clock):
    """Security campaign: the security administrator moved the only auditor to caseworker and the only system
    administrator to the office (whole identity numbers). Each of the three must stay held."""
    login(client, "secadmin")
    page = client.get("/admin/security").get_data(as_text=True)
    for name, to in (("auditor", "caseworker"), ("admin", "office")):
        resp = client.post(f"/admin/security/{user(name).id}/role", follow_redirects=True,
                           data={"csrf_token": csrf_from(page), "role": to, "reason": "岗位调整"})
        assert "唯一" in resp.get_data(as_text=True), name
        db.session.expire_all()
        assert user(name).role in ("audit_admin", "admin"), name
    # Another auditor appointed first: then the first may move.
    cw = user("tax_cw")
    client.post(f"/admin/security/{cw.id}/role", data={"csrf_token": csrf_from(page), "role": "audit_admin", "reason": "新任审计员"})
    client.post(f"/admin/security/{user('auditor').id}/role", data={"csrf_token": csrf_from(page), "role": "caseworker",
                                                                     "reason": "调岗"})
    db.session.expire_all()
    assert user("auditor").role == "caseworker" and user("tax_cw").role == "audit_admin"
