"""The exchange API for department systems (/api/v1): flask-smorest blueprints whose OpenAPI document is
generated from the schemas (app.api.routes: token authentication with scopes, a per-client rate limit, a log of
every call, JSON errors in Chinese and English), the webhook outbox, and the administrators' pages for clients."""
from sqlalchemy import select

from app.api import admin_routes, docs, routes, webhooks
from app.api.models import ApiClient
from app.api.spec import XinlianApi
from app.cases import hooks
from app.extensions import csrf, db
from app.security_log import services as security_log

API_SPEC = {
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "xl_<id>_<secret>"}}},
    "security": [{"bearer": []}],
    "info": {"description": "Exchange API of the joint credit reward and punishment system (信联). Each client belongs to "
                            "one unit and holds scopes: check, feedback, lists, lists-identity, cases-read. Errors are JSON: "
                            "{code, message: {zh, en}, field}."},
}


def init_app(app) -> None:
    app.config.setdefault("API_TITLE", "Xinlian exchange API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = XinlianApi(app, spec_kwargs=API_SPEC)  # one per app: it holds that app's generated document
    app.extensions["xinlian_api"] = api
    for bp in routes.BLUEPRINTS:
        api.register_blueprint(bp)
        csrf.exempt(bp)
    app.register_blueprint(admin_routes.bp)
    security_log.name_records("api_client", lambda ids: dict(db.session.execute(
        select(ApiClient.id, ApiClient.name).where(ApiClient.id.in_(ids))).all()))
    app.register_blueprint(docs.bp)
    hooks.subscribe(hooks.MEASURE_CHANGED, webhooks.enqueue)
