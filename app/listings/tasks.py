"""The task of bpmn/measure_push.bpmn: a unit confirms that it suspended, resumed or lifted its measure."""
from app.cases.tasks import TaskContext
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.listings import services


def confirm_push(ctx: TaskContext) -> dict:
    push_row = services.push_for_instance(ctx.task.instance_id)
    note = (ctx.values.get("note") or "").strip()
    cannot = bool(ctx.values.get("cannot"))
    if cannot and push_row.action != "apply":
        raise DomainError(_l("Only a measure to apply can be reported as one your unit cannot apply."), "cannot")
    if cannot and ctx.values.get("done"):
        raise DomainError(_l("Tick one: the measure was adjusted as pushed, or your unit cannot apply it."), "cannot")
    if cannot and len(note) < 2:
        raise DomainError(_l("Say why your unit cannot apply the measure."), "note")
    if not cannot and not ctx.values.get("done"):
        raise DomainError(_l("Confirm that the measure was adjusted as pushed, or tick that your unit cannot apply it.")
                          if push_row.action == "apply" else _l("Confirm that the measure was adjusted as pushed."), "done")
    services.confirm_push(ctx.actor, push_row, note, cannot=cannot)
    return {}


TASKS = {"listings.confirm_push": confirm_push}
