"""Due process before a listing: the prior notice to each subject and its statement (陈述申辩).

`init_app` adds the notices to the staff case page and to the applicant's case page, and registers the pages
where statements are made (portal) and recorded when received on paper (staff)."""
from app.cases import hooks
from app.dueprocess import admin_routes, corrections, decision_document, routes, services
from app.dueprocess.forms import ServiceForm, StatementForm
from app.engine.runner import register_script_functions


def _section(actor, case) -> dict:
    notices = services.notices_of(case.id)
    recordable = {n.id for n in notices if services.period_open(n) and services.may_record_for_subject(actor, n)}
    # (the service of a notice is recorded by the same staff, once, before the case is decided: a period counted from
    # a later service moves, or reopens for a subject the notice reached late)
    serve_notice = {n.id for n in notices if services.may_be_served(actor, n, case)}
    serving = services.may_record_service(actor, case)
    return {"prior_notices": notices, "notice_recordable": recordable, "notice_servable": serve_notice,
            "statement_form": StatementForm() if recordable else None,
            "decision_services": services.services_of(case.id) if case.decision == "act" and case.kind == "punishment" else None,
            "service_form": ServiceForm() if serving else None}


def _portal_section(actor, case) -> dict:
    notice = next((n for n in services.notices_of(case.id) if n.subject_id == actor.subject_id), None)
    served = next((s for s in services.services_of(case.id) if s.subject_id == actor.subject_id), None)
    return {"prior_notice": notice, "notice_open": notice is not None and services.period_open(notice),
            "notice_rights": services.RIGHTS, "decision_service": served}


def init_app(app) -> None:
    hooks.register_tasks(corrections.TASKS)
    hooks.register_case_section(_section)
    hooks.register_portal_section(_portal_section)
    hooks.register_identity_document(decision_document.DECISION)
    register_script_functions(services.SCRIPT_FUNCTIONS)
    app.register_blueprint(routes.portal_bp)
    app.register_blueprint(routes.staff_bp)
    app.register_blueprint(routes.subjects_bp)
    app.register_blueprint(admin_routes.bp)
