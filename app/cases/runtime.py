"""The case runtime over the engine: starting a case's processes, and keeping the open-task projection,
the timeline and the case status in step with the workflow on every save, in the caller's transaction
(services flush; the edge commits)."""
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm.util import identity_key

from app import clock, txcache
from app.auth.models import APPLICANT, CASEWORKER, EXPERT, GROUP_LEAD, OFFICE, Unit, User
from app.auth.services import current_unit_ids
from app.cases import events, hooks
from app.cases.models import Case, OpenTask
from app.engine import instances
from app.engine.instances import Loaded
from app.engine.runner import ParsedProcess
from app.enums import EventType
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.workdays.rules import current as current_rules
from app.workdays.services import deadline_from

# Lane id (as drawn in bpmn/) -> role whose users work the lane's tasks. A lane whose role depends on the
# case (the unit that made a determination: a group lead or the office) maps to None and its tasks name
# the role in a "role" property (a task-data variable).
ROLE_BY_LANE = {
    "Lane_caseworker": CASEWORKER,
    "Lane_implementing": CASEWORKER,
    "Lane_group_lead": GROUP_LEAD,
    "Lane_office": OFFICE,
    "Lane_expert": EXPERT,
    "Lane_applicant": APPLICANT,
    "Lane_determining": None,
    # ids of lanes in process versions deployed before lanes were named after roles
    "Lane_office_obj": OFFICE,
    "Lane_rep_applicant": APPLICANT,
    "Lane_rep_unit": CASEWORKER,
}


def checker(known_forms: set[str], deadline_rules: dict):
    """Deploy-time check of a parsed process: every user task has a lane with a role, a form that exists
    (and a handler for it), a unit or an assignee, and a known deadline rule."""

    def check(parsed: ParsedProcess) -> list[str]:
        errors = []
        handled = hooks.task_form_keys()
        for t in parsed.user_tasks:
            props = t["properties"]
            lane, task = t["lane_id"], t["bpmn_id"]
            if lane not in ROLE_BY_LANE:
                errors.append(_l("%(task)s: lane %(lane)s has no role", task=task, lane=repr(lane)))
            elif ROLE_BY_LANE[lane] is None and not props.get("role"):
                errors.append(_l("%(task)s: lane %(lane)s needs a 'role' property on its tasks", task=task, lane=repr(lane)))
            form = props.get("form")
            if form not in known_forms:
                errors.append(_l("%(task)s: form %(form)s does not exist", task=task, form=repr(form)))
            elif form not in handled:
                errors.append(_l("%(task)s: form %(form)s has no task handler", task=task, form=repr(form)))
            if not props.get("unit") and not props.get("assignee"):
                errors.append(_l("%(task)s: neither a 'unit' nor an 'assignee' property", task=task))
            rule = props.get("deadline_rule")
            if rule and rule not in deadline_rules:
                errors.append(_l("%(task)s: deadline rule %(rule)s does not exist", task=task, rule=repr(rule)))
        return [str(e) for e in errors]

    return check


def start(case: Case, process_id: str, data: dict, actor=None, flush: bool = True) -> Loaded:
    """A new instance, saved. flush=False: not written until the transaction's next flush, so that starting many
    (a push to every unit) writes them together; its `id` is None until then (link rows to `loaded.instance`)."""
    loaded = instances.start(case.id, process_id, data)
    save(loaded, case, actor, flush=flush)
    return loaded


load = instances.load


def deadline_rule_of(case: Case, name: str | None) -> dict | None:
    """The rule as the case copied it when it started (older cases without a copy: the current rules)."""
    if not name:
        return None
    if case.rules and name in case.rules:
        return case.rules[name]
    return current_rules().get(name)


def case_deadline(case: Case, rule_name: str, start, extra_days: int = 0):
    """The deadline of a step of this case starting at `start`, by the case's own copy of the rule: the one
    computation every deadline of a case goes through (task due dates, expert answer times). `extra_days`: days the
    process adds to the rule for this step (a task's "deadline_extra_days" property names the variable)."""
    rule = deadline_rule_of(case, rule_name)
    return deadline_from(start, rule["days"] + extra_days, current_app.config["REMINDER_WORKING_DAYS"],
                         calendar_days=rule.get("day_kind") == "calendar")


def deadline_basis(rule_name: str, rule: dict, start, dl) -> dict:
    """What a due date is shown with: how it was counted."""
    return {"rule": rule_name, "days": rule["days"], "day_kind": rule.get("day_kind", "working"),
            "source": rule.get("source", ""), "start": clock.local_date(start).isoformat(),
            "holidays": [list(h) for h in dl.holidays], "workdays": [list(w) for w in dl.workdays],
            "fallback": dl.fallback}


def save(loaded: Loaded, case: Case, actor=None, flush: bool = True) -> list[dict]:
    """Persist state and sync the projection. Returns the rows of the open tasks created by this save (written)."""
    with db.session.no_autoflush:  # the queries below need no pending writes: one flush writes the save
        return _save(loaded, case, actor, flush)


def _save(loaded: Loaded, case: Case, actor, flush: bool = True) -> list[dict]:
    return _project(loaded, case, actor, instances.save(loaded, flush_new=flush))


def start_many(case: Case, process_id: str, datas: list[dict], actor=None) -> list[Loaded]:
    """New instances of one process for a case, one per data (a push to each unit of a listing), written together:
    the instances by one INSERT and their open tasks by another; then, for each in order, what its first run
    caused, as `start` would."""
    with db.session.no_autoflush:
        started = [(loaded, saved, _open_tasks_of(loaded, case, saved))
                   for loaded, saved in instances.start_saved(case.id, process_id, datas)]
        tasks = [ot for _l, _s, created in started for ot in created]
        if tasks:
            _insert_open_tasks(tasks, started[0][0].instance)
        for loaded, saved, _created in started:
            _after_save(loaded, case, actor, saved)
    return [loaded for loaded, _s, _c in started]


def _project(loaded: Loaded, case: Case, actor, saved) -> list[dict]:
    """What a save of the instance means for the case: open tasks, then timeline, status, features' rows and the
    messages thrown onward."""
    created = _open_tasks_of(loaded, case, saved)
    if created:
        _insert_open_tasks(created, loaded.instance)
    _after_save(loaded, case, actor, saved)
    return created


def _open_tasks_of(loaded: Loaded, case: Case, saved) -> list[dict]:
    """The open-task rows of tasks no longer READY deleted; those of the newly READY ones returned (to write)."""
    inst = loaded.instance
    now = clock.now()
    # The rows show the tasks READY before this save (the projection is written with every save, in the same
    # transaction): the engine tells which went and which came without reading them back.
    ready_ids = {t.task_id for t in saved.ready}
    gone = [task_id for task_id in saved.ready_before if task_id not in ready_ids]
    if gone:
        _delete_open_tasks(gone)
    new_ready = [t for t in saved.ready if t.task_id not in saved.ready_before]
    unit_of = current_unit_ids(t.data.get(t.properties["unit"]) for t in new_ready if t.properties.get("unit"))
    return [_open_task(t, inst, case, now, unit_of) for t in new_ready]


def _after_save(loaded: Loaded, case: Case, actor, saved) -> None:
    inst = loaded.instance
    now = clock.now()
    process_id = loaded.process_id
    own_process = process_id == case.process_id
    # Timers and ends of helper processes (expert invitations) are told by their feature's own events.
    # Only the end that completes the procedure closes the case: parallel branches (the filing, the notices to
    # the groups) end on their own while the case goes on.
    ends = [step for step in saved.steps if step.kind == "end"]
    closing = ends[-1] if ends and saved.newly_completed else None
    for step in saved.steps if own_process else []:
        if step.kind == "timer":
            events.record(case.id, EventType.TIMER_FIRED, None, {"timer": step.name}, bpmn_id=step.bpmn_id)
        elif step is closing:
            events.record(
                case.id, EventType.CASE_CLOSED, None, {"end": step.name, "status": step.properties.get("case_status")},
                bpmn_id=step.bpmn_id,
            )
    if own_process:  # the case's status is named by the BPMN element its procedure is at
        status = _case_status(loaded, saved)
        if status and status != case.status:
            case.status = status
        if saved.completed and case.closed_at is None:
            case.closed_at = now
    hooks.process_saved(process_id, inst, case, saved, loaded.engine.waiting_properties())
    if saved.newly_completed:
        hooks.process_ended(process_id, inst, case, saved.end_properties)
    if saved.thrown and hooks.flush_before(name for name, _payload in saved.thrown):
        db.session.flush()  # (the handlers' queries see this save's rows; no autoflush runs in here)
    # What the process threw outward goes where it belongs (another process, a unit's inbox), in order,
    # in this same transaction.
    for name, payload in saved.thrown:
        hooks.message_thrown(name, payload, case, actor)


_T_OPEN = OpenTask.__table__
_DELETE_OPEN = _T_OPEN.delete().where(_T_OPEN.c.task_id.in_(bindparam("task_ids", expanding=True))).returning(_T_OPEN.c.id)
# (one task, the usual case: a list parameter makes the statement's text be rendered again at every execution)
_DELETE_ONE = _T_OPEN.delete().where(_T_OPEN.c.task_id == bindparam("task_id")).returning(_T_OPEN.c.id)


def _delete_open_tasks(task_ids: list[str]) -> None:
    """Rows of tasks no longer ready, deleted by one statement; the session forgets the objects it holds for them
    (what the ORM's bulk delete did, at a fraction of its cost on this path, which every save takes)."""
    conn = db.session.connection()
    deleted = (conn.execute(_DELETE_ONE, {"task_id": task_ids[0]}) if len(task_ids) == 1
               else conn.execute(_DELETE_OPEN, {"task_ids": task_ids}))
    for pk in deleted.scalars():
        obj = db.session.identity_map.get(identity_key(OpenTask, pk))
        if obj is not None:
            db.session.expunge(obj)


_OPEN_COLUMNS = [c for c in OpenTask.__table__.columns if c.key != "id"]
_INSERT_OPEN = OpenTask.__table__.insert()
# Every column of a row (an INSERT of many rows names the same columns in each): the column defaults, else NULL.
_DEFAULTS = {c.key: c.default.arg if c.default is not None and c.default.is_scalar else None for c in _OPEN_COLUMNS}
# The columns _open_task may leave unset, as a new row has them (read by the timeline event it records).
_BLANK_OPEN = {k: _DEFAULTS[k] for k in ("claimed_by_id", "deadline_days", "due_at", "remind_at", "calendar_fallback",
                                         "deadline_basis")}


def _insert_open_tasks(rows: list[dict], inst) -> None:
    """The new tasks' rows, written at once by one INSERT (queries later in the transaction see them); no ORM objects
    (nothing reads their ids), which spares the unit of work and the attribute events their cost. Tasks of an instance
    not written yet (started with flush=False) go through the session as objects, linked to it."""
    if inst.id is None:
        db.session.add_all([OpenTask(instance=inst, **{k: v for k, v in row.items() if k != "instance_id"}) for row in rows])
        return
    db.session.connection().execute(_INSERT_OPEN, [{**_DEFAULTS, **row} for row in rows])


def _open_task(t, inst, case: Case, now, unit_of: dict) -> dict:
    """The open-task row of a newly READY task (its columns), its creation on the timeline."""
    props = t.properties
    # A unit that handed its work to a successor: the successor gets the task (unit_of: current_unit_ids).
    unit_id = unit_of.get(t.data.get(props["unit"])) if props.get("unit") else None
    assignee_id = t.data.get(props.get("assignee")) if props.get("assignee") else None
    rule_name = props.get("deadline_rule")
    rule = deadline_rule_of(case, rule_name)
    row = dict(_BLANK_OPEN, task_id=t.task_id, instance_id=inst.id, case_id=case.id, case_kind=case.kind, bpmn_id=t.bpmn_id,
               name=t.name, role=t.data.get(props["role"]) if props.get("role") else ROLE_BY_LANE[t.lane_id],
               unit_id=unit_id, assignee_id=assignee_id, form_key=props["form"], created_at=now, deadline_rule=rule_name)
    if rule:
        # A task's deadline counts from its creation, or from the time a "deadline_start" property names (a process
        # variable: an objection received on paper counts from the day received, as its process's timer does).
        start = _deadline_start(t.data.get(props["deadline_start"]) if props.get("deadline_start") else None) or now
        # (a step the process gives more time than its rule: an answer received on paper is entered after the period)
        extra = _extra_days(t.data.get(props["deadline_extra_days"])) if props.get("deadline_extra_days") else 0
        if extra:
            rule = {**rule, "days": rule["days"] + extra}
        dl = case_deadline(case, rule_name, start, extra)
        row.update(deadline_days=rule["days"], due_at=dl.due_at, remind_at=dl.remind_at, calendar_fallback=dl.fallback,
                   deadline_basis=deadline_basis(rule_name, rule, start, dl))
    if props.get("liaison") and unit_id and not assignee_id:
        row["claimed_by_id"] = liaison_for(unit_id, row["role"])
    due_at = row["due_at"]
    events.record(
        case.id,
        EventType.TASK_CREATED,
        None,
        {
            "task": t.name,
            "unit_id": unit_id,
            "liaison_id": row["claimed_by_id"],
            "due_at": due_at.isoformat() if due_at else None,
            "rule": rule_name,
            "days": row["deadline_days"],
            "day_kind": (row["deadline_basis"] or {}).get("day_kind"),
            "calendar_fallback": row["calendar_fallback"],
        },
        bpmn_id=t.bpmn_id,
    )
    return row


def _extra_days(value) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def _deadline_start(value):
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def liaison_for(unit_id: int, role: str) -> int | None:
    """The unit's liaison, if active, still in the unit and of the role the task is for: pushes and notices
    drawn with a "liaison" property go straight to them (claimed; they can release it to the unit)."""
    return txcache.cached(("liaison", unit_id, role), lambda: db.session.scalar(
        select(User.id).join(Unit, Unit.liaison_id == User.id)
        .where(Unit.id == unit_id, User.unit_id == unit_id, User.active.is_(True), User.role == role)
    ))


def _case_status(loaded: Loaded, saved) -> str | None:
    if saved.completed:
        return saved.end_properties.get("case_status")
    for t in saved.ready:
        if t.properties.get("case_status"):
            return t.properties["case_status"]
    for props in loaded.engine.waiting_properties():
        if props.get("case_status"):
            return props["case_status"]
    # The main line has ended while a side branch still runs (e.g. the office has yet to file the decision).
    return loaded.engine.end_properties().get("case_status")


def deliver(case: Case, message: str, actor=None, payload: dict | None = None, instance_id: int | None = None) -> bool:
    """Send a message to a running process of the case (its own procedure unless an instance is named).
    Returns whether the process was waiting for it. One it does not wait for is dropped unread (its row's
    subscriptions say so) and the instance is not saved: nothing about it changed."""
    loaded = (instances.load_running(instance_id, message=message) if instance_id
              else instances.load_running(first_of=case.id, message=message))
    if loaded is None:
        return False
    caught = loaded.engine.deliver_message(message, payload)
    if caught:
        save(loaded, case, actor)
    return caught


def fire_due(instance_id: int, now=None) -> bool:
    """Fire the due timers of one instance and save it (flush). Returns whether anything was due.
    Idempotent: a timer that already fired is no longer waiting, so a repeated call changes nothing."""
    now = now or clock.now()
    loaded = instances.load(instance_id, lock=True)
    due = loaded.instance.next_due_at
    if due is None or due >= now:
        return False
    loaded.engine.fire_timers()
    save(loaded, db.session.get(Case, loaded.instance.case_id))
    return True
