"""Reports of dishonest behaviour from the public (举报): the public page, the reporter's query page, and the two
workflow steps (the office assigns, the unit verifies) of bpmn/public_report.bpmn."""
from app.auth.models import ADMIN
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


def _report_entries(actor, case, row) -> bool:
    """The timeline entry of the reporter's file names it (its file name may name the reporter): shown only to those
    who read the reporter. The entry on a trigger filed from a report names the report: not shown to the system
    administrator, who does not see reports."""
    if row.type == "report_filed":
        return actor.role != ADMIN
    return not (row.type == "attachment_added" and isinstance(row.details, dict)
                and row.details.get("purpose") == "report_evidence" and actor.role not in SEE_REPORTER_ROLES)


def init_app(app) -> None:
    hooks.register_tasks(services.TASKS)
    hooks.register_case_section(_section)
    hooks.register_attachment_rule("report_evidence", _reporter_files)
    hooks.register_timeline_filter(_report_entries)
    app.register_blueprint(routes.bp)
