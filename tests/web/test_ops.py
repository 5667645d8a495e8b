"""Operating endpoints and logs (issue 19): /healthz, /readyz, /metrics, the scheduler heartbeat, one JSON
log line per request with its request id."""
import json
import logging
from datetime import timedelta

from sqlalchemy import text

from app.engine import heartbeats
from app.extensions import db
from app.ops import logs
from app.scheduler.jobs import run_timers
from tests.conftest import login
from tests.helpers import file_case, in_effect_case


def test_healthz_and_readyz_answer_without_login_and_without_personal_data(client, org, clock):
    file_case()
    db.session.commit()
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok"}
    resp = client.get("/readyz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ready"}


def test_readyz_is_not_ready_when_the_schema_is_behind(client, org):
    db.session.execute(text("UPDATE alembic_version SET version_num = 'e490ae2b0110_old'"))
    db.session.commit()
    try:
        resp = client.get("/readyz")
        assert resp.status_code == 503 and "head" in resp.get_json()["reason"]
    finally:
        db.session.rollback()


def test_readyz_is_not_ready_when_the_database_is_unreachable(client, org, monkeypatch):
    def broken(*_a, **_k):
        raise ConnectionError("refused")

    monkeypatch.setattr(db.session, "scalars", broken)
    resp = client.get("/readyz")
    assert resp.status_code == 503 and resp.get_json() == {"status": "not ready", "reason": "database unreachable"}


def test_metrics_need_the_token_or_an_allowed_address(app, client, org, clock, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_ALLOW", "10.9.0.0/16")
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "s3cret-token-for-prometheus")
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.9.3.4"}).status_code == 200
    resp = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token-for-prometheus"})
    assert resp.status_code == 200


def test_metrics_carry_tasks_by_step_timer_lag_sweeps_and_request_latency(client, org, clock):
    case = file_case()
    db.session.commit()
    clock.shift(timedelta(days=10))  # the pre-review deadline has passed
    client.get("/healthz")
    body = client.get("/metrics").get_data(as_text=True)
    assert 'xinlian_open_tasks{step="pre_review"} 1.0' in body
    assert 'xinlian_overdue_tasks{step="pre_review"} 1.0' in body
    assert 'xinlian_request_seconds_count{endpoint="ops.healthz",method="GET"}' in body
    assert "xinlian_scheduler_stale 1.0" in body and "xinlian_scheduler_last_sweep_age_seconds -1.0" in body
    assert "xinlian_webhook_outbox 0.0" in body
    assert case.number not in body


def test_a_scheduler_heartbeat_shows_on_the_pages_and_in_the_metrics(app, client, org, clock):
    in_effect_case(days=10)
    db.session.commit()
    clock.shift(timedelta(days=10, hours=1))  # the period has ended: the timer is late
    body = client.get("/metrics").get_data(as_text=True)
    lag = next(float(line.split()[1]) for line in body.splitlines() if line.startswith("xinlian_timer_lag_seconds "))
    assert lag > 0
    heartbeats._state["last"] = None
    run_timers(app)  # what the scheduler's timer job runs
    body = client.get("/metrics").get_data(as_text=True)
    assert "xinlian_timer_lag_seconds 0.0" in body and "xinlian_scheduler_stale 0.0" in body
    assert "xinlian_schedulers_alive 1.0" in body
    login(client, "supervisor1")
    page = client.get("/supervision/dashboard").get_data(as_text=True)
    assert "定时任务最近运行" in page and "调度进程未运行" not in page
    clock.shift(timedelta(seconds=app.config["SCHEDULER_STALE_SECONDS"] + 1))
    page = client.get("/supervision/dashboard").get_data(as_text=True)
    assert "调度进程未运行" in page


def test_one_json_log_line_per_request_with_its_id(client, org, caplog):
    with caplog.at_level(logging.INFO, logger="xinlian.request"):
        resp = client.get("/healthz", headers={"X-Request-ID": "lb-0123456789"})
        other = client.get("/login", headers={"X-Request-ID": "bad id with spaces"})
        refused = client.get("/public/?q=%00a", headers={"X-Request-ID": "lb-refused-1"})  # (refused before our hook)
    assert resp.headers["X-Request-ID"] == "lb-0123456789"
    assert len(other.headers["X-Request-ID"]) == 32  # a malformed id is replaced, not echoed
    assert refused.status_code == 400 and refused.headers["X-Request-ID"] == "lb-refused-1"
    lines = [json.loads(logs.JsonFormatter().format(r)) for r in caplog.records if r.name == "xinlian.request"]
    assert [(x["endpoint"], x["status"]) for x in lines] == [("ops.healthz", 200), ("auth.login", 200), ("public.lists", 400)]
    assert lines[0]["request_id"] == "lb-0123456789" and lines[0]["duration_ms"] >= 0 and "user_id" in lines[0]


def test_the_log_scan_of_the_test_run_recognises_personal_data():
    from tests.conftest import personal_data_in
    from tests.helpers import COMPANY, PERSON

    leaky = [f'{{"message": "subject {PERSON[2]}"}}', f"code {COMPANY[2]} refused", "access ABCD-EFGH-JK23 used",
             f"filed against {COMPANY[1]}"]
    assert [what for what, _line in personal_data_in(leaky)] == ["identity number", "credit code", "access code", "name"]
    clean = ['{"endpoint": "cases.detail", "status": 200, "request_id": "0123456789abcdef0123456789abcdef"}',
             "stored file 3f2a9c0d5e8b7a6f4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b is damaged"]
    assert personal_data_in(clean) == []


def test_behind_a_reverse_proxy_the_client_address_comes_from_its_header(tmp_path):
    from flask import request

    from app import create_app
    from config import TestConfig

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'proxy-test.db'}"
        PROXY_HOPS = 1

    proxied = create_app(Cfg)
    seen = []
    proxied.add_url_rule("/_addr", "addr", lambda: seen.append(request.remote_addr) or "ok")
    client = proxied.test_client()
    client.get("/_addr", headers={"X-Forwarded-For": "10.1.2.3"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    client.get("/_addr", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert seen == ["10.1.2.3", "127.0.0.1"]
