"""gunicorn settings (`gunicorn -c python:app.ops.gunicorn_conf wsgi:app`, as `flask run-production` starts
it). Workers, bind address and timeouts come from the command line or GUNICORN_CMD_ARGS."""
import os

from prometheus_client import multiprocess

from app.ops.production import unsafe
from config import ProdConfig

worker_class = "gthread"
# One request at a time per worker process by default (gthread still holds idle keep-alive connections in its
# poller): a request computes for most of its time, and threads of one process take turns at the interpreter
# lock, so under load a request whose database answer had arrived waited behind its siblings. Measured with the
# credit check at 200 per second on two cores (`make bench-pg`): two workers of four threads, p95 45–120 ms;
# three or four single-threaded workers, 28–39 ms, for the same CPU per check. Give more workers instead (about
# two per core: `production.default_workers`).
threads = int(os.environ.get("XINLIAN_THREADS", 1))
timeout = 60
# An idle keep-alive connection is held this long (in gthread's poller, not a thread). gunicorn's default of 2 s
# closed connections that clients were about to reuse: a client sending one request every second or two on a
# kept-alive connection sometimes met the close (a reset). Longer than the idle timeouts of common clients and
# proxies (nginx holds idle upstream connections 60 s), so the client side closes first.
keepalive = 75
graceful_timeout = 30
accesslog = None  # the app writes one JSON line per request (with its request id) itself
# gunicorn's runtime control socket is one path per user: several servers on one machine would share it.
control_socket_disable = True
max_requests = 5000  # workers are replaced now and then (no slow leak lives forever)
max_requests_jitter = 500


def on_starting(server):
    problems = unsafe({k: getattr(ProdConfig, k) for k in dir(ProdConfig) if k.isupper()}, server.cfg.workers)
    if problems:
        raise SystemExit("Refusing to start:\n- " + "\n- ".join(problems))
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:  # the workers' shared request metrics: a fresh folder per start (stale files would add up)
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.unlink(os.path.join(folder, name))


def post_worker_init(worker):
    from app.ops.warmup import warm  # reason: in the worker only (the master never imports the app)

    warm(worker.wsgi)  # (the Flask app: wsgi:app)


def child_exit(_server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
