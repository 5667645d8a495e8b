"""Data calls (报送 and 督办): the office asks units for figures by a deadline; each unit answers; the office
compiles the table (bpmn/data_call.bpmn, bpmn/data_call_unit.bpmn)."""
from app.auth.models import ADMIN, OFFICE, SUPERVISOR
from app.cases import hooks
from app.data_calls import routes, services


def _section(actor, case) -> dict:
    if case.kind != "data_call":
        return {}
    subs = services.submissions_of(case.id)
    sees_all = actor.role in (OFFICE, SUPERVISOR, ADMIN)
    return {"data_call": {"columns": services.columns_of(case), "submissions": subs if sees_all else
                          [s for s in subs if s.unit_id == actor.unit_id], "all": sees_all, "states": services.STATE_LABELS}}


def _submission_visible(actor, attachment) -> bool:
    """A unit's answer (its filled-in table) is seen by that unit and by the office and supervisors, not by the other
    units called. The unit is the one its uploader belonged to then (on the timeline), not the uploader's unit now."""
    if actor.role in (OFFICE, SUPERVISOR, ADMIN):
        return True
    return actor.unit_id is not None and services.uploading_unit(attachment) == actor.unit_id


def init_app(app) -> None:
    hooks.register_tasks(services.TASKS)
    hooks.register_case_section(_section)
    hooks.register_attachment_rule("data_submission", _submission_visible)
    app.register_blueprint(routes.bp)
