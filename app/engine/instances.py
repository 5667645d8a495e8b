"""Process instances in the database: start, load under lock, save. The engine knows nothing of cases:
an instance belongs to an owner id (the case row that the runtime above gives it), and `save` returns what
happened (ready user tasks, timers fired, ends reached) for the runtime to project. Flush only."""
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app import clock
from app.engine import cache, fresh
from app.engine.models import ProcessInstance
from app.engine.registry import latest_version_id, process_id_of, specs_for
from app.engine.runner import Engine, StepRecord, TaskInfo
from app.extensions import attach_inserted, db, written_directly

RUNNING = "running"
COMPLETED = "completed"


@dataclass
class Loaded:
    instance: ProcessInstance
    engine: Engine
    # The READY user tasks as the instance's row last stood (loaded, or last saved): what its open-task rows show,
    # so that a save knows which rows to delete and which to add without reading them.
    ready_before: frozenset[str] = frozenset()

    @property
    def process_id(self) -> str:
        return process_id_of(self.instance.process_version_id)


@dataclass
class Saved:
    """The outcome of one save: the READY user tasks now, what the engine did since the last save."""

    ready: list[TaskInfo]
    ready_before: frozenset[str] = frozenset()  # (Loaded.ready_before as it was before this save)
    steps: list[StepRecord] = field(default_factory=list)
    thrown: list[tuple[str, dict]] = field(default_factory=list)
    completed: bool = False
    newly_completed: bool = False
    end_properties: dict = field(default_factory=dict)


def start(owner_id: int, process_id: str, data: dict) -> Loaded:
    """A new instance of the newest version of a process (not yet saved: call save)."""
    version_id = latest_version_id(process_id)
    engine = fresh.start(specs_for(version_id), data)
    inst = ProcessInstance(case_id=owner_id, process_version_id=version_id, state="", status=RUNNING)
    db.session.add(inst)
    return Loaded(inst, engine)


def _write(inst: ProcessInstance, values: dict) -> None:
    version = inst.version
    written = db.session.connection().execute(_UPDATE, {"b_id": inst.id, "b_version": version, **values}).rowcount
    if written != 1:
        raise StaleDataError(f"process instance {inst.id} was saved by another transaction (version {version})")
    for name, value in (*values.items(), ("version", version + 1)):
        set_committed_value(inst, name, value)  # as written: nothing left for the flush
    written_directly(inst, *values, "version")


def loaded(inst: ProcessInstance, to_change: bool = False) -> Loaded:
    """An instance row already read, with its workflow (locked only if the row was read with a lock). `to_change`:
    the caller holds the row's lock and will change the workflow: the workflow this process kept from its last save
    serves if the row still holds that state (engine.cache)."""
    specs = specs_for(inst.process_version_id)
    kept = cache.take(inst.id, inst.state, specs.spec) if to_change else None
    if kept is not None:
        return Loaded(inst, *kept)
    engine = Engine.load(specs, inst.state)
    return Loaded(inst, engine, engine.ready_user_task_ids())


_BY_ID = select(ProcessInstance).where(ProcessInstance.id == bindparam("instance_id"))
_BY_ID_LOCKED = _BY_ID.with_for_update()


def load(instance_id: int, lock: bool = True) -> Loaded:
    """Load an instance; with lock, SELECT ... FOR UPDATE on PostgreSQL (SQLite serialises writers and the
    version column catches the rest)."""
    inst = db.session.scalar(_BY_ID_LOCKED if lock else _BY_ID, {"instance_id": instance_id})
    if inst is None:
        raise LookupError(instance_id)
    return loaded(inst, to_change=lock)


def subscriptions(names) -> str:
    """The `waits_for` column's value for these message names."""
    return f" {' '.join(sorted(names))} " if names else ""


def load_running(instance_id: int | None = None, first_of: int | None = None, lock: bool = True,
                 message: str | None = None) -> Loaded | None:
    """An instance (by id, or the first one an owner started), locked and loaded if it is still running; None if
    it is not. With `message`: also None when the row's subscriptions show it does not wait for that message (the
    row is locked all the same, as a load would, so a save in flight is waited for and then seen)."""
    if message is not None:
        stmt = select(ProcessInstance.id, ProcessInstance.status, ProcessInstance.waits_for)
        stmt = (stmt.where(ProcessInstance.id == instance_id) if instance_id is not None
                else stmt.where(ProcessInstance.case_id == first_of).order_by(ProcessInstance.id).limit(1))
        row = db.session.execute(stmt.with_for_update() if lock else stmt).first()
        if row is None or row.status != RUNNING or (row.waits_for is not None and f" {message} " not in row.waits_for):
            return None
        instance_id = row.id
    stmt = select(ProcessInstance)
    if instance_id is not None:
        stmt = stmt.where(ProcessInstance.id == instance_id)
    else:
        stmt = stmt.where(ProcessInstance.case_id == first_of).order_by(ProcessInstance.id).limit(1)
    if lock:
        stmt = stmt.with_for_update()
    inst = db.session.scalar(stmt)
    return loaded(inst, to_change=lock) if inst is not None and inst.status == RUNNING else None


_T = ProcessInstance.__table__
# A saved instance's row is written at once by one UPDATE guarded by its version (the ORM's own versioned UPDATE
# at the next flush cost a unit-of-work pass per save); a row another transaction saved first fails as the
# ORM's would.
_UPDATE = (_T.update().where(_T.c.id == bindparam("b_id"), _T.c.version == bindparam("b_version"))
           .values(state=bindparam("state"), status=bindparam("status"), next_due_at=bindparam("next_due_at"),
                   waits_for=bindparam("waits_for"), updated_at=bindparam("updated_at"), version=bindparam("b_version") + 1))


def _values(eng: Engine) -> dict:
    """What a save writes to the instance's row."""
    return {"state": eng.dump(), "status": COMPLETED if eng.completed else RUNNING,
            "next_due_at": None if eng.completed else eng.next_timer_due(),
            "waits_for": "" if eng.completed else subscriptions(eng.waiting_messages()), "updated_at": clock.now()}


def save(loaded: Loaded, flush_new: bool = True) -> Saved:
    """Persist the state, status and next timer due time; report what happened. A new instance is flushed for
    its id unless `flush_new` is False (the caller links rows to the instance object and flushes later)."""
    inst, eng = loaded.instance, loaded.engine
    newly_completed = eng.completed and inst.status != COMPLETED
    values = _values(eng)
    if inst.id is None or inst in db.session.new:
        for name, value in values.items():
            setattr(inst, name, value)
        if inst.id is None and flush_new:
            db.session.flush()  # callers need the id (open-task rows)
    else:
        _write(inst, values)
    saved = _outcome(loaded, newly_completed)
    if inst.id is not None:
        cache.saved(inst.id, loaded, eng, loaded.ready_before, values["state"])
    return saved


def _outcome(loaded: Loaded, newly_completed: bool) -> Saved:
    eng = loaded.engine
    steps, thrown = list(eng.steps), list(eng.thrown)
    eng.steps.clear()
    eng.thrown.clear()
    ready, before = eng.ready_user_tasks(), loaded.ready_before
    loaded.ready_before = frozenset(t.task_id for t in ready)
    return Saved(
        ready=ready,
        ready_before=before,
        steps=steps,
        thrown=thrown,
        completed=eng.completed,
        newly_completed=newly_completed,
        end_properties=eng.end_properties() if eng.completed else {},
    )


_INSERT = _T.insert().returning(_T.c.id, sort_by_parameter_order=True)


def start_saved(owner_id: int, process_id: str, datas: list[dict]) -> list[tuple[Loaded, Saved]]:
    """New instances of the newest version of a process, one per data, started and written at once by one INSERT
    (a change of a listing starts a push to each of its units): each with its id, and what its first run did as
    `save` reports it. The objects join the session as rows already written (no flush has anything left to do)."""
    version_id = latest_version_id(process_id)
    specs = specs_for(version_id)
    engines = [fresh.start(specs, data) for data in datas]
    if not engines:
        return []
    now = clock.now()
    rows = [{"case_id": owner_id, "process_version_id": version_id, "version": 1, "created_at": now, **_values(eng)}
            for eng in engines]
    ids = db.session.connection().execute(_INSERT, rows).scalars().all()
    out = []
    for pk, row, eng in zip(ids, rows, engines, strict=True):
        inst = ProcessInstance(id=pk, **row)
        attach_inserted(inst)
        loaded = Loaded(inst, eng)
        out.append((loaded, _outcome(loaded, eng.completed)))
        cache.saved(pk, loaded, eng, loaded.ready_before, row["state"])
    return out
