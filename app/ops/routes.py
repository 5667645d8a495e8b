"""/healthz (the process answers), /readyz (the database is reachable and migrated to head) and /metrics
(Prometheus, behind a token or an address allow list). No login, no personal data. A stalled scheduler does
not make a web server unready (it would take every server out of the load balancer); it shows in the
metrics and on the administrators' and supervisors' pages instead."""
import hmac
import ipaddress
from functools import lru_cache
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Blueprint, abort, current_app, jsonify, request
from sqlalchemy import text

from app.extensions import db, limiter
from app.ops import metrics

bp = Blueprint("ops", __name__)


@bp.route("/healthz")
@limiter.exempt
def healthz():
    return jsonify(status="ok")


@lru_cache(maxsize=4)
def _heads(migrations_dir: str) -> frozenset[str]:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", migrations_dir)
    return frozenset(ScriptDirectory.from_config(cfg).get_heads())


@bp.route("/readyz")
@limiter.exempt
def readyz():
    try:
        current = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    except Exception:  # noqa: BLE001  (any failure to ask the database means: not ready)
        db.session.rollback()
        return jsonify(status="not ready", reason="database unreachable"), 503
    finally:
        db.session.rollback()
    heads = _heads(str(Path(current_app.root_path).parent / "migrations"))
    if current != heads:
        return jsonify(status="not ready", reason="database schema is not at the migrations' head"), 503
    return jsonify(status="ready")


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        addr = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(addr in ipaddress.ip_network(n.strip(), strict=False)
               for n in current_app.config.get("METRICS_ALLOW", "").split(",") if n.strip())


@bp.route("/metrics")
@limiter.exempt
def metrics_page():
    if not _allowed():
        abort(403)
    return metrics.render(), 200, {"Content-Type": "text/plain; version=0.0.4; charset=utf-8"}
