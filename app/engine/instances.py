"""Running process instances: start, load under lock, save. Saving keeps the open-task projection, the
next timer due time, the case status and the timeline in step with the workflow, in the caller's
transaction (services flush; the edge commits)."""
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, select

from app import clock
from app.cases import events
from app.cases.models import Case
from app.engine.models import OpenTask, ProcessInstance
from app.engine.registry import LANE_ROLES, latest_version, specs_for
from app.engine.runner import Engine
from app.extensions import db
from app.workdays.services import deadline_from


# process id -> callable(instance, case, end_properties): lets a feature react, in the same transaction,
# to how one of its processes ended (e.g. an expert invitation declined -> invite the next reserve).
END_HOOKS: dict = {}


@dataclass
class Loaded:
    instance: ProcessInstance
    engine: Engine


def start(case: Case, process_id: str, data: dict, actor) -> Loaded:
    version = latest_version(process_id)
    engine = Engine.start(specs_for(version.id), data)
    inst = ProcessInstance(case_id=case.id, process_version_id=version.id, state="", process_version=version)
    db.session.add(inst)
    loaded = Loaded(inst, engine)
    save(loaded, case, actor)
    return loaded


def load(instance_id: int, lock: bool = True) -> Loaded:
    """Load an instance; with lock, SELECT ... FOR UPDATE on PostgreSQL (SQLite serialises writers and the
    version column catches the rest)."""
    stmt = select(ProcessInstance).where(ProcessInstance.id == instance_id)
    if lock:
        stmt = stmt.with_for_update()
    inst = db.session.scalar(stmt)
    if inst is None:
        raise LookupError(instance_id)
    return Loaded(inst, Engine.load(specs_for(inst.process_version_id), inst.state))


def instance_for_case(case_id: int) -> ProcessInstance | None:
    return db.session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id).order_by(ProcessInstance.id))


def deadline_rule_of(case: Case, name: str | None) -> dict | None:
    """The rule as the case copied it when it started (older cases without a copy: the current rules)."""
    if not name:
        return None
    if case.rules and name in case.rules:
        return case.rules[name]
    from app.admin.rules import current

    return current().get(name)


def save(loaded: Loaded, case: Case, actor=None) -> list[OpenTask]:
    """Persist state and sync the projection. Returns the open tasks created by this save."""
    with db.session.no_autoflush:  # the queries below need no pending writes: one flush writes the save
        return _save(loaded, case)


def _save(loaded: Loaded, case: Case) -> list[OpenTask]:
    inst, eng = loaded.instance, loaded.engine
    now = clock.now()
    inst.state = eng.dump()
    inst.updated_at = now
    newly_completed = eng.completed and inst.status != "completed"
    inst.status = "completed" if eng.completed else "running"
    inst.next_due_at = None if eng.completed else eng.next_timer_due()
    if inst.id is None:
        db.session.flush()  # a new instance needs its id for the open-task rows

    ready = eng.ready_user_tasks()
    ready_ids = {t.task_id for t in ready}
    existing = {ot.task_id: ot for ot in db.session.scalars(select(OpenTask).where(OpenTask.instance_id == inst.id))}
    gone = [tid for tid in existing if tid not in ready_ids]
    if gone:
        db.session.execute(delete(OpenTask).where(OpenTask.task_id.in_(gone)))
    created = []
    remind_days = current_app.config["REMINDER_WORKING_DAYS"]
    for t in ready:
        if t.task_id in existing:
            continue
        props = t.properties
        unit_id = t.data.get(props.get("unit")) if props.get("unit") else None
        assignee_id = t.data.get(props.get("assignee")) if props.get("assignee") else None
        rule_name = props.get("deadline_rule")
        rule = deadline_rule_of(case, rule_name)
        ot = OpenTask(
            task_id=t.task_id,
            instance_id=inst.id,
            case_id=case.id,
            case_kind=case.kind,
            bpmn_id=t.bpmn_id,
            name=t.name,
            role=t.data.get(props["role"]) if props.get("role") else LANE_ROLES[t.lane],
            unit_id=unit_id,
            assignee_id=assignee_id,
            form_key=props["form"],
            created_at=now,
            deadline_rule=rule_name,
        )
        if rule:
            dl = deadline_from(now, rule["days"], remind_days, calendar_days=rule.get("day_kind") == "calendar")
            ot.deadline_days, ot.due_at, ot.remind_at, ot.calendar_fallback = rule["days"], dl.due_at, dl.remind_at, dl.fallback
        db.session.add(ot)
        created.append(ot)
        events.record(
            case.id,
            events.TASK_CREATED,
            None,
            {
                "task": t.name,
                "unit_id": unit_id,
                "due_at": ot.due_at.isoformat() if ot.due_at else None,
                "rule": rule_name,
                "days": ot.deadline_days,
                "calendar_fallback": ot.calendar_fallback,
            },
            bpmn_id=t.bpmn_id,
        )

    own_process = inst.process_version.process_id == case.process_id
    # Timers and ends of helper processes (expert invitations) are told by their feature's own events.
    for step in eng.steps if own_process else []:
        if step.kind == "timer":
            events.record(case.id, events.TIMER_FIRED, None, {"timer": step.name}, bpmn_id=step.bpmn_id)
        elif step.kind == "end":
            events.record(
                case.id, events.CASE_CLOSED, None, {"end": step.name, "status": step.properties.get("case_status")},
                bpmn_id=step.bpmn_id,
            )
    eng.steps.clear()

    process_id = inst.process_version.process_id
    if own_process and case.status not in ("revoked", "repaired"):  # those are final, whatever runs on
        status = _case_status(eng, ready)
        if status and status != case.status:
            case.status = status
        if eng.completed and case.closed_at is None:
            case.closed_at = now
    if eng.completed and process_id in END_HOOKS and newly_completed:
        END_HOOKS[process_id](inst, case, eng.end_properties())
    db.session.flush()
    return created


def _case_status(eng: Engine, ready) -> str | None:
    if eng.completed:
        return eng.end_properties().get("case_status")
    for t in ready:
        if t.properties.get("case_status"):
            return t.properties["case_status"]
    for props in eng.waiting_properties():
        if props.get("case_status"):
            return props["case_status"]
    return None
