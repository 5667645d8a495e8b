"""The expert's own tasks of bpmn/expert_invitation.bpmn (found by form key, registered in create_app)."""
from app.errors import DomainError
from app.experts import services
from app.experts.services import invitation_for_instance
from app.i18n import lazy_gettext as _l


def respond(ctx) -> dict:
    inv = invitation_for_instance(ctx.task.instance_id)
    answer = ctx.values.get("answer")
    if answer not in ("confirm", "decline"):
        raise DomainError(_l("Say whether you take part."), "answer")
    services.respond(ctx.actor, inv, answer, ctx.values.get("reason") or "")
    return {"answer": answer}


def opinion(ctx) -> dict:
    inv = invitation_for_instance(ctx.task.instance_id)
    services.submit_opinion(ctx.actor, inv, ctx.values.get("vote"), ctx.values.get("reasons") or "")
    return {}


TASKS = {"experts.respond": respond, "experts.opinion": opinion}
