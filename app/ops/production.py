"""`flask run-production`: the web workers (gunicorn) and the scheduler processes of one machine, started
together from the environment, after refusing a configuration that cannot be safe."""
import os
import signal
import subprocess
import sys
import tempfile
import time

MIN_SECRET = 32


def default_workers() -> int:
    """Web workers per server when not told: two per core (each serves one request at a time: gunicorn_conf)."""
    return max(2, 2 * (os.cpu_count() or 1))


def unsafe(config, workers: int, environ=os.environ) -> list[str]:
    """Why this configuration must not serve production (empty: it may)."""
    problems = []
    if len(environ.get("SECRET_KEY", "")) < MIN_SECRET:
        problems.append(f"SECRET_KEY must be set in the environment, at least {MIN_SECRET} random characters "
                        "(a key kept in the instance folder is not shared by the servers of a cluster).")
    if config.get("DEBUG") or environ.get("FLASK_DEBUG", "0") not in ("", "0", "false", "False"):
        problems.append("Debug mode is on (FLASK_DEBUG): it shows code and data in error pages. Turn it off.")
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and workers > 1:
        problems.append("SQLite cannot serve several web workers: set DATABASE_URL to PostgreSQL "
                        "(postgresql+psycopg://…) or run one worker.")
    if not config.get("TWO_FACTOR", True):
        problems.append("Two-factor login is off (XINLIAN_TWO_FACTOR=0): that is for the demo only.")
    if not config.get("CHAIN_KEY"):
        problems.append(f"The chain key file {config.get('CHAIN_KEY_FILE')} (XINLIAN_CHAIN_KEY_FILE) does not exist: create it "
                        "once with `flask keys init` and give every server the same file (or set XINLIAN_CHAIN_KEY).")
    if not config.get("DATA_KEY_PROVIDER") and not os.path.isfile(config.get("DATA_KEY_FILE") or ""):
        problems.append(f"The data key file {config.get('DATA_KEY_FILE')} (XINLIAN_DATA_KEY_FILE) does not exist: create it once "
                        "with `flask keys init` and give every server the same file (or set XINLIAN_DATA_KEY_PROVIDER).")
    if config.get("TESTING"):
        problems.append("The test configuration cannot serve production.")
    return problems


def cautions(config, workers: int) -> list[str]:
    """What this configuration weakens without making it unsafe to start (said when it starts)."""
    out = []
    if workers > 1 and str(config.get("RATELIMIT_STORAGE_URI", "")).startswith(("process-memory://", "memory://")):
        out.append(f"Login, registration, public-search and API rate limits are counted by each of the {workers} web "
                   f"workers apart (up to {workers}x the configured rates from one address): set XINLIAN_RATELIMIT_STORAGE "
                   "to a shared store (redis://…) to count them together. Account lockouts are counted in the database "
                   "and are not affected.")
    return out


def run(bind: str, workers: int, schedulers: int, echo=print) -> int:
    """Start gunicorn and the schedulers; stop them all when one ends or on SIGTERM/SIGINT. Returns the exit
    code of the process that ended first (a supervisor such as systemd restarts the whole set)."""
    metrics_dir = tempfile.mkdtemp(prefix="xinlian-metrics-")
    base = dict(os.environ, XINLIAN_ENV="production")
    web_env = dict(base, XINLIAN_SCHEDULER="0", PROMETHEUS_MULTIPROC_DIR=metrics_dir)
    procs = [subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:app.ops.gunicorn_conf",
                               "--workers", str(workers), "--bind", bind, "wsgi:app"], env=web_env)]
    procs += [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"], env=base)
              for _ in range(schedulers)]
    echo(f"Xinlian production: {workers} web workers on {bind}, {schedulers} scheduler process(es)")
    stopping = {"sig": None}

    def stop(signum, _frame):
        stopping["sig"] = signum

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    while stopping["sig"] is None:
        ended = [p for p in procs if p.poll() is not None]
        if ended:
            code = ended[0].returncode or 1
            echo(f"process {ended[0].args[2:4]} ended with {ended[0].returncode}: stopping the others")
            break
        time.sleep(0.5)
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
    return code
