"""The exchange API for department systems, through HTTP: every endpoint and scope, tokens and revocation, the
rate limit, the call log, errors in JSON, the served OpenAPI document (every response checked against it), and
webhooks delivered to a real local HTTP receiver that fails twice before it accepts."""
import hashlib
import hmac
import io
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openpyxl import load_workbook
from sqlalchemy import event, func, select
from werkzeug.test import EnvironBuilder

from app.api import clients, webhooks
from app.api.models import ApiCall, ApiClient, WebhookDelivery
from app.cases.models import Case, CaseEvent, OpenTask
from app.credit.models import CreditCheck
from app.extensions import db, limiter
from app.listings import services
from app.listings.models import ListingUnit, Push
from app.rights import objections
from tests.conftest import csrf_from, login, user
from tests.helpers import COMPANY, COMPANY2, PERSON, applicant_for, in_effect_case, unit_id

CODE = COMPANY[2]
ALL = ["check", "feedback", "lists", "cases-read"]


@pytest.fixture
def spec(client):
    doc = client.get("/api/v1/openapi.json")
    assert doc.status_code == 200
    return OpenAPI.from_dict(doc.get_json())


def make_client(unit="市财政局", scopes=ALL, webhook=None):
    c, token, secret = clients.create(user("admin"), f"{unit}业务系统", unit_id(unit), scopes, webhook)
    clients.approve(user("secadmin"), c.id)  # (三员分立: its access granted by the security administrator)
    db.session.commit()
    return c, token, secret


def call(client, spec, method, url, token=None, body=None):
    """One API call; its response must match the served OpenAPI document."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    resp = client.open(url, method=method, headers=headers, json=body)
    if resp.mimetype == "application/json":
        # A fresh request object: the one the app read has its body consumed.
        request = EnvironBuilder(path=url, method=method, headers=headers, json=body).get_request()
        spec.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(resp))
    return resp


def test_check_scopes_errors_and_the_application_record(client, org, clock, spec):
    case, _codes = in_effect_case()
    _c, token, _s = make_client()
    _c2, lists_only, _s2 = make_client(scopes=["lists"])
    resp = call(client, spec, "POST", "/api/v1/checks", None, {"code": CODE, "matter_type": "licence", "matter_no": "1"})
    assert resp.status_code == 401 and resp.get_json()["message"]["zh"] and resp.get_json()["message"]["en"]
    resp = call(client, spec, "POST", "/api/v1/checks", "xl_1_" + "x" * 40, {"code": CODE, "matter_type": "licence", "matter_no": "1"})
    assert resp.status_code == 401
    resp = call(client, spec, "POST", "/api/v1/checks", lists_only, {"code": CODE, "matter_type": "licence", "matter_no": "1"})
    assert resp.status_code == 403 and resp.get_json()["code"] == "forbidden"
    resp = call(client, spec, "POST", "/api/v1/checks", token, {"code": CODE, "matter_type": "licence"})
    assert resp.status_code == 400 and resp.get_json()["field"] == "matter_no"
    assert resp.get_json()["message"] == {"zh": "请求内容不符合要求：matter_no 为必填项。",
                                          "en": "The request is not valid: matter_no: it is required."}
    resp = call(client, spec, "POST", "/api/v1/checks", token, {"code": "91510400MA6X000103", "matter_type": "licence", "matter_no": "1"})
    assert resp.status_code == 400 and resp.get_json()["field"] == "code" and "校验" in resp.get_json()["message"]["zh"]
    resp = call(client, spec, "POST", "/api/v1/checks", token, {"code": CODE, "matter_type": "procurement", "matter_no": "CG-9"})
    body = resp.get_json()
    assert resp.status_code == 200 and body["verdict"] == "punished"
    [f] = body["findings"]
    assert f["case_number"] == case.number and [m["text"] for m in f["my_measures"]] == ["限制参与政府采购活动"]
    url = f"/api/v1/checks/{body['check_id']}/applications"
    resp = call(client, spec, "POST", url, token, {"listing_id": f["listing_id"], "action": "refused", "note": "系统自动\u202e拦截\u200b"})
    assert resp.status_code == 201 and resp.get_json()["action"] == "refused"
    resp = call(client, spec, "POST", url, token, {"listing_id": f["listing_id"], "action": "refused"})
    assert resp.status_code == 409 and resp.get_json()["code"] == "already_recorded"  # once (a retry learns it went through)
    ev = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.type == "credit_check_applied"))
    assert ev.details["via"] == "api" and "业务系统" in ev.actor.full_name
    assert ev.details["note"] == "系统自动拦截"  # (invisible characters dropped from API bodies as from forms)
    types = call(client, spec, "GET", "/api/v1/matter-types", token).get_json()
    assert {"key": "licence", "label": "行政许可"} in types
    assert {"key": "recruitment", "label": "人员招聘录用"} in types and {"key": "major_decision", "label": "重大决策"} in types
    # every call logged once, the check's own with its log row in the same transaction
    logged = db.session.execute(select(ApiCall.method, ApiCall.path, ApiCall.status).where(ApiCall.client_id == _c.id)
                                .order_by(ApiCall.id)).all()
    assert logged == [("POST", "/api/v1/checks", 400), ("POST", "/api/v1/checks", 400), ("POST", "/api/v1/checks", 200),
                      ("POST", url, 201), ("POST", url, 409), ("GET", "/api/v1/matter-types", 200)]
    assert db.session.scalar(select(func.count()).select_from(CreditCheck).where(CreditCheck.api_client_id == _c.id)) == 1


def test_pushes_are_listed_and_confirmed_through_the_api(client, org, clock, spec):
    case, codes = in_effect_case()
    _c, token, _s = make_client()
    objections.file_objection(applicant_for(case, codes), case.id, "异议", [])  # suspends: every unit is told
    db.session.commit()
    resp = call(client, spec, "GET", "/api/v1/pushes", token)
    [p] = resp.get_json()
    assert p["action"] == "suspend" and p["subject_code"] == CODE and p["measures"] == ["限制参与政府采购活动"]
    # the push went to the unit's liaison; the unit's own system confirming it takes precedence
    assert db.session.scalar(select(OpenTask.claimed_by_id).where(OpenTask.instance_id == db.session.get(Push, p["id"]).instance_id)) \
        == user("finance_cw").id
    resp = call(client, spec, "POST", f"/api/v1/pushes/{p['id']}/confirmation", token, {"note": "已在采购系统暂停限制"})
    assert resp.status_code == 200
    assert db.session.get(Push, p["id"]).confirmed_at is not None
    assert db.session.scalar(select(ListingUnit.state).where(ListingUnit.unit_id == unit_id("市财政局"))) == "suspended"
    again = call(client, spec, "POST", f"/api/v1/pushes/{p['id']}/confirmation", token, {})  # (a retry: told it went through)
    assert again.status_code == 409 and again.get_json()["code"] == "already_confirmed"
    assert call(client, spec, "GET", "/api/v1/pushes", token).get_json() == []
    assert call(client, spec, "POST", "/api/v1/pushes/999999/confirmation", token, {}).status_code == 404


def test_a_push_replaced_before_its_confirmation_names_the_newer_one_and_a_lift_names_its_measures(client, org, clock, spec):
    """A partly founded objection lifting the finance bureau's measure: its system is told to suspend, then to lift
    (not to resume first); the suspension, replaced before it was confirmed, answers 409 naming the lift, which names
    the measure it lifts."""
    from tests.helpers import do, task_of

    case, codes = in_effect_case()
    _c, token, _s = make_client()
    obj = objections.file_objection(applicant_for(case, codes), case.id, "部分措施不当。", [])
    db.session.commit()
    [suspend] = call(client, spec, "GET", "/api/v1/pushes", token).get_json()
    do(user("market_lead"), task_of(obj.id, "reply_objection"),
       {"outcome": "partly", "reasons": "政府采购限制不适用", "lift_units": [unit_id("市财政局")]})
    [lift] = call(client, spec, "GET", "/api/v1/pushes", token).get_json()
    assert lift["action"] == "lift" and lift["measures"] == ["限制参与政府采购活动"]
    late = call(client, spec, "POST", f"/api/v1/pushes/{suspend['id']}/confirmation", token, {})
    assert late.status_code == 409 and late.get_json()["code"] == "superseded" and str(lift["id"]) in late.get_json()["message"]["zh"]
    assert call(client, spec, "POST", f"/api/v1/pushes/{lift['id']}/confirmation", token, {}).status_code == 200


def test_the_units_cases_and_tasks(client, org, clock, spec):
    case, _codes = in_effect_case()
    _c, token, _s = make_client(unit="市市场监管局", scopes=["cases-read"])
    resp = call(client, spec, "GET", "/api/v1/cases?per_page=10", token)
    assert resp.status_code == 200 and resp.headers["X-Total-Count"] == "1"
    assert resp.get_json()[0]["number"] == case.number
    assert call(client, spec, "GET", "/api/v1/cases?per_page=0", token).status_code == 400
    from tests.helpers import file_case

    file_case(), file_case()  # (their pre-reviews are the market group's, at this unit)
    tasks = call(client, spec, "GET", "/api/v1/tasks?per_page=1", token)
    assert tasks.status_code == 200 and len(tasks.get_json()) == 1 and int(tasks.headers["X-Total-Count"]) >= 2
    _c, other, _s = make_client(unit="人民银行市分行", scopes=["cases-read"])
    assert call(client, spec, "GET", "/api/v1/cases", other).get_json() == []


def test_lists_as_of_a_day_and_changes_since(client, org, clock, spec):
    case, _codes = in_effect_case()
    _c, token, _s = make_client(scopes=["lists"])
    body = call(client, spec, "GET", "/api/v1/lists/black", token).get_json()
    assert body["total"] == 1 and body["entries"][0]["subject_code"] == CODE and body["entries"][0]["reason"] == "被列入严重违法失信企业名单"
    assert "限制参与政府采购活动（市财政局）" in body["entries"][0]["measures"]
    assert body["entries"][0]["serious"] is True  # SC-P-001 marks a serious-dishonesty subject (seed 003 8①)
    assert call(client, spec, "GET", "/api/v1/lists/red", token).get_json()["total"] == 0
    assert call(client, spec, "GET", "/api/v1/lists/black?as_of=2026-11-01", token).get_json()["total"] == 0  # before the decision
    future = call(client, spec, "GET", "/api/v1/lists/black?as_of=2099-01-01", token)
    assert future.status_code == 400 and future.get_json()["field"] == "as_of" and "2099-01-01" in future.get_json()["message"]["zh"]
    resp = client.get("/api/v1/lists/black?format=xlsx", headers={"Authorization": f"Bearer {token}"})
    rows = list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))
    assert rows[1][4] == CODE
    fresh = call(client, spec, "GET", "/api/v1/lists/black/changes?since=2026-11-01T00:00:00%2B08:00", token).get_json()
    assert fresh["entries"] == []  # (changed this moment: it may still be committing alongside others; told next time)
    clock.shift(timedelta(seconds=31))
    changes = call(client, spec, "GET", "/api/v1/lists/black/changes?since=2026-11-01T00:00:00%2B08:00", token).get_json()
    assert [e["subject_code"] for e in changes["entries"]] == [CODE]
    again = call(client, spec, "GET", f"/api/v1/lists/black/changes?since={changes['until'].replace('+', '%2B')}", token).get_json()
    assert again["entries"] == []
    assert call(client, spec, "GET", "/api/v1/lists/black/changes", token).status_code == 400
    # An earlier day's list says where each entry stood that day, and where it stands now.
    decided = body["entries"][0]["period_start"]
    clock.shift(timedelta(days=2))
    objections.file_objection(applicant_for(case, _codes), case.id, "异议", [])
    db.session.commit()
    [then] = call(client, spec, "GET", f"/api/v1/lists/black?as_of={decided}", token).get_json()["entries"]
    assert (then["status"], then["status_now"]) == ("in_effect", "suspended")


def test_persons_identity_numbers_on_the_lists_are_whole_only_where_needed(client, org, clock, spec):
    """Minimum necessary: a client reads a person's identity number whole where its unit has a measure of its own to
    apply, or with the lists-identity scope an administrator gives deliberately; otherwise masked."""
    in_effect_case(subjects=(PERSON,))

    def code_seen(token):
        entry = call(client, spec, "GET", "/api/v1/lists/black", token).get_json()["entries"][0]
        return entry["subject_code"], entry["subject_code_masked"]

    whole = PERSON[2]
    masked = whole[:3] + "*" * 11 + whole[-4:]
    assert code_seen(make_client(unit="市财政局", scopes=["lists"])[1]) == (whole, False)  # its measure to apply
    assert code_seen(make_client(unit="市中级人民法院", scopes=["lists"])[1]) == (masked, True)
    assert code_seen(make_client(unit="市中级人民法院", scopes=["lists", "lists-identity"])[1]) == (whole, False)
    clock.shift(timedelta(seconds=31))
    _c, token, _s = make_client(unit="市中级人民法院", scopes=["lists"])
    changes = call(client, spec, "GET", "/api/v1/lists/black/changes?since=2026-11-01T00:00:00%2B08:00", token).get_json()
    assert [(e["subject_code"], e["subject_code_masked"]) for e in changes["entries"]] == [(masked, True)]
    resp = client.get("/api/v1/lists/black?format=xlsx", headers={"Authorization": f"Bearer {token}"})
    assert masked in list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))[1]


def test_a_clients_service_account_has_no_password_and_logs_in_nowhere(client, org, clock):
    """The account an API client acts as is managed with the client: the users page offers no password reset for it,
    a reset or an edit sent all the same is refused, and it cannot hold a web session."""
    from app.auth import services as auth_services
    from app.auth import two_factor
    from app.auth.models import User
    from app.errors import DomainError

    c, _token, _s = make_client()
    account = db.session.get(User, c.user_id)
    assert account.service_account
    with pytest.raises(DomainError):
        auth_services.reset_password(user("admin"), account)
    with pytest.raises(DomainError):
        auth_services.save_user(user("admin"), account, account.username, "改名", "office", account.unit_id, True)
    db.session.rollback()
    # nor does the security administrator give it another role (an administrator's would be a way in), unlock it or
    # set its two-factor policy
    for act in (lambda: auth_services.change_role(user("secadmin"), account, "audit_admin", "测试"),
                lambda: auth_services.unlock(user("secadmin"), account),
                lambda: auth_services.set_two_factor_required(user("secadmin"), account, True),
                lambda: two_factor.reset(user("secadmin"), account)):  # (it has no second factor to reset)
        with pytest.raises(DomainError):
            act()
        db.session.rollback()
    assert db.session.get(User, account.id).role != "audit_admin"
    from app.demo import DEMO_PASSWORD

    account.set_password(DEMO_PASSWORD)  # (even with a password somehow set, it logs in nowhere)
    with pytest.raises(auth_services.LoginRefused):
        auth_services.authenticate(account.username, DEMO_PASSWORD)
    db.session.rollback()
    assert auth_services.load_session_user(f"{account.id}.{account.session_version or 0}") is None
    login(client, "admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "对接系统或公众账号：无密码" in page and f"/admin/users/{account.id}/reset\"" not in page
    resp = client.post(f"/admin/users/{account.id}/reset", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "没有密码" in resp.get_data(as_text=True)
    assert db.session.get(User, account.id).password_hash == "!"
    security = client.application.test_client()
    login(security, "secadmin")
    page = security.get("/admin/security").get_data(as_text=True)  # (no controls that would only be refused)
    assert "部门系统或社会公众账号：不登录" in page
    for action in (f"/admin/security/{account.id}/role", f"/admin/security/{account.id}/two-factor",
                   f"/admin/users/{account.id}/reset-two-factor"):
        assert f"{action}\"" not in page, action


def test_revoked_tokens_rate_limit_and_the_call_log(client, org, clock, spec, app, monkeypatch):
    c, token, _s = make_client(scopes=["lists"])
    assert call(client, spec, "GET", "/api/v1/lists/black", token).status_code == 200
    login(client, "admin")
    page = client.get("/admin/api-clients/").get_data(as_text=True)
    assert "市财政局业务系统" in page and token not in page  # the token is not shown again
    client.post(f"/admin/api-clients/{c.id}/revoke", data={"csrf_token": csrf_from(page)})
    assert call(client, spec, "GET", "/api/v1/lists/black", token).status_code == 401
    _c, fresh, _s = make_client(scopes=["lists"])
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    limiter.reset()
    # One allowance per client across the endpoints (the scheme's name in any case).
    statuses = [call(client, spec, "GET", path, fresh).status_code
                for path in ("/api/v1/lists/black", "/api/v1/lists/red", "/api/v1/lists/black", "/api/v1/typical-cases")]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/api/v1/lists/red", headers={"Authorization": f"bearer {fresh}"}).status_code == 429
    logged = db.session.scalars(select(ApiCall.status).where(ApiCall.client_id == _c.id)).all()
    assert sorted(logged) == [200, 200, 200, 429, 429]


def test_a_page_of_changes_ending_among_changes_made_at_one_moment_goes_on_where_it_stopped(client, org, clock, spec):
    case, _codes = in_effect_case(subjects=(COMPANY, COMPANY2))  # two listings, changed at the same moment
    _c, token, _s = make_client(scopes=["lists"])
    clock.shift(timedelta(seconds=31))
    url = "/api/v1/lists/black/changes?since=2026-11-01T00:00:00%2B08:00&limit=1"
    first = call(client, spec, "GET", url, token).get_json()
    assert len(first["entries"]) == 1 and first["until_id"] == first["entries"][0]["listing_id"]
    until = first["until"].replace("+", "%2B")
    lost = call(client, spec, "GET", f"/api/v1/lists/black/changes?since={until}", token).get_json()
    assert lost["entries"] == []  # (by time alone the other change at that moment is passed over)
    rest = call(client, spec, "GET", f"/api/v1/lists/black/changes?since={until}&after_id={first['until_id']}", token).get_json()
    assert len(rest["entries"]) == 1 and rest["entries"][0]["listing_id"] != first["entries"][0]["listing_id"]
    done = call(client, spec, "GET", f"/api/v1/lists/black/changes?since={rest['until'].replace('+', '%2B')}"
                f"&after_id={rest['until_id']}", token).get_json()
    assert done["entries"] == [] and done["until_id"] == rest["until_id"]


def test_made_up_tokens_naming_a_client_do_not_spend_its_rate_limit(client, org, spec, app, monkeypatch):
    c, token, _s = make_client(scopes=["lists"])
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    limiter.reset()
    forged = f"xl_{c.id}_" + "A" * 28  # the client's id with a wrong secret
    assert [call(client, spec, "GET", "/api/v1/lists/black", forged).status_code for _ in range(4)] == [401, 401, 401, 429]
    assert call(client, spec, "GET", "/api/v1/lists/black", token).status_code == 200  # its own allowance is untouched


def test_a_clients_last_use_is_recorded_at_most_once_a_minute(client, org, clock, spec):
    c, token, _s = make_client(scopes=["lists"])
    assert c.last_used_at is None
    assert call(client, spec, "GET", "/api/v1/lists/black", token).status_code == 200
    db.session.expire_all()
    first = db.session.get(ApiClient, c.id).last_used_at
    assert first is not None
    clock.shift(timedelta(seconds=30))
    call(client, spec, "GET", "/api/v1/lists/black", token)
    db.session.expire_all()
    assert db.session.get(ApiClient, c.id).last_used_at == first  # (not a write on every call)
    clock.shift(timedelta(minutes=2))
    call(client, spec, "GET", "/api/v1/lists/black", token)
    db.session.expire_all()
    assert db.session.get(ApiClient, c.id).last_used_at - first == timedelta(minutes=2, seconds=30)


def test_the_reference_page_and_admin_creation(client, org):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/checks" in html and "权限范围" in html and "check" in html and "curl" in html
    login(client, "admin")
    page = client.get("/admin/api-clients/").get_data(as_text=True)
    resp = client.post("/admin/api-clients/", data={"csrf_token": csrf_from(page), "name": "采购系统", "unit_id": unit_id("市财政局"),
                                                    "scopes": ["check", "lists"], "webhook_url": "http://127.0.0.1:9/hook"})
    html = resp.get_data(as_text=True)
    assert "xl_" in html and "X-Xinlian-Signature" in html
    resp = client.post("/admin/api-clients/", data={"csrf_token": csrf_from(page), "name": "x", "unit_id": unit_id("市财政局"),
                                                    "webhook_url": "ftp://x"})
    assert "至少" in resp.get_data(as_text=True) or "scope" in resp.get_data(as_text=True).lower()


def test_a_client_works_once_the_security_administrator_approves_its_access(client, org, clock, spec):
    """三员分立 (security campaign): the system administrator registered a client for the office with the checks and
    whole identity numbers and used it at once, reading what its own pages refuse it. Its token now works only once the
    security administrator has approved the client (not one who registered it); the approval is in the record."""
    import re

    from app.api.models import ApiClient
    from app.audit.models import AdminChange

    login(client, "admin")
    page = client.get("/admin/api-clients/").get_data(as_text=True)
    html = client.post("/admin/api-clients/", data={"csrf_token": csrf_from(page), "name": "办公室系统", "scopes": ["check", "lists"],
                                                    "unit_id": user("office1").unit_id}).get_data(as_text=True)
    token = re.search(r"(xl_\d+_[A-Za-z0-9_-]+)", html).group(1)
    assert "待安全管理员批准" in html
    waiting = call(client, spec, "GET", "/api/v1/lists/black", token)  # (its holder is told why, unlike a made-up token)
    assert waiting.status_code == 403 and waiting.get_json()["code"] == "awaiting_approval"
    c = db.session.scalar(select(ApiClient).where(ApiClient.name == "办公室系统"))
    assert client.post(f"/admin/api-clients/{c.id}/approve", data={"csrf_token": csrf_from(page)}).status_code == 403
    from app.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        clients.approve(user("admin"), c.id)
    db.session.rollback()
    sec = client.application.test_client()
    login(sec, "secadmin")
    listed = sec.get("/admin/api-clients/approvals").get_data(as_text=True)
    assert "办公室系统" in listed and "待批准" in listed
    sec.post(f"/admin/api-clients/{c.id}/approve", data={"csrf_token": csrf_from(listed)})
    assert call(client, spec, "GET", "/api/v1/lists/black", token).status_code == 200
    assert db.session.scalar(select(AdminChange.actor_id).where(AdminChange.entity == "api_client",
                                                               AdminChange.action == "approve")) == user("secadmin").id
    again = sec.post(f"/admin/api-clients/{c.id}/approve", data={"csrf_token": csrf_from(listed)}, follow_redirects=True)
    assert "不在待批准之列" in again.get_data(as_text=True)
    # Refused: said so (not "revoked"), and not listed among the approved.
    other, _t, _s = clients.create(user("admin"), "另一系统", user("office1").unit_id, ["lists-identity"])
    db.session.commit()
    refused = sec.post(f"/admin/api-clients/{other.id}/revoke", data={"csrf_token": csrf_from(listed)},
                       follow_redirects=True).get_data(as_text=True)
    assert "已不予批准对接系统 另一系统" in refused
    approved = refused[refused.index("已批准的对接系统"):]
    assert "另一系统" not in approved and "办公室系统" in approved


class Receiver(BaseHTTPRequestHandler):
    """Fails the first two requests with 503, then accepts; keeps what it accepted."""

    received: list = []
    attempts = 0

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).attempts += 1
        if type(self).attempts <= 2:
            self.send_response(503)
            self.end_headers()
            return
        type(self).received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.real_commits
def test_a_check_writes_its_log_rows_in_one_statement(client, org, clock, spec):
    """On PostgreSQL the check runs without a transaction block (no BEGIN/COMMIT round trips): its only write is
    one INSERT carrying the call log's INSERT. A refused check writes only the call log."""
    in_effect_case()
    c, token, _s = make_client()
    seen = []

    def statement(conn, _cursor, sql, _params, _context, _many):
        seen.append((sql.split()[0], conn.connection.driver_connection.autocommit if pg else None))

    pg = db.engine.dialect.name == "postgresql"
    event.listen(db.engine, "before_cursor_execute", statement)
    try:
        resp = call(client, spec, "POST", "/api/v1/checks", token, {"code": CODE, "matter_type": "licence", "matter_no": "A1"})
        assert resp.status_code == 200 and resp.get_json()["verdict"] == "punished"
        ok = list(seen)
        seen.clear()
        resp = call(client, spec, "POST", "/api/v1/checks", token, {"code": CODE, "matter_type": "licence", "matter_no": ""})
        assert resp.status_code == 400
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
    if pg:
        # (the client's first use is recorded; the last read: the subject's broken credit commitments)
        assert [verb for verb, _a in ok] == ["SELECT", "UPDATE", "SELECT", "WITH", "SELECT"]
        assert all(autocommit for _v, autocommit in ok)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CreditCheck).where(CreditCheck.api_client_id == c.id)) == 1
    logged = db.session.execute(select(ApiCall.path, ApiCall.status).where(ApiCall.client_id == c.id).order_by(ApiCall.id)).all()
    assert logged == [("/api/v1/checks", 200), ("/api/v1/checks", 400)]


@pytest.mark.real_commits
def test_webhooks_are_signed_retried_with_backoff_and_delivered(org, clock):
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    Receiver.received, Receiver.attempts = [], 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _c, _t, secret = make_client(webhook=f"http://127.0.0.1:{server.server_port}/xinlian")
        case, codes = in_effect_case()  # the decision tells the finance bureau to apply its measure
        [d] = db.session.scalars(select(WebhookDelivery)).all()
        assert d.payload["action"] == "apply" and d.payload["listing"]["subject_code"] == CODE
        assert d.payload["listing"]["serious"] is True
        assert webhooks.deliver_due() == (0, 0)  # 503
        d = db.session.get(WebhookDelivery, d.id)
        assert d.status == "pending" and d.attempts == 1 and "503" in d.last_error
        assert webhooks.error_words(d.last_error) == "对方系统返回 HTTP 503 错误"  # (the delivery list's words)
        assert d.payload["measures"] == ["限制参与政府采购活动"]  # (the unit's measures the change concerns)
        assert webhooks.deliver_due() == (0, 0)  # not due yet: it waits 30 s
        clock.shift(timedelta(seconds=31))
        assert webhooks.deliver_due() == (0, 0)  # 503 again; now it waits 60 s
        clock.shift(timedelta(seconds=45))
        assert webhooks.deliver_due() == (0, 0)
        clock.shift(timedelta(seconds=20))
        assert webhooks.deliver_due() == (1, 0)
        assert db.session.get(WebhookDelivery, d.id).status == "delivered" and Receiver.attempts == 3
        [(headers, body)] = Receiver.received
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Xinlian-Signature"] == expected and json.loads(body)["action"] == "apply"
        # A change rolled back writes no delivery (the outbox is in the change's transaction).
        objections.file_objection(applicant_for(case, codes), case.id, "异议", [])
        suspend = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.id != d.id)).one()
        push_row = db.session.get(Push, suspend.payload["push_id"])  # a push's message names it and its unit's task
        assert suspend.payload["action"] == push_row.action == "suspend" and push_row.instance_id is not None
        assert services.push_for_instance(push_row.instance_id) == push_row
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1
        assert db.session.scalar(select(func.count()).select_from(Case)) == 1
    finally:
        server.shutdown()
        server.server_close()


class Redirector(BaseHTTPRequestHandler):
    hits = 0

    def do_POST(self):  # noqa: N802
        Redirector.hits += 1
        self.send_response(307)
        self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhooks_never_go_to_internal_addresses_nor_follow_redirects(org, clock, app, monkeypatch):
    from app.errors import DomainError

    for url in ("http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/x", "http://0.0.0.0/x", "http://224.0.0.1/x",
                "http://100.100.100.200/latest/meta-data/", "http://[fd00:ec2::254]/latest/", "http://[2002:a9fe:a9fe::1]/x",
                "http://[::ffff:169.254.169.254]/x", "http://192.0.0.170/x", "http://0xa9fea9fe/x", "http://169.254.43518/x"):
        with pytest.raises(DomainError):
            clients.create(user("admin"), "x", unit_id("市财政局"), ["lists"], url)
        db.session.rollback()
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOOPBACK", False)  # (production's default)
    # (and the numeric forms the resolver reads as 127.0.0.1)
    for url in ("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/hook", "http://127.1/hook",
                "http://2130706433/hook", "http://0x7f000001/hook", "http://017700000001/hook"):
        with pytest.raises(DomainError):
            clients.create(user("admin"), "x", unit_id("市财政局"), ["lists"], url)
        db.session.rollback()
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOOPBACK", True)
    server = HTTPServer(("127.0.0.1", 0), Redirector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        Redirector.hits = 0
        make_client(webhook=f"http://127.0.0.1:{server.server_port}/hook")
        in_effect_case()
        assert webhooks.deliver_due() == (0, 0)  # the 307 counts as a failure; its Location is not requested
        [d] = db.session.scalars(select(WebhookDelivery)).all()
        assert Redirector.hits == 1 and d.attempts == 1 and "307" in d.last_error
        # A name that resolves to a refused address fails at delivery (it may have resolved elsewhere when created).
        monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOOPBACK", False)
        clock.shift(timedelta(seconds=31))
        assert webhooks.deliver_due() == (0, 0)
        d = db.session.get(WebhookDelivery, d.id)
        assert Redirector.hits == 1 and d.attempts == 2 and "may not go to" in d.last_error
    finally:
        server.shutdown()
        server.server_close()


class Accepting(BaseHTTPRequestHandler):
    hosts: list = []

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).hosts.append(self.headers["Host"])
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_webhook_goes_to_the_address_that_was_checked(org, clock, app, monkeypatch):
    """DNS rebinding: the receiver's name resolves to an allowed address when checked and to the cloud metadata
    address a moment later. The delivery connects to the address checked, with the name in its Host header."""
    import socket

    real = socket.getaddrinfo
    asked = []

    def rebinding(host, port, *args, **kwargs):
        if host != "hooks.department.test":
            return real(host, port, *args, **kwargs)
        asked.append(host)
        ip = "127.0.0.1" if len(asked) == 1 else "169.254.169.254"
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port))]

    server = HTTPServer(("127.0.0.1", 0), Accepting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        Accepting.hosts = []
        make_client(webhook=f"http://hooks.department.test:{server.server_port}/hook")
        in_effect_case()
        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        assert webhooks.deliver_due() == (1, 0)
        assert asked == ["hooks.department.test"]  # resolved once, for the check
        assert Accepting.hosts == [f"hooks.department.test:{server.server_port}"]
    finally:
        server.shutdown()
        server.server_close()


def _certificate_for(name: str, folder):
    """A self-signed certificate for `name` (key and certificate files), made with cryptography."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
            .not_valid_after(dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc))  # (TLS reads the real time, not the test clock)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    key_file, cert_file = folder / "key.pem", folder / "cert.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def test_an_https_webhook_is_pinned_and_still_checks_the_certificate_name(org, clock, app, monkeypatch, tmp_path):
    """Over HTTPS the pinned connection still verifies the receiver's certificate against the URL's name."""
    import socket
    import ssl

    key_file, cert_file = _certificate_for("hooks.department.test", tmp_path)
    server = HTTPServer(("127.0.0.1", 0), Accepting)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_file, key_file)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    real_getaddrinfo, real_context = socket.getaddrinfo, ssl.create_default_context

    def resolve(host, port, *args, **kwargs):
        if host in ("hooks.department.test", "other.department.test"):
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: real_context(cafile=str(cert_file)))
    try:
        Accepting.hosts = []
        good, _t, _s = make_client(webhook=f"https://hooks.department.test:{server.server_port}/hook")
        wrong, _t, _s = make_client(webhook=f"https://other.department.test:{server.server_port}/hook")
        in_effect_case()
        assert webhooks.deliver_due() == (1, 0)  # the certificate names hooks.department.test, not other.…
        assert Accepting.hosts == [f"hooks.department.test:{server.server_port}"]
        [failed] = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.client_id == wrong.id)).all()
        assert failed.status == "pending" and "certificate" in failed.last_error.lower()
    finally:
        server.shutdown()
        server.server_close()


def test_a_service_accounts_name_is_in_the_systems_language_whatever_the_creators(org):
    """Named once and read by everyone (timelines of every case it confirms): not in the language the administrator had
    chosen when creating the client."""
    from flask import current_app
    from flask_babel import force_locale

    with current_app.test_request_context(), force_locale("en"):
        client_row, _token, _secret = clients.create(user("admin"), "住建系统", unit_id("市住房城乡建设局"), ["lists"], None)
    assert client_row.user.full_name == "住建系统（部门系统）"


def test_the_units_implementation_results_and_typical_cases_reach_the_platform(client, org, clock, spec):
    """Seed 003 8①: 实施结果和典型案例按流程实时反馈市信用平台. Each list entry says where every implementing unit's measures
    stand; a unit's report moves the entry into the changes feed; published typical cases are served as the public page
    shows them."""
    from app.supervision import services as supervision
    from tests.helpers import complete, determine, file_case, only_task, open_tasks

    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"), days=365)
    complete("office1", only_task(case.id, "file_decision"), {})
    _c, token, _s = make_client(scopes=["lists"])
    [entry] = call(client, spec, "GET", "/api/v1/lists/black", token).get_json()["entries"]
    assert {u["unit"]: u["state"] for u in entry["units"]} == {"市财政局": "pending", "市住房城乡建设局": "pending",
                                                                "市市场监管局": "pending"}
    clock.shift(timedelta(minutes=1))
    since = call(client, spec, "GET", "/api/v1/lists/black/changes?since=2026-11-01T00:00:00%2B08:00", token).get_json()["until"]
    finance = next(t for t in open_tasks(case.id, "implement") if t.unit_id == unit_id("市财政局"))
    complete("finance_cw", finance, {"outcome": "applied", "report": "已嵌入政府采购系统。"})
    clock.shift(timedelta(minutes=1))
    [changed] = call(client, spec, "GET", f"/api/v1/lists/black/changes?since={since.replace('+', '%2B')}", token).get_json()["entries"]
    assert {u["unit"]: u["state"] for u in changed["units"]}["市财政局"] == "applied"
    resp = client.get("/api/v1/lists/black?format=xlsx", headers={"Authorization": f"Bearer {token}"})
    rows = list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))
    assert "市财政局：已实施" in rows[1][list(rows[0]).index("units")]

    assert call(client, spec, "GET", "/api/v1/typical-cases", token).get_json() == {"total": 0, "page": 1, "entries": []}
    for t in open_tasks(case.id, "implement"):
        complete({"市住房城乡建设局": "housing_cw", "市市场监管局": "market_cw"}[next(
            n for n in ("市住房城乡建设局", "市市场监管局") if unit_id(n) == t.unit_id)], t, {"outcome": "applied", "report": "ok"})
    t = supervision.register_typical(user("market_cw"), case.number, "依法将该企业列入严重违法失信名单，三家单位联合惩戒，效果明显。")
    supervision.publish_typical(user("office1"), t.id, "某企业被联合惩戒", "该企业因严重违法失信被联合惩戒，三家单位联合实施，效果明显。")
    db.session.commit()
    body = call(client, spec, "GET", "/api/v1/typical-cases", token).get_json()
    assert body["total"] == 1 and body["entries"][0]["title"] == "某企业被联合惩戒" and body["entries"][0]["kind"] == "punishment"
    _c2, checks_only, _s2 = make_client(scopes=["check"])
    assert call(client, spec, "GET", "/api/v1/typical-cases", checks_only).status_code == 403


def test_a_client_awaiting_approval_is_sent_nothing_by_webhook(org, clock):
    """Review: approval was checked only when a token was used; the webhook of a client the security administrator had
    not approved was sent the unit's measure changes (whole identity numbers among them)."""
    from app.api.models import WebhookDelivery
    from tests.helpers import PERSON, in_effect_case

    c, _token, _secret = clients.create(user("admin"), "未批准系统", unit_id("市财政局"), ["lists"], "http://127.0.0.1:9/hook")
    db.session.commit()
    in_effect_case(subjects=(PERSON,))
    assert db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.client_id == c.id)).all() == []
    clients.approve(user("secadmin"), c.id)
    db.session.commit()
    in_effect_case(subjects=(PERSON,))
    assert db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.client_id == c.id)).all() != []
