"""`make load`: Locust, headless, against a cluster like production's (issue 19): two gunicorn app servers and a
scheduler on PostgreSQL, one endpoint at a time at a fixed 25 requests per second. Prints per endpoint
`load p95 ms`, `load errors` and `cpu ms per request` (the app servers' CPU time over the phase ÷ the requests
answered; PostgreSQL's own CPU is printed beside it), so capacity per core can be planned.

Database: LOAD_DATABASE_URL (default postgresql+psycopg://xinlian:xinlian@127.0.0.1:5432/xinlian_load; its
name must contain "load": every table in it is dropped). LOAD_SECONDS per endpoint (default 30), LOAD_RPS
(default 25), LOAD_WORKERS per app server (default 2), LOAD_WARM_SECONDS (default 5): each endpoint is first
driven at the same rate for this long, unmeasured, so that every worker thread has its database connection and
the endpoint's caches before the measured run (gunicorn's post_worker_init already compiles the templates).
The load generator's own CPU is printed too: it shares the machine's cores with the cluster."""
import csv
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from cpu import postgres_cpu, tree_cpu  # noqa: E402

URL = os.environ.get("LOAD_DATABASE_URL", "postgresql+psycopg://xinlian:xinlian@127.0.0.1:5432/xinlian_load")
SECONDS = int(os.environ.get("LOAD_SECONDS", 30))
RPS = int(os.environ.get("LOAD_RPS", 25))
WORKERS = int(os.environ.get("LOAD_WORKERS", 2))
WARM = int(os.environ.get("LOAD_WARM_SECONDS", 5))
PHASES = [("inbox", "inbox"), ("case", "case page"), ("complete", "task completion"), ("search", "search"),
          ("check", "credit check")]
SECRET = "load-test-secret-" + "y" * 32


def fresh_database() -> sa.Engine:
    url = make_url(URL)
    if "load" not in (url.database or ""):
        sys.exit("LOAD_DATABASE_URL must name a database whose name contains 'load' (every table in it is dropped).")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    except sa.exc.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{url.database}" ENCODING \'UTF8\' TEMPLATE template0'))
        admin.dispose()
    return engine


def seed(env: dict) -> dict:
    """Demo data, then market-group cases waiting for pre-review (the completions), an API client (the checks)."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for cmd in (["db", "upgrade"], ["demo"]):
        subprocess.run(flask + cmd, cwd=ROOT, env=env, check=True, capture_output=True, timeout=900)
    os.environ.update({k: v for k, v in env.items() if k in ("DATABASE_URL", "SECRET_KEY", "XINLIAN_CHAIN_KEY",
                                                                "XINLIAN_DATA_KEY_FILE")})
    from app import create_app
    from app.api import clients
    from app.cases.models import Subject
    from app.catalog.models import CatalogEntry
    from app.extensions import db
    from app.listings.models import Listing
    from bench import file_one, user
    from config import DevConfig

    class LoadConfig(DevConfig):
        SQLALCHEMY_DATABASE_URI = env["DATABASE_URL"]
        SCHEDULER_ENABLED = False
        # (config.py was read before this environment was set: the servers' keys, named here)
        DATA_KEY_FILE = env["XINLIAN_DATA_KEY_FILE"]
        CHAIN_KEY = env["XINLIAN_CHAIN_KEY"]
        SECRET_KEY = env["SECRET_KEY"]

    app = create_app(LoadConfig)
    with app.app_context():
        entry = db.session.scalar(sa.select(CatalogEntry.id).where(CatalogEntry.code == "SC-P-001"))
        cases = []
        for n in range(RPS * (SECONDS + 2 * WARM) + 100):
            cases.append(file_one(entry, 800_000 + n).id)
            if n % 50 == 0:
                db.session.commit()
        db.session.commit()
        tasks = db.session.scalars(sa.text("SELECT task_id FROM open_task WHERE bpmn_id = 'pre_review' AND case_id = ANY(:c) "
                                           "ORDER BY id"), {"c": cases}).all()
        listed = db.session.scalars(sa.select(Subject.code).join(Listing, Listing.subject_id == Subject.id)).all()
        _client, token, _secret = clients.create(user("admin"), "load", user("market_cw").unit_id, ["check"])
        clients.approve(user("secadmin"), _client.id)
        db.session.commit()
        matter = app.config["CHECK_MATTER_TYPES"][0]
    unknown = [f"91510400MC{i:07d}" for i in range(50)]
    from stdnum.cn import uscc

    unknown = [u + uscc.calc_check_digit(u + "0") for u in unknown]
    return {"cases": cases, "tasks": list(tasks), "terms": ["基准", "测试企", "企业8", "某食品", "bench"],
            "codes": listed + unknown, "token": token, "matter_type": matter}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _login(server: str, username: str) -> dict:
    import re

    csrf = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
    s = requests.Session()
    page = s.get(server + "/login").text
    s.post(server + "/login", data={"username": username, "password": "demo1234", "csrf_token": csrf.search(page).group(1)})
    token = csrf.search(s.get(server + "/tasks/").text).group(1)
    (name, value), = s.cookies.get_dict().items()
    return {"name": name, "cookie": value, "csrf": token}


def _stats(prefix: Path, name: str) -> tuple[int, int, float]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Name"] == name:
                return int(row["Request Count"]), int(row["Failure Count"]), float(row["95%"])
    return 0, 0, float("nan")


def main():
    engine = fresh_database()
    engine.dispose()
    base = Path(tempfile.mkdtemp(prefix="xinlian-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINLIAN_", "FLASK_"))}
    from app.crypto import new_keyring, write_key_file

    write_key_file(base / "data.key", new_keyring())  # (one key file for both servers and the seeding)
    env.update(XINLIAN_ENV="production", SECRET_KEY=SECRET, XINLIAN_CHAIN_KEY="load-chain-key", XINLIAN_FILE_STORE="database",
               XINLIAN_DATA_KEY_FILE=str(base / "data.key"),
               XINLIAN_INSECURE_COOKIES="1", DATABASE_URL=URL, PYTHONPATH=str(ROOT), XINLIAN_INSTANCE_DIR=str(base / "setup"),
               XINLIAN_API_RATE_LIMIT="100000 per minute", XINLIAN_LOGIN_RATE_LIMIT="100000 per minute")
    print("seeding (demo data and the cases to complete)…", flush=True)
    config = seed(env)
    servers, procs, logs = [], [], []
    for name in ("a", "b"):
        port = _free_port()
        log = (base / f"{name}.log").open("w")
        logs.append(log)
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:app.ops.gunicorn_conf", "--workers", str(WORKERS),
             "--bind", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            env=dict(env, XINLIAN_SCHEDULER="0", XINLIAN_INSTANCE_DIR=str(base / name), PROMETHEUS_MULTIPROC_DIR=str(base / name))))
        servers.append(f"http://127.0.0.1:{port}")
    sched = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for url in servers:
            for _ in range(120):
                try:
                    if requests.get(url + "/readyz", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.5)
        config["sessions"] = {url: _login(url, "market_lead") for url in servers}
        lenv = dict(os.environ, LOAD_SERVERS=",".join(servers), LOAD_CONFIG=json.dumps(config))
        server_pids = [p.pid for p in procs]
        total_errors = 0
        print(f"{RPS} requests per second for {SECONDS} s per endpoint, {len(servers)} app servers × {WORKERS} gunicorn "
              f"workers, 1 scheduler, PostgreSQL; {os.cpu_count()} cores; measured after {WARM} s at the same rate", flush=True)
        tasks = config["tasks"]
        warm_tasks = 2 * RPS * WARM  # completed during the warm-up runs; the measured runs take the rest

        def locust(tag: str, seconds: int, prefix: Path, run_config: dict) -> None:
            lenv["LOAD_CLASS"] = "DepartmentSystem" if tag == "check" else "Caseworker"
            lenv["LOAD_CONFIG"] = json.dumps(run_config)
            subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                            "-u", str(RPS), "-r", str(RPS), "-t", f"{seconds}s", "--tags", tag, "--csv", str(prefix),
                            "--only-summary", "--loglevel", "WARNING"], env=lenv, cwd=ROOT, check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        for tag, name in PHASES:
            prefix = base / tag
            if WARM:
                locust(tag, WARM, base / f"{tag}_warm", dict(config, tasks=tasks[:warm_tasks]))
            cpu0, pg0 = tree_cpu(server_pids), postgres_cpu()
            gen0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            locust(tag, SECONDS, prefix, dict(config, tasks=tasks[warm_tasks:]))
            gen1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu1, pg1 = tree_cpu(server_pids), postgres_cpu()
            gen = (gen1.ru_utime + gen1.ru_stime) - (gen0.ru_utime + gen0.ru_stime)
            count, failures, p95 = _stats(prefix, name)
            total_errors += failures
            per = (cpu1 - cpu0) * 1000 / max(count, 1)
            print(f"load p95 ms {name}: {p95:.0f} ({count} requests, {failures} errors, {count / SECONDS:.1f} per s)", flush=True)
            print(f"cpu ms per request {name}: {per:.1f} (app servers; PostgreSQL "
                  f"{(pg1 - pg0) * 1000 / max(count, 1):.1f}; load generator {gen * 1000 / max(count, 1):.1f})", flush=True)
        print(f"load errors: {total_errors}", flush=True)
    finally:
        for p in [*procs, sched]:
            p.terminate()
        for p in [*procs, sched]:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        for log in logs:
            log.close()


if __name__ == "__main__":
    main()
