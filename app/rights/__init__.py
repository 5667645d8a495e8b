"""The subjects' rights: objections and complaints, credit repair, applicant accounts, public lists.

`init_app` wires the feature into the case runtime: its task handlers, the access codes issued with a
decision, the applicant's view of a task."""
from app.auth.models import APPLICANT
from app.cases import hooks
from app.listings import queries as listing_queries
from app.rights import accounts, objections, queries, repair, routes


def _rights_section(actor, case, view) -> dict:
    """Access codes (their state, never the codes) for the units that serve the decision; registering an objection
    received on paper, for the unit that made the determination (for a department's list of thousands: among the
    subjects of the listings page the reader is looking at)."""
    told = case.decision == "act" or (case.noticed_at is not None and not case.decision)  # decision, or prior notice
    serving = case.kind == "punishment" and told and accounts.may_issue_codes(actor, case)
    among = listing_queries.case_listings(case.id, view.q, view.listings_page).items if case.kind == "department_list" else None
    return {"access_codes": accounts.codes_for(case.id) if serving else None,
            "issued_code": routes.take_issued_code(case.id) if serving else None,
            "paper_objection": objections.paper_candidates(actor, case, among), "desk_repair": repair.desk_candidates(actor, case, among)}


def _applicant_view(actor, ot) -> dict:
    data = queries.status_page(actor, ot.case_id)
    data.update(limited=True, applicant=True, attachments=[], units={}, meeting=None)
    return data


def init_app(app) -> None:
    hooks.register_tasks(objections.TASKS)
    hooks.register_tasks(repair.TASKS)
    hooks.register_case_section(_rights_section, paged=True)
    hooks.register_task_view(APPLICANT, _applicant_view)
    app.register_blueprint(routes.bp)
    app.register_blueprint(routes.public_bp)
    app.register_blueprint(routes.staff_bp)
