"""Role checks used by every service (templates only hide what these forbid)."""
from app.auth.models import ADMIN, ADMIN_ROLES, OFFICE, SUPERVISOR
from app.errors import DomainError, PermissionDenied
from app.i18n import lazy_gettext as _l

SEE_ALL_ROLES = (OFFICE, SUPERVISOR, ADMIN)


def require_role(actor, *roles: str) -> None:
    if actor is None or not actor.is_authenticated or actor.role not in roles:
        raise PermissionDenied(_l("Your role may not do this."))


def require_keeper(actor, user, admins_by: str, others_by: str, not_own) -> None:
    """Who may reset an account's password or authenticator (三员分立): an administrator's account only `admins_by`,
    never their own (`not_own` says where instead); any other account `others_by`."""
    if user.role in ADMIN_ROLES:
        require_role(actor, admins_by)
        if user.id == actor.id:
            raise DomainError(not_own)
    else:
        require_role(actor, others_by)


def not_a_service_account(user) -> None:
    """A department system's account (an API client's) or the public's is managed with its client, not as a user:
    it has no password, no second factor and logs in nowhere."""
    if user is not None and user.service_account:
        raise DomainError(_l("This is the account of a department system (an API client) or of the public: it has no "
                             "password and is managed on the API clients page."))
