"""Recording administrative changes (flush only; the route commits with the change itself). Each is also an
event of the security audit log (app/security_log): who did what to which record, without the values."""
from app.audit.models import AdminChange
from app.extensions import db
from app.security_log import services as security_log


def record(actor, entity: str, key, action: str, before: dict | None = None, after: dict | None = None, reason: str = "") -> None:
    db.session.add(AdminChange(actor_id=actor.id, entity=entity, entity_key=str(key), action=action,
                               before=before, after=after, reason=reason or ""))
    security_log.record("admin_action", actor, entity=entity, key=key, details={"action": action})
