"""The engine adapter: the only module that imports SpiffWorkflow (pinned to 3.2.0; upstream is reworking
timers and events, so its API stays behind this module).

Workflow state is serialized without the process spec: specs are stored once per deployed version and
cached in memory, which halves the size of every saved case and the time to load it."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any
from uuid import UUID

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from app.engine.expressions import SAFE_BUILTINS, enforce
from app.engine.expressions import problems as expression_problems

_real_datetime = _timer_module.datetime


class _ShiftedDatetime(datetime):
    offset = None

    @classmethod
    def now(cls, tz=None):
        return _real_datetime.now(tz) + cls.offset


def shift_timer_clock(delta) -> None:
    """Move the engine's timer clock with the app clock (demo history only; tests use time-machine)."""
    if delta:
        _ShiftedDatetime.offset = delta
        _timer_module.datetime = _ShiftedDatetime
    else:
        _timer_module.datetime = _real_datetime


__all__ = ["REFUSING_SCRIPT_ENGINE", "BpmnError", "Evaluated", "ParsedProcess", "Engine", "Specs", "StepRecord", "TaskInfo", "lanes_of", "parse_bpmn", "register_script_functions"]


class BpmnError(Exception):
    """A BPMN file that cannot be deployed, with a readable message. `kind`: "xml" (not well-formed), "bpmn" (the
    schema or the parser refused it), "expression" (a condition or script that is not Python), "unknown" (a process id
    the system does not run) or "rules" (the host's deploy-time check); `line` where one is known. The
    message is the technical detail (the parser's own words); the host leads it with its kind in the user's language."""

    def __init__(self, message: str, kind: str = "rules", line: int | None = None):
        super().__init__(message)
        self.kind, self.line = kind, line


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Leaves the spec out of the saved state; on load, the caller supplies the cached spec objects."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        spec, subprocess_specs = dct.pop("_spec_objects")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_config = dict(SPIFF_CONFIG)
_config[BpmnWorkflow] = _SpeclessWorkflowConverter
_registry = BpmnWorkflowSerializer.configure(_config)
_serializer = BpmnWorkflowSerializer(_registry)
_data_encoder = create_encoder(_registry)


def as_saved(data: dict) -> dict:
    """Data as a reload of the saved state gives it back (tuples as lists, integer keys as strings, registered types
    restored): a workflow kept in memory (engine.cache) must hold exactly what one read from the database would."""
    return _registry.restore(json.loads(json.dumps(_registry.clean(data), cls=_data_encoder)))


def state_dict(eng: Engine) -> dict:
    """A workflow's saved state as the dict `Engine.dump` turns into JSON (engine.fresh copies it)."""
    _registry._encoder_mode = True  # (as serialize_json sets it)
    try:
        dct = _serializer.to_dict(eng.wf)
    finally:
        _registry._encoder_mode = False
    dct[_serializer.VERSION_KEY] = _serializer.VERSION
    return dct


def state_json(dct: dict) -> str:
    """The JSON `Engine.dump` writes for such a dict."""
    return json.dumps(dct, cls=_serializer._encoder_cls)


# Spec (de)serialization uses the standard converters.
_spec_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

# Expression environment: every expression held to engine.expressions' policy where it is evaluated (deployment and
# loading check it too, to refuse a model early), with the safe builtins only, and the functions the app exposes to
# BPMN expressions (e.g. listings_active), added with register_script_functions before any workflow runs.
class PolicedEnvironment(TaskDataEnvironment):
    """SpiffWorkflow's task-data environment, holding every expression and script to the policy where it is evaluated
    (whatever part of a model it comes from: conditions, scripts, timers, message payloads and correlations, loop and
    multi-instance expressions), each evaluation with builtins of its own (a script cannot change another's)."""

    def evaluate(self, expression, context, external_context=None):
        enforce(expression, "eval")
        return super().evaluate(expression, context, {**(external_context or {}), "__builtins__": dict(SAFE_BUILTINS)})

    def execute(self, script, context, external_context=None):
        enforce(script, "exec")
        return super().execute(script, context, {**(external_context or {}), "__builtins__": dict(SAFE_BUILTINS)})


_script_engine = PythonScriptEngine(environment=PolicedEnvironment({}))


class Evaluated(Exception):
    """Raised by REFUSING_SCRIPT_ENGINE: the workflow evaluated an expression."""


class _RefusingScriptEngine(PythonScriptEngine):
    """Evaluates nothing: a start run with it shows whether the way to the first wait evaluates anything (engine.fresh)."""

    def evaluate(self, *args, **kwargs):
        raise Evaluated

    def execute(self, *args, **kwargs):
        raise Evaluated

    def call_service(self, *args, **kwargs):
        raise Evaluated


class _RefusingEnvironment(TaskDataEnvironment):
    """(correlations are evaluated by the environment itself, not through the script engine)"""

    def evaluate(self, *args, **kwargs):
        raise Evaluated

    def execute(self, *args, **kwargs):
        raise Evaluated


REFUSING_SCRIPT_ENGINE = _RefusingScriptEngine(environment=_RefusingEnvironment({}))


def register_script_functions(functions: dict) -> None:
    # (the environment replaces an empty dict given to it, so update the one it holds)
    _script_engine.environment.globals.update(functions)


BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass
class Specs:
    """A deployed version's parsed specs, and which lane (by id) each flow node sits in."""

    spec: Any
    subprocesses: dict
    lanes: dict[str, str]


def lanes_of(xml: bytes | str) -> dict[str, str]:
    """{flow node id: lane id} from a BPMN file (SpiffWorkflow keeps only the lane's display name)."""
    root = etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)
    out = {}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.findall(f"{{{BPMN_NS}}}flowNodeRef"):
            out[(ref.text or "").strip()] = lane.get("id")
    return out


@dataclass
class ParsedProcess:
    process_id: str
    name: str
    spec_json: str
    user_tasks: list[dict]  # [{bpmn_id, name, lane_id, properties}]


def _expressions(spec) -> list[tuple[str, str, str]]:
    """(task, mode, Python source) of every expression and script a process spec will run: gateway conditions,
    script tasks, pre- and post-scripts, event expressions (timers, message payloads)."""
    out = []
    for name, ts in spec.task_specs.items():
        for condition, _target in getattr(ts, "cond_task_specs", None) or []:
            if condition is not None and getattr(condition, "args", None):
                out.append((name, "eval", condition.args[0]))
        for attr in ("script", "prescript", "postscript"):
            if isinstance(getattr(ts, attr, None), str) and getattr(ts, attr).strip():
                out.append((name, "exec", getattr(ts, attr)))
        event = getattr(ts, "event_definition", None)
        expression = getattr(event, "expression", None)
        if isinstance(expression, str) and expression.strip():
            out.append((name, "eval", expression))
        # (loop and multi-instance expressions, and message correlations: evaluated too, so checked too)
        for attr in ("cardinality", "condition"):
            if isinstance(getattr(ts, attr, None), str) and getattr(ts, attr).strip():
                out.append((name, "eval", getattr(ts, attr)))
        for prop in getattr(event, "correlation_properties", None) or []:
            if isinstance(getattr(prop, "retrieval_expression", None), str):
                out.append((name, "eval", prop.retrieval_expression))
    return out


def _syntax_errors(spec, filename: str) -> list[str]:
    """Expressions that are not Python, or do what expressions may not (engine.expressions): refused at deploy time
    (they failed only when a case reached them) and when a deployed version is loaded to run."""
    errors = []
    for task, mode, source in _expressions(spec):
        try:
            compile(source, f"{filename}:{task}", mode)
        except (SyntaxError, ValueError) as exc:
            errors.append(f"{task}: {source.strip()[:200]!r}: {exc.msg if isinstance(exc, SyntaxError) else exc}")
            continue
        refused = expression_problems(source, mode)
        if refused:
            errors.append(f"{task}: {source.strip()[:200]!r}: may not use {', '.join(refused)}")
    return errors


def parse_bpmn(xml: bytes, filename: str) -> list[ParsedProcess]:
    """Validate (BPMN XSD incl. spiffworkflow extensions) and parse every executable process in a file."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(etree.fromstring(xml), filename=filename)
        lanes = lanes_of(xml)
        result = []
        for pid in parser.get_process_ids():
            spec = parser.get_spec(pid)
            subs = parser.get_subprocess_specs(pid)
            bad = [e for s in (spec, *subs.values()) for e in _syntax_errors(s, filename)]
            if bad:
                raise BpmnError(f"{filename}: expressions that are not Python or not allowed: " + "; ".join(bad), "expression")
            dct = {
                "spec": _spec_serializer.to_dict(spec),
                "subprocess_specs": {k: _spec_serializer.to_dict(v) for k, v in subs.items()},
            }
            tasks = [
                {
                    "bpmn_id": ts.bpmn_id,
                    "name": ts.bpmn_name,
                    "lane_id": lanes.get(ts.bpmn_id),
                    "properties": ts.extensions.get("properties", {}),
                }
                for ts in spec.task_specs.values()
                if getattr(ts, "manual", False) and ts.bpmn_id
            ]
            result.append(ParsedProcess(pid, spec.description or pid, json.dumps(dct), tasks))
        return result
    except etree.XMLSyntaxError as exc:
        raise BpmnError(f"{filename}: malformed XML: {exc}", "xml", exc.lineno) from exc
    except ValidationException as exc:
        raise BpmnError(f"{filename}: {exc}", "bpmn", exc.line_number or None) from exc


@dataclass
class TaskInfo:
    """A READY user task as the rest of the app sees it."""

    task_id: str
    bpmn_id: str
    name: str
    lane_id: str | None
    properties: dict
    data: Mapping = field(repr=False)


@dataclass
class StepRecord:
    """An engine-completed element worth a timeline entry (timer fired, end reached)."""

    bpmn_id: str
    name: str
    kind: str  # timer | message | end
    properties: dict


def _tree_position(task, top) -> list[int]:
    """Where a task comes in SpiffWorkflow's depth-first walk: its path of child indexes from the root, a
    subprocess's tasks placed after the task that runs it and before that task's children (-1)."""
    key = []
    while True:
        parent = task.parent
        while parent is not None:
            key.append(parent._children.index(task.id))
            task, parent = parent, parent.parent
        if task.workflow is top:
            break
        key.append(-1)
        task = top.get_task_from_id(task.workflow.parent_task_id)
    key.reverse()
    return key


class Engine:
    """Operations on one loaded workflow. Construct with `Engine.start` or `Engine.load`."""

    def __init__(self, workflow: BpmnWorkflow, lanes: dict[str, str], script_engine=None):
        self.wf = workflow
        self.lanes = lanes
        self.wf.script_engine = script_engine or _script_engine  # a reloaded workflow loses it
        self.steps: list[StepRecord] = []
        # Messages the process threw that nothing inside it caught: (name, payload), in order. The host
        # routes them (e.g. an objection suspends its subject's listing).
        self.thrown: list[tuple[str, dict]] = []
        self._waits = None  # the waiting catch events of the current state, walked once (see _waiting_tasks)
        # The saved state this workflow equals (the one loaded, or last dumped); None once a command changed it.
        self._clean: str | None = None

    # -- specs -------------------------------------------------------------------------------------
    @staticmethod
    def restore_spec(spec_json: str, xml: str) -> Specs:
        dct = json.loads(spec_json)
        spec = _spec_serializer.from_dict(dct["spec"])
        subs = {k: _spec_serializer.from_dict(v) for k, v in dct["subprocess_specs"].items()}
        bad = [e for s in (spec, *subs.values()) for e in _syntax_errors(s, "deployed version")]
        if bad:  # (deployed before the expression policy: not run)
            raise BpmnError("expressions that are not allowed: " + "; ".join(bad), "expression")
        return Specs(spec, subs, lanes_of(xml))

    # -- lifecycle ---------------------------------------------------------------------------------
    @classmethod
    def start(cls, specs: Specs, data: dict[str, Any], script_engine=None) -> Engine:
        """(`script_engine`: engine.fresh's, which refuses to evaluate anything, makes a prototype)"""
        script_engine = script_engine or _script_engine
        eng = cls(BpmnWorkflow(specs.spec, specs.subprocesses, script_engine=script_engine), specs.lanes, script_engine)
        start = eng.wf.get_tasks(state=TaskState.READY)[0]
        start.set_data(**as_saved(data))
        eng._steps()
        return eng

    @classmethod
    def load(cls, specs: Specs, state: str) -> Engine:
        dct = json.loads(state)
        dct["_spec_objects"] = (specs.spec, specs.subprocesses)
        _serializer.migrate(dct)
        eng = cls(_serializer.from_dict(dct), specs.lanes)
        eng._clean = state
        return eng

    def dump(self) -> str:
        self._clean = _serializer.serialize_json(self.wf)
        return self._clean

    def unchanged_since(self, state: str) -> bool:
        """Whether this workflow is exactly the saved `state` (no command has run since it was loaded or dumped)."""
        return self._clean is not None and (self._clean is state or self._clean == state)

    # -- queries -----------------------------------------------------------------------------------
    @property
    def completed(self) -> bool:
        return self.wf.completed

    def ready_user_tasks(self) -> list[TaskInfo]:
        return [
            TaskInfo(
                str(t.id),
                t.task_spec.bpmn_id,
                t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                self.lanes.get(t.task_spec.bpmn_id),
                t.task_spec.extensions.get("properties", {}),
                MappingProxyType(t.data),  # read-only: the task's own data, which a kept workflow carries on
            )
            for t in self._in_state(TaskState.READY, manual=True)
        ]

    def ready_user_task_ids(self) -> frozenset[str]:
        return frozenset(str(t.id) for t in self._in_state(TaskState.READY, manual=True))

    def _in_state(self, state: int, manual: bool = False) -> list:
        """The tasks in one state (READY, WAITING), as `wf.get_tasks(state=...)` lists them and in its order, found by
        scanning the workflow's task dictionaries instead of walking the tree: the walk costs about 6 µs per task
        (a case at implementation holds 36: ~200 µs), and every save asks for both states."""
        top = self.wf
        found = [t for t in top.tasks.values() if t.state == state and (not manual or t.task_spec.manual)]
        for sp in top.subprocesses.values():
            # (the walk's own test for entering a subprocess, mirrored: SpiffWorkflow 3.2 skips it when its task's state
            # is >= FINISHED_MASK, which no single state is, so both enter every subprocess; kept as the walk has it)
            if top.get_task_from_id(sp.parent_task_id).state < TaskState.FINISHED_MASK:
                found.extend(t for t in sp.tasks.values() if t.state == state and (not manual or t.task_spec.manual))
        if len(found) > 1:
            found.sort(key=lambda t: _tree_position(t, top))
        return found

    def _waiting_tasks(self) -> list:
        """The WAITING tasks with an event definition. A save asks for them several times (next timer, statuses,
        the messages it waits for): the tree is walked once per state; every command forgets the walk."""
        if self._waits is None:
            self._waits = [t for t in self._in_state(TaskState.WAITING)
                           if getattr(t.task_spec, "event_definition", None) is not None]
        return self._waits

    def _waiting(self):
        """(task, catch event specs) for each wait: a catch event, or an event-based gateway whose
        alternatives are its children (SpiffWorkflow keeps the gateway WAITING, the events MAYBE)."""
        for t in self._waiting_tasks():
            if isinstance(t.task_spec.event_definition, MultipleEventDefinition) and t.children:
                yield t, [c.task_spec for c in t.children if getattr(c.task_spec, "event_definition", None) is not None]
            else:
                yield t, [t.task_spec]

    @staticmethod
    def _definition_of(gateway_spec, child_spec):
        """At an event-based gateway SpiffWorkflow moves the events' definitions onto the gateway (the
        catch events become plain ones); find a child's own definition again by its name."""
        for ed in gateway_spec.event_definition.event_definitions:
            if child_spec.bpmn_name and getattr(ed, "name", None) == child_spec.bpmn_name:
                return ed
        return child_spec.event_definition

    def waiting_timers(self) -> list[tuple[str, str, datetime | None, dict]]:
        """(bpmn_id, name, due time, properties) for each timer the workflow waits on."""
        out = []
        for t, specs in self._waiting():
            for spec in specs:
                ed = spec.event_definition
                if isinstance(t.task_spec.event_definition, MultipleEventDefinition):
                    ed = self._definition_of(t.task_spec, spec)
                if isinstance(ed, TimerEventDefinition):
                    value = t._get_internal_data("event_value")
                    due = TimerEventDefinition.get_datetime(value) if isinstance(value, str) else None
                    out.append((spec.bpmn_id, spec.bpmn_name, due, spec.extensions.get("properties", {})))
        return out

    def waiting_properties(self) -> list[dict]:
        """Properties of every catch event the workflow waits on (timers and messages)."""
        return [spec.extensions.get("properties", {}) for _t, specs in self._waiting() for spec in specs]

    def next_timer_due(self) -> datetime | None:
        dues = [d for _, _, d, _ in self.waiting_timers() if d is not None]
        return min(dues) if dues else None

    def activity_states(self) -> dict[str, str]:
        """bpmn id -> "active" | "completed" for the diagram: what ran, and where the case is now."""
        states: dict[str, str] = {}
        for t in self.wf.get_tasks():
            bpmn_id = t.task_spec.bpmn_id
            if not bpmn_id:
                continue
            if t.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
                states[bpmn_id] = "active"
            elif t.state == TaskState.COMPLETED and states.get(bpmn_id) != "active":
                states[bpmn_id] = "completed"
        return states

    def end_properties(self) -> dict:
        """Properties of the end events reached (only meaningful once completed). Parallel branches may
        end at several; those that carry properties are merged (one of them names the outcome)."""
        merged: dict = {}
        for t in self.wf.get_tasks(state=TaskState.COMPLETED):
            if t.task_spec.bpmn_id and type(t.task_spec).__name__ == "EndEvent":
                merged.update(t.task_spec.extensions.get("properties", {}))
        return merged

    def workflow_data(self) -> dict:
        return self.wf.data

    # -- commands ----------------------------------------------------------------------------------
    def complete(self, task_id: str, data: dict[str, Any]) -> None:
        """Complete a READY user task with data (top-level keys reassigned, never mutated in place)."""
        task = self._ready_task(task_id)
        if task is None:
            raise LookupError(task_id)
        self._changing()
        task.set_data(**as_saved(data))
        task.run()
        self._steps()

    def is_ready(self, task_id: str) -> bool:
        return self._ready_task(task_id) is not None

    def deliver_message(self, name: str, payload: dict | None = None) -> bool:
        """A message from the host (e.g. meeting_closed). Waiting catch events of that name receive it;
        returns whether one did (if none waits, nothing happens)."""
        waiting = self.waits_for_message(name)
        self._changing()
        self.wf.catch(BpmnEvent(MessageEventDefinition(name), as_saved(payload or {})))
        if not waiting:
            self.wf.get_events()  # the unmatched delivery itself: dropped, not thrown onward
            return False
        self._steps()
        return True

    def waits_for_message(self, name: str) -> bool:
        return name in self.waiting_messages()

    def waiting_messages(self) -> set[str]:
        """Names of the messages a catch event (or an event-based gateway) waits for now: the instance's
        subscriptions, kept on its row so that a message no one waits for is dropped without loading it."""
        names = set()
        for t in self._waiting_tasks():
            ed = t.task_spec.event_definition
            for d in ed.event_definitions if isinstance(ed, MultipleEventDefinition) else [ed]:
                if isinstance(d, MessageEventDefinition):
                    names.add(d.name)
        return names

    def fire_timers(self) -> None:
        self._changing()
        self.wf.refresh_timers()
        self._steps()

    # -- internals ---------------------------------------------------------------------------------
    def _changing(self) -> None:
        """Every command calls this before it changes the workflow: walks and the saved state no longer hold."""
        self._waits = None
        self._clean = None

    def _ready_task(self, task_id: str):
        try:
            task = self.wf.get_task_from_id(UUID(task_id))
        except (ValueError, KeyError):
            return None
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            return None
        return task

    def _record(self, task) -> None:
        spec = task.task_spec
        kind = None
        ed = getattr(spec, "event_definition", None)
        parent = task.parent
        if parent is not None and isinstance(getattr(parent.task_spec, "event_definition", None), MultipleEventDefinition):
            ed = self._definition_of(parent.task_spec, spec)
        if isinstance(ed, TimerEventDefinition):
            kind = "timer"
        elif isinstance(ed, MessageEventDefinition):
            kind = "message"
        elif type(spec).__name__ == "EndEvent" and spec.bpmn_id:
            kind = "end"
        if kind:
            self.steps.append(StepRecord(spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, kind, spec.extensions.get("properties", {})))

    def _steps(self) -> None:
        self._changing()
        self.wf.do_engine_steps(did_complete_task=self._record)
        # Drain what the process threw outward (unmatched events must not pile up in the saved state).
        for event in self.wf.get_events():
            ed = event.event_definition
            if isinstance(ed, MessageEventDefinition):
                self.thrown.append((ed.name, dict(event.payload or {})))
