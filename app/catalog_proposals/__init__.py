"""Catalog entries proposed by member units, reviewed and published by the office (bpmn/catalog_proposal.bpmn)."""
from app.cases import hooks
from app.catalog_proposals import routes, services


def init_app(app) -> None:
    hooks.register_tasks(services.TASKS)
    app.register_blueprint(routes.bp)
