"""Permission checks used by every service (templates only hide what these forbid)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from app.auth.models import ADMIN, OFFICE, SUPERVISOR
from app.cases.models import CaseUnit
from app.errors import PermissionDenied
from app.extensions import db

SEE_ALL_ROLES = (OFFICE, SUPERVISOR, ADMIN)


def require_role(actor, *roles: str) -> None:
    if actor is None or not actor.is_authenticated or actor.role not in roles:
        raise PermissionDenied(_l("Your role may not do this."))


def case_visibility_clause(actor, case_id_column):
    """SQL condition limiting cases to those the actor may see; None means no limit."""
    if actor.role in SEE_ALL_ROLES:
        return None
    if actor.unit_id is None:
        return False
    return exists().where(CaseUnit.case_id == case_id_column, CaseUnit.unit_id == actor.unit_id)


def can_see_case(actor, case_id: int) -> bool:
    if actor.role in SEE_ALL_ROLES:
        return True
    if actor.unit_id is None:
        return False
    return bool(
        db.session.scalar(
            select(exists().where(CaseUnit.case_id == case_id, CaseUnit.unit_id == actor.unit_id))
        )
    )


def can_see_full_codes(actor, case) -> bool:
    """Whole identity numbers only for the office, administrators and the unit that filed the case."""
    return actor.role in (OFFICE, ADMIN) or actor.unit_id == case.initiating_unit_id


def can_act_on_task(actor, open_task) -> bool:
    return (
        actor.role == open_task.role
        and actor.unit_id is not None
        and actor.unit_id == open_task.unit_id
        and open_task.claimed_by_id in (None, actor.id)
    )
