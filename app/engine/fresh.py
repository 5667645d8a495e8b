"""Starting a process by copying a prototype instead of running it. Most helper processes (a push to a unit, an
expert's invitation) run from their start event to their first wait without evaluating anything: no condition,
script, timer or payload expression. Such a start is the same every time but for the data given, the task ids
and the clock, so its saved state is copied from one start made once per deployed version, at a fraction of the
cost of building the workflow and serializing it (a midnight on which thousands of periods end starts a push to
every unit of each: issue 18's drain).

The prototype is trusted only after a check when it is made: copies for sample data must equal real starts of the
same data, task for task (ids and times aside). A process that evaluates anything on the way, has subprocesses or
fails the check is started the ordinary way. A copy behaves as an engine for what a save asks (the state, ready
tasks, waits, steps); anything else loads the workflow from its state first (`FreshStart.__getattr__`)."""
from __future__ import annotations

import json
import time
from datetime import datetime
from types import MappingProxyType
from uuid import uuid4

from app.engine import runner
from app.engine.runner import REFUSING_SCRIPT_ENGINE, Engine, Specs, StepRecord, TaskInfo

_KEY = "__start_data__"  # the prototype's one data key: where it is inherited, or deleted, the copy's keys are
_SAMPLES = ({"push_unit_id": 7, "case_id": 12, "note": "样例"}, {"when": datetime(2026, 1, 2, 3, 4), "ids": [1, 2], "nested": {"3": None}})
_NONE = object()


class Prototype:
    """A start's saved state as a dict, with what a save reads of it, made with data {_KEY: 0}."""

    def __init__(self, specs: Specs, eng: Engine):
        self.specs = specs
        self.dct = runner.state_dict(eng)
        self.root = self.dct["root"]
        self.ready = [(t.task_id, t.bpmn_id, t.name, t.lane_id, t.properties) for t in eng.ready_user_tasks()]
        self.steps = list(eng.steps)
        self.thrown = list(eng.thrown)
        self.completed = eng.completed
        self.end_properties = eng.end_properties()
        self.waiting_properties = eng.waiting_properties()
        self.waiting_messages = eng.waiting_messages()
        self.next_timer_due = eng.next_timer_due()

    def copyable(self) -> bool:
        """Whether the start's state has the shape a copy assumes: the data given sits on the root task alone, every
        other task inherits it or (not yet reached) deletes it, and no task refers to another by its id but through
        its parent and children."""
        dct, tasks = self.dct, self.dct["tasks"]
        if dct.get("subprocesses") or dct.get("bpmn_events") or dct.get("correlations") or dct.get("data") or self.next_timer_due is not None:
            return False
        if tasks[self.root]["data"] != {_KEY: 0} or any(_KEY in str(v) for v in self.thrown):
            return False
        for tid, t in tasks.items():
            if tid != self.root and (t["data"] or t["delta"].get("updates") or t["delta"].get("deletions") not in ([], [_KEY])):
                return False
            if any(other in json.dumps(t["internal_data"]) for other in tasks):
                return False
        return all(tid in tasks for tid, *_ in self.ready)

    def copy(self, data: dict) -> FreshStart:
        saved = runner.as_saved(data)
        keys = list(saved)
        ids = {old: str(uuid4()) for old in self.dct["tasks"]}
        now = time.time()
        tasks = {}
        for old, t in self.dct["tasks"].items():
            new = dict(t, id=ids[old], parent=ids.get(t["parent"]), children=[ids[c] for c in t["children"]],
                       last_state_change=now)
            if old == self.root:
                new["data"] = saved
            elif t["delta"]["deletions"]:
                new["delta"] = {"updates": {}, "deletions": keys}
            tasks[ids[old]] = new
        dct = dict(self.dct, tasks=tasks, root=ids[self.root], last_task=ids.get(self.dct["last_task"]))
        ready = [TaskInfo(ids[tid], bpmn_id, name, lane, props, MappingProxyType(saved))
                 for tid, bpmn_id, name, lane, props in self.ready]
        return FreshStart(self, runner.state_json(dct), ready)


def _shape(state: str) -> dict:
    """A saved state with its task ids replaced by their place in the tree and its times left out: two starts of
    the same data have the same shape."""
    dct = json.loads(state)
    names, order = {}, [dct["root"]]
    for tid in order:
        names[tid] = str(len(names))
        order.extend(dct["tasks"][tid]["children"])
    tasks = {names[tid]: dict(t, id=names[tid], parent=names.get(t["parent"]), children=[names[c] for c in t["children"]],
                              last_state_change=None) for tid, t in dct["tasks"].items()}
    return dict(dct, tasks=tasks, root="0", last_task=names.get(dct["last_task"]))


def _tasks(eng) -> list:
    return [(t.bpmn_id, t.name, t.lane_id, t.properties, dict(t.data)) for t in eng.ready_user_tasks()]


def _make(specs: Specs) -> Prototype | None:
    try:
        eng = Engine.start(specs, {_KEY: 0}, script_engine=REFUSING_SCRIPT_ENGINE)
    except Exception:  # noqa: BLE001  (Evaluated: its outcome may depend on the data; anything else: a real start decides)
        return None
    proto = Prototype(specs, eng)
    if not proto.copyable():
        return None
    for data in _SAMPLES:  # the check: copies equal real starts
        try:
            real = Engine.start(specs, data)
        except Exception:  # noqa: BLE001  (a process that needs data the samples lack: started the ordinary way)
            return None
        copied = proto.copy(data)
        if (_shape(real.dump()) != _shape(copied.dump()) or _tasks(copied) != _tasks(real) or copied.steps != real.steps
                or copied.thrown != real.thrown or copied.waiting_messages() != real.waiting_messages()
                or copied.end_properties() != real.end_properties() or copied.waiting_properties() != real.waiting_properties()
                or copied.completed != real.completed or copied.next_timer_due() != real.next_timer_due()):
            return None
    return proto


def prototype(specs: Specs) -> Prototype | None:
    """The prototype of the process's start, made once per deployed version (None: it cannot be copied)."""
    found = getattr(specs, "_prototype", _NONE)
    if found is _NONE:
        found = _make(specs)
        specs._prototype = found  # (races only make it twice)
    return found


def start(specs: Specs, data: dict):
    """A new workflow of these specs with this data: a copy of the prototype where there is one, else a real start."""
    proto = prototype(specs)
    return proto.copy(data) if proto is not None else Engine.start(specs, data)


class FreshStart:
    """A copied start, as an engine for a save. Anything else an engine does loads the workflow from the state
    first; from then on it is that engine."""

    def __init__(self, proto: Prototype, state: str, ready: list[TaskInfo]):
        self._proto, self._state, self._ready = proto, state, ready
        self._engine: Engine | None = None
        self.steps: list[StepRecord] = list(proto.steps)
        self.thrown: list[tuple[str, dict]] = [(name, dict(payload)) for name, payload in proto.thrown]

    def _loaded(self) -> Engine:
        if self._engine is None:
            eng = Engine.load(self._proto.specs, self._state)
            eng.steps, eng.thrown = self.steps, self.thrown
            self._engine = eng
        return self._engine

    def __getattr__(self, name):  # (only names this class does not have)
        return getattr(self._loaded(), name)

    @property
    def completed(self) -> bool:
        return self._engine.completed if self._engine else self._proto.completed

    def dump(self) -> str:
        return self._engine.dump() if self._engine else self._state

    def unchanged_since(self, state: str) -> bool:
        return self._engine.unchanged_since(state) if self._engine else (state is self._state or state == self._state)

    def ready_user_tasks(self) -> list[TaskInfo]:
        return self._engine.ready_user_tasks() if self._engine else list(self._ready)

    def ready_user_task_ids(self) -> frozenset[str]:
        return self._engine.ready_user_task_ids() if self._engine else frozenset(t.task_id for t in self._ready)

    def end_properties(self) -> dict:
        return self._engine.end_properties() if self._engine else dict(self._proto.end_properties)

    def waiting_properties(self) -> list[dict]:
        return self._engine.waiting_properties() if self._engine else list(self._proto.waiting_properties)

    def waiting_messages(self) -> set[str]:
        return self._engine.waiting_messages() if self._engine else set(self._proto.waiting_messages)

    def next_timer_due(self):
        return self._engine.next_timer_due() if self._engine else None
