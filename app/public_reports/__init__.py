"""Reports of dishonest behaviour from the public (举报): the public page, the reporter's query page, and the two
workflow steps (the office assigns, the unit verifies) of bpmn/public_report.bpmn."""
from app.cases import hooks
from app.cases.access import SEE_REPORTER_ROLES
from app.public_reports import routes, services


def _section(actor, case) -> dict:
    if case.kind != "public_report":
        return {}
    return {"public_report": services.report_of(case.id), "sees_reporter": actor.role in SEE_REPORTER_ROLES}


def _reporter_files(actor, attachments) -> set[int]:
    """The file a reporter sent may name them: only those who read the reporter see it."""
    return {a.id for a in attachments} if actor.role in SEE_REPORTER_ROLES else set()


def init_app(app) -> None:
    hooks.register_tasks(services.TASKS)
    hooks.register_case_section(_section)
    hooks.register_attachment_rule("report_evidence", _reporter_files)
    app.register_blueprint(routes.bp)
