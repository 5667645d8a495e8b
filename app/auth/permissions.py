"""Role checks used by every service (templates only hide what these forbid)."""
from app.auth.models import ADMIN, OFFICE, SUPERVISOR
from app.errors import PermissionDenied
from app.i18n import lazy_gettext as _l

SEE_ALL_ROLES = (OFFICE, SUPERVISOR, ADMIN)


def require_role(actor, *roles: str) -> None:
    if actor is None or not actor.is_authenticated or actor.role not in roles:
        raise PermissionDenied(_l("Your role may not do this."))
