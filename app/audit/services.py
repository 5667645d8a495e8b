"""Recording administrative changes (flush only; the route commits with the change itself)."""
from app.audit.models import AdminChange
from app.extensions import db


def record(actor, entity: str, key, action: str, before: dict | None = None, after: dict | None = None, reason: str = "") -> None:
    db.session.add(AdminChange(actor_id=actor.id, entity=entity, entity_key=str(key), action=action,
                               before=before, after=after, reason=reason or ""))
