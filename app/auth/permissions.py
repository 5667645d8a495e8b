"""Permission checks used by every service (templates only hide what these forbid)."""
from app.i18n import lazy_gettext as _l
from sqlalchemy import exists, select

from app.auth.models import ADMIN, EXPERT, OFFICE, SUPERVISOR
from app.cases.models import CaseUnit
from app.errors import PermissionDenied
from app.extensions import db

SEE_ALL_ROLES = (OFFICE, SUPERVISOR, ADMIN)


def require_role(actor, *roles: str) -> None:
    if actor is None or not actor.is_authenticated or actor.role not in roles:
        raise PermissionDenied(_l("Your role may not do this."))


def _expert_clause(actor, case_id_column):
    from app.experts.models import Invitation
    from app.experts.services import SAT_STATUSES

    return exists().where(
        Invitation.case_id == case_id_column,
        Invitation.expert_id == actor.expert_id,
        Invitation.status.in_(SAT_STATUSES),
    )


def case_visibility_clause(actor, case_id_column):
    """SQL condition limiting cases to those the actor may see; None means no limit. Experts see only the
    files of meetings they confirmed; applicants arrive with their own rule later."""
    if actor.role in SEE_ALL_ROLES:
        return None
    if actor.role == EXPERT:
        return _expert_clause(actor, case_id_column) if actor.expert_id else False
    if actor.unit_id is None or actor.role not in ("caseworker", "group_lead"):
        return False
    return exists().where(CaseUnit.case_id == case_id_column, CaseUnit.unit_id == actor.unit_id)


def can_see_case(actor, case_id: int) -> bool:
    if actor.role in SEE_ALL_ROLES:
        return True
    if actor.role == EXPERT:
        return bool(actor.expert_id) and bool(db.session.scalar(select(_expert_clause(actor, case_id))))
    if actor.unit_id is None or actor.role not in ("caseworker", "group_lead"):
        return False
    return bool(
        db.session.scalar(
            select(exists().where(CaseUnit.case_id == case_id, CaseUnit.unit_id == actor.unit_id))
        )
    )


def can_see_full_codes(actor, case) -> bool:
    """Whole identity numbers only for the office, administrators and the unit that filed the case."""
    return actor.role in (OFFICE, ADMIN) or actor.unit_id == case.initiating_unit_id


def may_work_on(actor, open_task) -> bool:
    """The task is for this person (assignee) or for their role in their unit."""
    if open_task.assignee_id is not None:
        return actor.id == open_task.assignee_id
    return actor.role == open_task.role and actor.unit_id is not None and actor.unit_id == open_task.unit_id


def can_act_on_task(actor, open_task) -> bool:
    return may_work_on(actor, open_task) and open_task.claimed_by_id in (None, actor.id)
