"""Experts: the expert database, the auditable random draw, invitations, meetings and opinions.

`init_app` wires the feature into the case runtime: its task handlers, what an expert may see (the files
of meetings they sit on), and what happens when an invitation process ends."""
from sqlalchemy import exists

from app.auth.models import EXPERT
from app.cases import hooks
from app.cases.access import can_see_case
from app.cases.models import Case
from app.experts import convocation, routes, services, tasks
from app.experts.models import Invitation
from app.extensions import db


def _expert_sees(actor, case_id_column):
    if not actor.expert_id:
        return False
    return exists().where(
        Invitation.case_id == case_id_column,
        Invitation.expert_id == actor.expert_id,
        Invitation.status.in_(services.SAT_STATUSES),
    )


def _meeting_section(actor, case) -> dict:
    return {"meeting": services.meeting_view(case.id), "convened": convocation.convened_of(case.id)}


def _sat_draws_section(actor, case) -> dict:
    """An expert who confirmed: the draws that put them on this case's meeting, whose record (who sits, who was
    excluded and why) they may verify, as their invitation said."""
    return {"sat_draws": services.draws_sat_on(actor, case.id)}


def _invited_expert_view(actor, ot) -> dict | None:
    """Invited, not yet confirmed: the file stays closed; the expert sees which case, behaviour and when."""
    if can_see_case(actor, ot.case_id):
        return None
    return {"case": db.session.get(Case, ot.case_id), "invitation": services.invitation_for_instance(ot.instance_id),
            "limited": True, "tasks": [], "attachments": [], "timeline": [], "units": {}, "meeting": None}


def init_app(app) -> None:
    hooks.register_tasks(tasks.TASKS)
    hooks.register_tasks(convocation.TASKS)
    hooks.on_process_end(convocation.PROCESS, convocation.ended)
    hooks.register_visibility(EXPERT, _expert_sees)
    # What the meeting reads: the evidence, the subjects' statements with theirs, the minutes and the decision.
    hooks.register_role_purposes(EXPERT, {"evidence", "statement", "minutes", "decision"})
    hooks.on_process_end(services.INVITATION_PROCESS, services.invitation_ended)
    hooks.register_case_section(_meeting_section)
    hooks.register_expert_section(_sat_draws_section)
    hooks.register_task_view(EXPERT, _invited_expert_view)
    app.register_blueprint(routes.bp)
