"""Warm a fresh worker before it takes requests (gunicorn's post_worker_init): every page template compiled,
both catalogs loaded and a database connection opened. Without it the first requests a new or recycled worker
answers pay for all of that (a case page took 300 ms instead of 40 on its first request)."""
import gc
import logging

from flask_babel import force_locale
from sqlalchemy import text

from app.extensions import db
from app.i18n import translations

log = logging.getLogger("xinlian.warmup")


def warm(app) -> None:
    env = app.jinja_env
    names = [n for n in env.list_templates(extensions=("html", "txt")) if not n.startswith("bootstrap")]
    for name in names:
        env.get_template(name)
    with app.test_request_context("/"):
        for locale in app.config.get("LANGUAGES", ("zh", "en")):
            with force_locale(locale):
                translations()
        try:
            db.session.execute(text("SELECT 1"))
        except Exception:  # a database not reachable yet: /readyz says so, requests will retry
            log.warning("warm-up could not reach the database", exc_info=True)
        finally:
            db.session.remove()
    log.info("worker warmed: %d templates compiled", len(names))
    settle()


def settle() -> None:
    """Leave what is loaded by now (modules, the app, compiled templates and statements: about 225,000 objects,
    alive as long as the process) out of every later full garbage collection. Walking them took 190 ms, once every
    few hundred requests or timer firings: a stall for the request being answered and every one queued behind it
    on that worker (the credit check's p95 was 120–240 ms with a median of 11–17; `make bench-pg`)."""
    gc.collect()
    gc.freeze()
