"""Data calls (报送 and 督办): the office asks units for figures by a deadline; each unit answers; the office
compiles the table (bpmn/data_call.bpmn, bpmn/data_call_unit.bpmn)."""
from sqlalchemy import select

from app.auth.models import ADMIN, OFFICE, SUPERVISOR, Unit
from app.cases import hooks
from app.data_calls import repeats, routes, services
from app.data_calls.models import DataSubmission
from app.enums import EventType
from app.extensions import db
from app.i18n import lazy_gettext as _l


def _section(actor, case) -> dict:
    if case.kind != "data_call":
        return {}
    subs = services.submissions_of(case.id)
    sees_all = actor.role in (OFFICE, SUPERVISOR, ADMIN)
    return {"data_call": {"columns": services.columns_of(case), "submissions": subs if sees_all else
                          [s for s in subs if s.unit_id == actor.unit_id], "all": sees_all, "states": services.STATE_LABELS,
                          # (whether the call is published again each period: the office's to see and stop here)
                          "repeat": repeats.of_case(case) if sees_all else None}}


def _submissions_visible(actor, attachments) -> set[int]:
    """A unit's answer (its filled-in table) is seen by that unit and by the office and supervisors, not by the other
    units called. The unit is the one its uploader belonged to then (on the timeline), not the uploader's unit now."""
    if actor.role in (OFFICE, SUPERVISOR, ADMIN):
        return {a.id for a in attachments}
    if actor.unit_id is None or not attachments:
        return set()
    units = services.uploading_units(attachments[0].case_id)
    return {a.id for a in attachments if units.get(a.id) == actor.unit_id}


# What one unit's answer leaves on the call's timeline: its submission, its return with the office's reasons, its
# acceptance, the file it added.
_ANSWER_EVENTS = {EventType.DATA_SUBMITTED, EventType.DATA_RETURNED, EventType.DATA_ACCEPTED}


def _timeline_entry_shown(actor, case, row) -> bool:
    """On a data call, a called unit reads the call and its own answer's entries, not the other units' (their
    tasks, claims, deadlines and reminders, their figures, the office's reasons for returning them, their files);
    the office, supervisors and the administrator read everything."""
    if case.kind != "data_call" or actor.role in (OFFICE, SUPERVISOR, ADMIN):
        return True
    details = row.details if isinstance(row.details, dict) else {}
    if row.type in _ANSWER_EVENTS:
        return details.get("unit_id") == actor.unit_id
    if row.type == EventType.ATTACHMENT_ADDED and details.get("purpose") == "data_submission":
        return row.actor_unit_id == actor.unit_id
    if row.type == EventType.TASK_CLAIMED:  # (by a member of the task's unit)
        return row.actor_unit_id == actor.unit_id
    if row.type == EventType.TASK_RELEASED:  # (names the person who left, not the unit)
        return False
    unit = details.get("unit_id")  # a task's, a deadline's or a notice's unit
    return unit is None or unit == actor.unit_id


def _other_units_answers(actor, case) -> set[int]:
    """The other called units' answer processes: their open steps (claimant, deadline) and diagrams are theirs."""
    if case.kind != "data_call" or actor.role in (OFFICE, SUPERVISOR, ADMIN):
        return set()
    return {s.instance_id for s in services.submissions_of(case.id) if s.unit_id != actor.unit_id and s.instance_id}


def _review_rows(open_tasks) -> dict:
    """The office's inbox rows of submissions to review: each names the unit whose data it is (three units' answers
    to one call read alike otherwise). One query for the page."""
    by_instance = {ot.instance_id: ot.task_id for ot in open_tasks}
    rows = db.session.execute(select(DataSubmission.instance_id, Unit.name).join(Unit, Unit.id == DataSubmission.unit_id)
                              .where(DataSubmission.instance_id.in_(list(by_instance)))).all()
    return {by_instance[r.instance_id]: hooks.TaskRow([], str(_l("Data of %(unit)s", unit=r.name))) for r in rows}


def init_app(app) -> None:
    hooks.register_task_rows("data_calls.review", _review_rows)
    hooks.register_tasks(services.TASKS)
    hooks.register_case_section(_section)
    hooks.register_attachment_rule("data_submission", _submissions_visible)
    hooks.register_timeline_filter(_timeline_entry_shown)
    hooks.register_hidden_instances(_other_units_answers)
    app.register_blueprint(routes.bp)
