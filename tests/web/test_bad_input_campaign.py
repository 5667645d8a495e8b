"""What an outside bad-input campaign found: crafted queries and fields that made pages fail, and bad values accepted.
Each gets a clear answer (a page, a form error in Chinese, 400 for the API) and changes nothing."""
import pytest
from sqlalchemy import func, select

from app.api import clients
from app.auth.models import SpecialistGroup
from app.catalog import admin as catalog
from app.errors import DomainError
from app.experts import database as experts_db
from app.experts.models import Expert
from app.extensions import db
from tests.conftest import csrf_from, login, user
from tests.helpers import unit_id
from tests.web.test_api import make_client

RESERVED = "endpoint=x&_method=POST&_anchor=y&_external=1"


def test_crafted_query_keys_do_not_break_links_built_from_the_query(client, org):
    """url_for reads `endpoint`, `_method`, `_anchor` ... as its own arguments: a query naming them once made the
    export links, the security log's paging and every pager fail with a server error."""
    login(client, "office1")
    for url in (f"/supervision/?fmt=csv&{RESERVED}", f"/cases/?page=99999&{RESERVED}", f"/experts/?page=99999&{RESERVED}",
                f"/public/?page=99999&{RESERVED}", f"/public/typical?page=99999&{RESERVED}"):
        resp = client.get(url)
        assert resp.status_code == 200, url
    auditor = client.application.test_client()
    login(auditor, "auditor")
    assert auditor.get(f"/admin/security-log/?before=5&{RESERVED}").status_code == 200


def test_a_text_value_where_a_file_is_expected_is_asked_for_again(client, org):
    login(client, "office1")
    for page_url, post_url, extra in (("/admin/catalog", "/admin/catalog/import", {"reason": "r"}),
                                      ("/experts/import", "/experts/import", {})):
        page = client.get(page_url).get_data(as_text=True)
        resp = client.post(post_url, data={"csrf_token": csrf_from(page), "file": "not-a-file", **extra})
        assert resp.status_code in (200, 302), post_url
        assert "请选择文件" in client.get(page_url).get_data(as_text=True) or "请选择文件" in resp.get_data(as_text=True)
    admin = client.application.test_client()
    login(admin, "admin")
    page = admin.get("/admin/processes").get_data(as_text=True)
    resp = admin.post("/admin/processes", data={"csrf_token": csrf_from(page), "file": "not-a-file"})
    assert resp.status_code == 200 and "请选择文件" in resp.get_data(as_text=True)


def test_an_api_body_with_a_number_of_thousands_of_digits_is_a_bad_request(client, org):
    _c, token, _s = make_client()
    resp = client.post("/api/v1/checks", data='{"code": ' + "1" * 5000 + ', "matter_type": "licence", "matter_no": "x"}',
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.get_json()["code"] == "bad_request"
    # Runs of digits just short of the limit cost one pass, not one per digit: a few megabytes of them (sent before
    # any token is checked) took seconds of a worker when the pattern was searched inside every run.
    import time

    from app import JSON_HUGE_NUMBER

    near_miss = b",".join([b"7" * 4300] * 500)  # 2 MB
    t0 = time.perf_counter()
    assert JSON_HUGE_NUMBER.search(near_miss) is None and JSON_HUGE_NUMBER.search(b"[" + b"7" * 4301 + b"]")
    assert time.perf_counter() - t0 < 0.5  # (about 6 s before)


def test_an_api_call_with_a_number_the_database_cannot_hold_is_a_bad_request(client, org, clock):
    """In a body, a value that cannot be accepted (400) on SQLite and PostgreSQL alike; in the path, no such record."""
    from tests.helpers import in_effect_case

    case, _codes = in_effect_case()
    _c, token, _s = make_client()
    auth = {"Authorization": f"Bearer {token}"}
    check = client.post("/api/v1/checks", json={"code": case.subjects[0].subject.code, "matter_type": "licence",
                                                "matter_no": "XK-1"}, headers=auth)
    assert check.status_code == 200, check.get_json()
    resp = client.post(f"/api/v1/checks/{check.get_json()['check_id']}/applications",
                       json={"listing_id": 10 ** 30, "action": "refused"}, headers=auth)
    assert resp.status_code == 400 and resp.get_json()["code"] == "bad_request", resp.get_json()
    resp = client.post(f"/api/v1/checks/{10 ** 30}/applications", json={"listing_id": 1, "action": "refused"}, headers=auth)
    assert resp.status_code in (400, 404), resp.get_json()  # (never a 500)


def test_a_very_long_search_is_cut_not_taken_for_a_database_outage(client, org):
    login(client, "office1")
    for url in ("/cases/?q=" + "张" * 100_000, "/experts/?q=" + "李" * 100_000):
        assert client.get(url).status_code == 200


def test_a_duplicate_group_name_and_a_choice_not_offered_get_form_messages_in_chinese(client, org):
    login(client, "admin")
    groups = db.session.scalars(select(SpecialistGroup).order_by(SpecialistGroup.id)).all()
    page = client.get(f"/admin/groups/{groups[1].id}").get_data(as_text=True)
    html = client.post(f"/admin/groups/{groups[1].id}", data={
        "csrf_token": csrf_from(page), "name": groups[0].name, "domain": groups[1].domain,
        "lead_unit_id": groups[1].lead_unit_id, "member_ids": [groups[1].lead_unit_id]}).get_data(as_text=True)
    assert "已有同名的专项小组" in html
    db.session.expire_all()
    assert db.session.get(SpecialistGroup, groups[1].id).name != groups[0].name
    html = client.post(f"/admin/groups/{groups[1].id}", data={
        "csrf_token": csrf_from(page), "name": groups[1].name, "domain": groups[1].domain,
        "lead_unit_id": groups[1].lead_unit_id, "member_ids": ["999999"]}).get_data(as_text=True)
    assert "请只在给出的选项中选择" in html and "not a valid choice" not in html


def test_imports_refuse_values_their_columns_cannot_hold(client, org):
    """An expert's name longer than its column (PostgreSQL would refuse the whole import with an error page); a
    serious-dishonesty cell that is neither 是 nor 否 (once read silently as 否); a webhook port out of range."""
    errors = experts_db._validate(experts_db.ExpertIn(name="甲" * 81, fields=["legal"]))
    assert [k for k, _m in errors] == ["name"]
    before = db.session.scalar(select(func.count(Expert.id)))
    with pytest.raises(DomainError) as refused:
        experts_db.import_file(user("office1"), "e.csv", ("姓名,领域,工作单位\n" + "甲" * 300 + ",法律,某律所\n").encode())
    db.session.rollback()
    assert any("第 2 行" in str(m) for _f, m in refused.value.errors)
    assert db.session.scalar(select(func.count(Expert.id))) == before
    entry = catalog.EntryIn(kind="punishment", group="市场监管专项小组", behaviour="行为", admin_unit="市市场监管局", grounds="g",
                            legal_basis="l", measures="M1|措施|市财政局", measure_content="", required_evidence="",
                            default_period_days="365", serious="abc")
    _data, errors = catalog._parse(entry)
    assert "serious" in [k for k, _m in errors]
    _data, errors = catalog._parse(entry.__class__(**{**entry.__dict__, "serious": "否"}))
    assert "serious" not in [k for k, _m in errors]
    for bad in ("http://example.org:99999/", "http://[::1/"):  # (a port out of range; a broken IPv6 host)
        with pytest.raises(DomainError):
            clients.create(user("admin"), "x", unit_id("市财政局"), ["check"], bad)
        db.session.rollback()


def test_security_log_filters_out_of_range_are_ignored_not_a_server_error(client, org):
    """0001-01-01 at local midnight is before the year 1 in UTC; 9999-12-31's next day does not exist; a sequence
    number no log reaches: each filters nothing (the page and the export), as an empty field would."""
    login(client, "auditor")
    for query in ("from=0001-01-01", "to=9999-12-31", "from=0001-01-01&to=9999-12-31", "before=99999999999999999999",
                  "before=-3"):
        assert client.get(f"/admin/security-log/?{query}").status_code == 200, query
        assert client.get(f"/admin/security-log/export.csv?{query}").status_code == 200, query


def test_a_method_an_address_does_not_take_gets_a_page_in_the_users_language_and_the_api_answers_json(client, org):
    login(client, "market_cw")
    resp = client.put("/tasks/")
    assert resp.status_code == 405 and "此页面不能这样打开" in resp.get_data(as_text=True)
    assert set(resp.headers["Allow"].split(", ")) >= {"GET"}
    _c, token, _s = make_client()
    auth = {"Authorization": f"Bearer {token}"}
    for method, url, status, code in (("delete", "/api/v1/checks", 405, "method_not_allowed"),
                                      ("post", "/api/v1/checks/abc/applications", 404, "not_found"),
                                      ("get", "/api/v1/lists/grey", 404, "not_found")):
        resp = getattr(client, method)(url, headers=auth)
        assert resp.status_code == status and resp.get_json()["code"] == code, url
        assert resp.get_json()["message"]["zh"] and resp.get_json()["message"]["en"]
        if status == 405:
            assert "POST" in resp.headers["Allow"].split(", ")


def test_initial_passwords_have_no_fixed_part_and_meet_the_policy(org):
    """An outside campaign saw every initial and reset password end in the same four characters."""
    from app.auth.services import initial_password, password_problems

    made = [initial_password() for _ in range(200)]
    assert len(set(made)) == 200 and all(not password_problems(p, "someone") for p in made)
    assert len({p[-4:] for p in made}) > 150 and len({p[:4] for p in made}) > 150


def test_a_webhook_host_that_cannot_exist_is_refused_when_the_client_is_saved(org):
    """https://xn--/ was taken and failed only at each delivery: a host is an IP address or a name that can exist."""
    for url in ("https://xn--/", "https://a b.example.com/x", "https://-bad.example.com/x", "https://exa_mple.com/x"):
        with pytest.raises(DomainError) as refused:
            clients.create(user("admin"), "x", unit_id("市财政局"), ["lists"], url)
        db.session.rollback()
        assert refused.value.errors[0][0] == "webhook_url", url
    for url in ("https://receiver.example.com/hook", "https://信用.中国/hook", "https://10.20.30.40:8443/hook"):
        assert clients.create(user("admin"), f"ok {url}", unit_id("市财政局"), ["lists"], url)
        db.session.rollback()


def test_security_log_dates_given_the_wrong_way_round_are_said_to_be(client, org):
    """Browser trial: from 6 Dec to 1 Dec showed 无 (none), as if nothing had happened."""
    login(client, "auditor")
    html = client.get("/admin/security-log/?from=2026-12-06&to=2026-12-01").get_data(as_text=True)
    assert "开始日期晚于结束日期" in html
    assert "开始日期晚于结束日期" not in client.get("/admin/security-log/?from=2026-12-01&to=2026-12-06").get_data(as_text=True)
