"""Operating Xinlian: health and readiness for load balancers, Prometheus metrics, one JSON log line per
request with its request id (issue 19)."""
from app.ops import logs, metrics, routes


def register(app) -> None:
    logs.configure(app)
    metrics.init_app(app)
    app.register_blueprint(routes.bp)
