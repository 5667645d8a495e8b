"""Catalog entries proposed by member units, reviewed and published by the office (bpmn/catalog_proposal.bpmn)."""
from app.cases import hooks
from app.catalog_proposals import routes, services


def _proposal_section(actor, case) -> dict:
    """A proposal's case page (the office's review among it): the draft field by field beside the entry it changes."""
    if case.kind != "catalog_proposal":
        return {}
    return {"proposal_changes": services.proposed_changes(case)}


def init_app(app) -> None:
    hooks.register_tasks(services.TASKS)
    hooks.register_case_section(_proposal_section)
    app.register_blueprint(routes.bp)
