"""The subjects' rights: objections and complaints, credit repair, applicant accounts, public lists.

`init_app` wires the feature into the case runtime: its task handlers, the access codes issued with a
decision, the applicant's view of a task."""
from app.auth.models import ADMIN, APPLICANT, OFFICE
from app.cases import hooks
from app.rights import accounts, objections, queries, repair, routes


def _rights_section(actor, case) -> dict:
    """Access codes for the units that serve the decision."""
    serving = actor.role in (OFFICE, ADMIN) or actor.unit_id in (
        case.initiating_unit_id, case.group.lead_unit_id if case.group else None)
    return {"access_codes": accounts.codes_for(case.id) if serving else []}


def _applicant_view(actor, ot) -> dict:
    data = queries.status_page(actor, ot.case_id)
    data.update(limited=True, applicant=True, attachments=[], units={}, meeting=None)
    return data


def init_app(app) -> None:
    hooks.register_tasks(objections.TASKS)
    hooks.register_tasks(repair.TASKS)
    hooks.subscribe(hooks.DECISION_RECORDED, accounts.issue_codes_on_decision)
    hooks.register_case_section(_rights_section)
    hooks.register_task_view(APPLICANT, _applicant_view)
    app.register_blueprint(routes.bp)
    app.register_blueprint(routes.public_bp)
