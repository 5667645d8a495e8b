"""Reports of dishonest behaviour from the public (举报): the public page, the reporter's query page, and the two
workflow steps (the office assigns, the unit verifies) of bpmn/public_report.bpmn."""
from app.cases import hooks
from app.public_reports import routes, services


def _section(actor, case) -> dict:
    if case.kind != "public_report":
        return {}
    return {"public_report": services.report_of(case.id)}


def init_app(app) -> None:
    hooks.register_tasks(services.TASKS)
    hooks.register_case_section(_section)
    app.register_blueprint(routes.bp)
