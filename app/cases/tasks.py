"""Working on open tasks: claim, release, complete. One call is one transaction at the edge; the
process instance's version column makes the second of two simultaneous completions fail cleanly.
What completing a task means is the handler its feature registered for the form key (cases.hooks)."""
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.auth.services import staff_left
from app.cases import events, hooks, runtime
from app.cases.access import can_act_on_task, may_work_on
from app.cases.models import Case, OpenTask
from app.enums import EventType
from app.errors import Conflict, DomainError, PermissionDenied
from app.extensions import db, written_directly
from app.i18n import lazy_gettext as _l

GONE = _l("This task has already been completed (perhaps by a colleague a moment ago) or no longer exists.")


@dataclass
class TaskContext:
    """What a task handler gets: who acts, on which case and task, with the validated form values."""

    actor: object
    case: Case
    task: OpenTask
    values: dict
    files: list


def required(values: dict, name: str, message) -> str:
    """The stripped text of a required field, or DomainError naming the field."""
    text = (values.get(name) or "").strip()
    if not text:
        raise DomainError(message, name)
    return text


_BY_TASK_ID = select(OpenTask).where(OpenTask.task_id == bindparam("task_id"))  # (built once: every task action reads it)


def get_open_task(actor, task_id: str) -> OpenTask:
    """By the engine's task id (a UUID, never reused, unlike a row id)."""
    ot = db.session.scalar(_BY_TASK_ID, {"task_id": str(task_id)})
    if ot is None:
        raise Conflict(GONE)
    if not may_work_on(actor, ot):
        raise PermissionDenied(_l("This task belongs to another role or unit."))
    return ot


def claim(actor, task_id: str) -> OpenTask:
    """The task is the actor's. Two claims at once: the row is taken by one conditional UPDATE, so only one wins and
    the other is told who has it; claiming one's own task again changes nothing."""
    ot = get_open_task(actor, task_id)
    if ot.claimed_by_id == actor.id:
        return ot
    taken = db.session.execute(
        update(OpenTask).where(OpenTask.id == ot.id, OpenTask.claimed_by_id.is_(None)).values(claimed_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        db.session.refresh(ot, ["claimed_by_id", "claimed_by"])
        if ot.claimed_by_id != actor.id:
            raise Conflict(_l("%(name)s has already claimed this task.", name=ot.claimed_by.full_name if ot.claimed_by else ""))
        return ot
    set_committed_value(ot, "claimed_by_id", actor.id)
    written_directly(ot, "claimed_by_id")
    db.session.expire(ot, ["claimed_by"])
    events.record(ot.case_id, EventType.TASK_CLAIMED, actor, {"task": ot.name}, bpmn_id=ot.bpmn_id)
    db.session.flush()
    return ot


@staff_left.connect
def release_claims_of(user, **_kw) -> int:
    """A user deactivated, moved or given another role: the tasks they had claimed and may no longer work on go
    back to their unit's queue (recorded on each case), so nothing waits on someone who has gone."""
    released = 0
    for ot in db.session.scalars(select(OpenTask).where(OpenTask.claimed_by_id == user.id)):
        if user.active and may_work_on(user, ot):
            continue
        ot.claimed_by_id = None
        events.record(ot.case_id, EventType.TASK_RELEASED, None, {"task": ot.name, "user_id": user.id, "reason": "user_left"},
                      bpmn_id=ot.bpmn_id)
        released += 1
    return released


def yield_to_system(actor, task_id: str) -> OpenTask:
    """The unit's own system (an API client's service account) confirms a push: a person's claim on it (the
    liaison's, usually) gives way, recorded, since the system's confirmation is the unit's."""
    ot = get_open_task(actor, task_id)
    if actor.service_account and ot.claimed_by_id not in (None, actor.id):
        events.record(ot.case_id, EventType.TASK_RELEASED, actor, {"task": ot.name, "user_id": ot.claimed_by_id, "reason": "system"},
                      bpmn_id=ot.bpmn_id)
        ot.claimed_by_id = None
        db.session.flush()
    return ot


def release(actor, task_id: str) -> OpenTask:
    ot = get_open_task(actor, task_id)
    if ot.claimed_by_id != actor.id:
        raise Conflict(_l("You have not claimed this task."))
    ot.claimed_by_id = None
    events.record(ot.case_id, EventType.TASK_RELEASED, actor, {"task": ot.name}, bpmn_id=ot.bpmn_id)
    db.session.flush()
    return ot


def complete(actor, task_id: str, values: dict, files: list | None = None, open_task: OpenTask | None = None) -> Case:
    """Complete a task with validated form values. Raises DomainError (bad input), PermissionDenied, or
    Conflict (done or claimed by someone else). Siblings (parallel tasks of other units) do not conflict:
    only this task's own state matters; the instance's version column orders simultaneous saves. `open_task`:
    the row as get_open_task returned it earlier in this transaction (not read again)."""
    ot = open_task if open_task is not None and open_task.task_id == str(task_id) else get_open_task(actor, task_id)
    if not can_act_on_task(actor, ot):
        raise Conflict(_l("%(name)s has claimed this task.", name=ot.claimed_by.full_name))
    loaded = runtime.load(ot.instance_id, lock=True)
    if not loaded.engine.is_ready(ot.task_id):
        raise Conflict(GONE)
    case = db.session.get(Case, ot.case_id)
    data = hooks.task_kind(ot.form_key).handler(TaskContext(actor, case, ot, values, files or []))
    loaded.engine.complete(ot.task_id, data)
    now = clock.now()
    due = clock.as_utc(ot.due_at)
    opened = clock.as_utc(ot.created_at)
    events.record(case.id, EventType.TASK_COMPLETED, actor, {
        "task": ot.name, "unit_id": ot.unit_id, "opened_at": opened.isoformat(),
        "hours": round((now - opened).total_seconds() / 3600, 1),
        "due_at": due.isoformat() if due else None, "on_time": (now <= due) if due else None, "rule": ot.deadline_rule,
    }, bpmn_id=ot.bpmn_id)
    hooks.publish(hooks.TASK_COMPLETED, case=case, open_task=ot, actor=actor, at=now)
    runtime.save(loaded, case, actor)
    return case
