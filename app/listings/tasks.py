"""The task of bpmn/measure_push.bpmn: a unit confirms that it suspended, resumed or lifted its measure."""
from app.cases.tasks import TaskContext
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.listings import services


def confirm_push(ctx: TaskContext) -> dict:
    if not ctx.values.get("done"):
        raise DomainError(_l("Confirm that the measure was adjusted as pushed."), "done")
    push_row = services.push_for_instance(ctx.task.instance_id)
    services.confirm_push(ctx.actor, push_row, (ctx.values.get("note") or "").strip())
    return {}


TASKS = {"listings.confirm_push": confirm_push}
