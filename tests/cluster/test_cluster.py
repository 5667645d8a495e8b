"""Xinlian as a cluster (issue 19), in CI's PostgreSQL pass: two app servers as separate gunicorn processes with
separate instance folders (as two machines would have), two scheduler processes, one PostgreSQL database
reached through a TCP relay the test can cut (a database outage as the servers see it), driven over HTTP.

Runs only against PostgreSQL (TEST_DATABASE_URL; its database name + "_cluster" is used, CI creates it):
SQLite is the embedded single-process setup and cannot be shared by several servers."""
import json
import os
import re
import select as io_select
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.crypto import new_keyring, write_key_file
from config import is_test_database

ROOT = Path(__file__).resolve().parents[2]
MAIN_URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not MAIN_URL.startswith("postgresql"),
                                reason="the cluster runs on PostgreSQL only (CI's second pass sets TEST_DATABASE_URL)")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n% cluster\ntrailer<<>>\n%%EOF\n"
PASSWORD = "demo1234"
SECRET = "cluster-test-secret-" + "x" * 24
EVENT_VALUE = re.compile(r'"event_value": "([^"]+)"')


class Relay:
    """TCP relay in front of PostgreSQL: `cut()` refuses new connections and drops open ones, `restore()`
    listens again on the same port."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = None
        self._conns: list[socket.socket] = []
        self._server = None
        self.restore()

    def restore(self):
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", self.port or 0))
        srv.listen(64)
        self.port = srv.getsockname()[1]
        self._server = srv
        threading.Thread(target=self._accept, args=(srv,), daemon=True).start()

    def _accept(self, srv):
        while True:
            try:
                client, _ = srv.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            self._conns += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pump(a, b):
        try:
            while True:
                ready, _, _ = io_select.select([a, b], [], [], 1)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
        except OSError:
            return
        finally:
            a.close()
            b.close()

    def cut(self):
        try:
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone would not
        except OSError:
            pass
        self._server.close()
        for c in self._conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass
        self._conns = []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    direct = make_url(MAIN_URL).set(database=make_url(MAIN_URL).database + "_cluster")
    assert is_test_database(direct.render_as_string(hide_password=False))
    engine = sa.create_engine(direct)
    with engine.begin() as conn:  # a new database for the cluster: schema from the migrations, demo data
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    relay = Relay(direct.host or "127.0.0.1", direct.port or 5432)
    via_relay = direct.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    base = tmp_path_factory.mktemp("cluster")
    common = {k: v for k, v in os.environ.items() if not k.startswith(("XINLIAN_", "TEST_DATABASE", "FLASK_"))}
    keyfile = base / "data.key"  # one data key file, as each server would get a copy of it
    write_key_file(keyfile, new_keyring())
    common.update(XINLIAN_ENV="production", SECRET_KEY=SECRET, XINLIAN_CHAIN_KEY="cluster-chain-key", XINLIAN_DATA_KEY_FILE=str(keyfile),
                  XINLIAN_FILE_STORE="database", XINLIAN_INSECURE_COOKIES="1", XINLIAN_LOG_FORMAT="json",
                  DATABASE_URL=via_relay, PYTHONPATH=str(ROOT))

    def env_for(name: str) -> dict:
        folder = base / name
        folder.mkdir()
        return dict(common, XINLIAN_INSTANCE_DIR=str(folder), XINLIAN_UPLOAD_DIR=str(folder / "uploads"),
                    XINLIAN_CHECKPOINT_DIR=str(folder / "checkpoints"))

    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    setup = dict(env_for("setup"), DATABASE_URL=direct.render_as_string(hide_password=False))
    for cmd in (["db", "upgrade"], ["demo"]):
        subprocess.run(flask + cmd, cwd=ROOT, env=setup, check=True, capture_output=True, timeout=600)
    procs, logs = {}, {}

    def start(name, argv, env):
        logs[name] = (base / f"{name}.log").open("w")
        procs[name] = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=logs[name], stderr=subprocess.STDOUT)

    try:
        servers = {}
        for name in ("a", "b"):
            port = _free_port()
            env = dict(env_for(name), XINLIAN_SCHEDULER="0", PROMETHEUS_MULTIPROC_DIR=str(base / name))
            start(name, [sys.executable, "-m", "gunicorn", "-c", "python:app.ops.gunicorn_conf", "--workers", "2",
                         "--bind", f"127.0.0.1:{port}", "wsgi:app"], env)
            servers[name] = f"http://127.0.0.1:{port}"
        for name in ("s1", "s2"):
            start(name, flask + ["scheduler"], env_for(name))
        deadline = time.time() + 60
        for url in servers.values():
            while True:
                try:
                    if requests.get(url + "/readyz", timeout=5).status_code == 200:
                        break
                except requests.RequestException:  # (not listening yet, or a worker still booting)
                    pass
                assert time.time() < deadline, {n: (base / f"{n}.log").read_text()[-2000:] for n in procs}
                time.sleep(0.5)
        yield {"servers": servers, "procs": procs, "engine": engine, "relay": relay, "base": base}
    finally:  # (also when starting failed: no server or scheduler outlives the test)
        _stop_all(procs, logs, relay, engine)


def _stop_all(procs, logs, relay, engine):
    for p in procs.values():
        if p.poll() is None:
            p.terminate()
    for p in procs.values():
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
    for f in logs.values():
        f.close()
    relay.cut()
    engine.dispose()


def _session(server: str, username: str) -> requests.Session:
    s = requests.Session()
    page = s.get(server + "/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = s.post(server + "/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
               allow_redirects=False)
    assert r.status_code == 302, r.text[:500]
    return s


def _uscc(n: int) -> str:
    from stdnum.cn import uscc

    base = f"91510100MA62C{n:04d}"
    return base + uscc.calc_check_digit(base + "0")


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _file_case(server: str, session: requests.Session, company: str, code: str) -> int:
    page = session.get(server + "/cases/new").text
    entry = re.search(r'name="entry_ids" type="checkbox" value="(\d+)">\s*<label[^>]*>[^<]*SC-P-001', page).group(1)
    data = {"csrf_token": _csrf(page), "subjects-0-kind": "enterprise", "subjects-0-name": company,
            "subjects-0-code": code, "subjects-1-kind": "enterprise", "subjects-2-kind": "enterprise",
            "entry_ids": [entry], "title": "集群测试案件", "facts": "事实", "legal_basis": "依据"}
    r = session.post(server + "/cases/new", data=data, files={"files": ("证据.pdf", PDF, "application/pdf")},
                     allow_redirects=False)
    assert r.status_code == 302, re.findall(r"(?:invalid-feedback|alert)[^>]*>([^<]+)", r.text)
    return int(re.search(r"/cases/(\d+)", r.headers["Location"]).group(1))


def _complete_pre_review(server, session, task_id) -> int:
    page = session.get(f"{server}/tasks/{task_id}")
    assert page.status_code == 200
    r = session.post(f"{server}/tasks/{task_id}", data={"csrf_token": _csrf(page.text), "outcome": "accept", "reasons": ""},
                     allow_redirects=False)
    return r.status_code


def test_two_servers_two_schedulers_one_database(cluster):
    a, b = cluster["servers"]["a"], cluster["servers"]["b"]
    engine = cluster["engine"]

    # Filed with an attachment on A, opened on B (another machine: its own empty upload folder).
    on_a = _session(a, "market_cw")
    case_id = _file_case(a, on_a, "集群测试有限公司", _uscc(2))
    assert not any((cluster["base"] / "b" / "uploads").glob("*/*"))
    on_b = _session(b, "market_cw")
    page = on_b.get(f"{b}/cases/{case_id}")
    assert page.status_code == 200 and "证据.pdf" in page.text
    att = re.search(rf"/cases/{case_id}/files/(\d+)", page.text).group(1)
    got = on_b.get(f"{b}/cases/{case_id}/files/{att}")
    assert got.status_code == 200 and got.content == PDF
    # The same session cookie works on either server (one SECRET_KEY), and every answer names its request id.
    assert on_a.get(f"{b}/cases/{case_id}").status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", got.headers["X-Request-ID"])

    # Tasks completed alternately on A and B; the same task sent to both at once is completed once.
    second = _file_case(b, on_b, "集群第二有限公司", _uscc(10))
    lead_a, lead_b = _session(a, "market_lead"), _session(b, "market_lead")
    with engine.connect() as conn:
        tasks = dict(conn.execute(sa.text("SELECT case_id, task_id FROM open_task WHERE case_id IN (:x, :y) "
                                          "AND bpmn_id = 'pre_review'"), {"x": case_id, "y": second}).all())
    assert _complete_pre_review(b, lead_b, tasks[case_id]) == 302
    results = []
    threads = [threading.Thread(target=lambda s, srv: results.append(_complete_pre_review(srv, s, tasks[second])),
                                args=(s, srv)) for s, srv in ((lead_a, a), (lead_b, b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with engine.connect() as conn:
        statuses = dict(conn.execute(sa.text('SELECT id, status FROM "case" WHERE id IN (:x, :y)'),
                                     {"x": case_id, "y": second}).all())
        completions = conn.execute(sa.text("SELECT count(*) FROM case_event WHERE case_id = :y AND type = 'task_completed' "
                                           "AND bpmn_id = 'pre_review'"), {"y": second}).scalar()
    assert statuses == {case_id: "determination", second: "determination"} and completions == 1, (results, statuses)

    # Timers fall due while one scheduler is killed: the other fires each exactly once.
    os.kill(cluster["procs"]["s1"].pid, signal.SIGKILL)
    due = datetime.now(timezone.utc) + timedelta(seconds=6)
    with engine.begin() as conn:
        rows = conn.execute(sa.text(
            "SELECT pi.id, pi.state, l.id FROM process_instance pi JOIN listing l ON l.instance_id = pi.id "
            "WHERE l.status = 'in_effect' AND pi.status = 'running' AND pi.next_due_at IS NOT NULL")).all()
        assert len(rows) >= 2, "the demo has listings in effect"
        for iid, state, _lid in rows:
            conn.execute(sa.text("UPDATE process_instance SET state = :s, next_due_at = :d WHERE id = :i"),
                         {"s": EVENT_VALUE.sub(f'"event_value": "{due.isoformat()}"', state), "d": due, "i": iid})
        conn.execute(sa.text("UPDATE listing SET period_end = :d WHERE id = ANY(:ids)"),
                     {"d": (due - timedelta(days=1)).date(), "ids": [r[2] for r in rows]})
    listing_ids = [r[2] for r in rows]
    deadline = time.time() + 60
    while time.time() < deadline:
        with engine.connect() as conn:
            expired = conn.execute(sa.text("SELECT count(*) FROM listing WHERE id = ANY(:ids) AND status = 'expired'"),
                                   {"ids": listing_ids}).scalar()
        if expired == len(listing_ids):
            break
        time.sleep(1)
    with engine.connect() as conn:
        events = conn.execute(sa.text(
            "SELECT count(*), count(DISTINCT (details->>'listing_id')) FROM case_event WHERE type = 'listing_expired' "
            "AND (details->>'listing_id')::int = ANY(:ids)"), {"ids": listing_ids}).one()
        pushes = conn.execute(sa.text("SELECT count(*), count(DISTINCT (listing_id, unit_id, action)) FROM push "
                                      "WHERE listing_id = ANY(:ids) AND action = 'lift'"), {"ids": listing_ids}).one()
    assert expired == len(listing_ids) == events[0] == events[1], (expired, events)
    assert pushes[0] == pushes[1] > 0
    metrics = requests.get(a + "/metrics").text
    assert "xinlian_schedulers_alive" in metrics and "xinlian_timer_lag_seconds 0.0" in metrics

    # The database goes away: /readyz says not ready (the process itself stays healthy); back again: ready.
    cluster["relay"].cut()
    try:
        r = requests.get(a + "/readyz", timeout=20)
        assert r.status_code == 503 and r.json()["reason"] == "database unreachable"
        assert requests.get(a + "/healthz", timeout=5).status_code == 200
    finally:
        cluster["relay"].restore()
    deadline = time.time() + 30
    while requests.get(a + "/readyz", timeout=20).status_code != 200:
        assert time.time() < deadline, "not ready again after the database came back"
        time.sleep(0.5)
    assert requests.get(b + "/readyz", timeout=20).status_code == 200
    # Every log line is JSON and none names a subject.
    for name in ("a", "b", "s2"):
        text = (cluster["base"] / f"{name}.log").read_text()
        assert "集群测试有限公司" not in text and _uscc(2) not in text
        for line in text.splitlines():
            if line.startswith("{"):
                json.loads(line)
