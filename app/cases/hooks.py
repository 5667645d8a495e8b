"""The explicit interface between the case runtime and the features built on it.

The runtime never imports a feature. What a feature adds to it — the handler of each workflow task it owns,
who else may see a case, what happens when one of its processes ends or when something happens in a case
— it registers here from its `init_app`, which `create_app` calls. Registration is idempotent (tests and
tools build more than one app in a process)."""
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

# Domain events the runtime and features publish (payload keyword arguments in brackets).
TASK_COMPLETED = "task_completed"  # (case, open_task, actor, at)
DECISION_RECORDED = "decision_recorded"  # (case, actor)
# A unit must apply, suspend, resume or lift its measures for one listing (listing, unit_id, action, reason).
MEASURE_CHANGED = "measure_changed"
# A listing's status changed as its process says (listing, status): in_effect, suspended, expired, revoked, repaired.
LISTING_STATUS_CHANGED = "listing_status_changed"
# A reward's incentives are withheld: a joint punishment now stands against its subject (listing: the reward's).
INCENTIVES_WITHHELD = "incentives_withheld"


@dataclass(frozen=True)
class TaskKind:
    """What completing a workflow user task with this form key means (its handler returns task data)."""

    form_key: str
    handler: Callable


_task_kinds: dict[str, TaskKind] = {}
_listeners: dict[str, list[Callable]] = defaultdict(list)
_process_end: dict[str, list[Callable]] = defaultdict(list)
_visibility: dict[str, Callable] = {}
_case_sections: list[Callable] = []
_expert_sections: list[Callable] = []
_paged_sections: set[Callable] = set()
_portal_sections: list[Callable] = []
_list_notes: list[Callable] = []
_report_sections: list[Callable] = []
_blind_routes: set[str] = set()
_message_routes: dict[str, Callable] = {}
_process_saved: dict[str, list[Callable]] = defaultdict(list)
_task_views: dict[str, Callable] = {}
_attachment_rules: dict[str, Callable] = {}
_role_purposes: dict[str, frozenset] = {}
_identity_documents: set[str] = set()
_timeline_filters: list[Callable] = []
_hidden_instance_rules: list[Callable] = []
_task_rows: dict[str, Callable] = {}


def register_tasks(handlers: dict[str, Callable]) -> None:
    for form_key, handler in handlers.items():
        known = _task_kinds.get(form_key)
        if known is not None and known.handler is not handler:
            raise RuntimeError(f"form key {form_key} registered twice with different handlers")
        _task_kinds[form_key] = TaskKind(form_key, handler)


def task_kind(form_key: str) -> TaskKind:
    return _task_kinds[form_key]


def task_form_keys() -> set[str]:
    return set(_task_kinds)


def subscribe(event: str, listener: Callable) -> None:
    if listener not in _listeners[event]:
        _listeners[event].append(listener)


def publish(event: str, **payload) -> None:
    """Call every listener in the caller's transaction (they flush; the edge commits once)."""
    for listener in _listeners[event]:
        listener(**payload)


def on_process_end(process_id: str, listener: Callable) -> None:
    """listener(instance, case, end_properties) when an instance of the process completes."""
    if listener not in _process_end[process_id]:
        _process_end[process_id].append(listener)


def process_ended(process_id: str, instance, case, end_properties: dict) -> None:
    for listener in _process_end[process_id]:
        listener(instance, case, end_properties)


def register_visibility(role: str, clause: Callable) -> None:
    """clause(actor, case_id_column) -> SQL condition: the cases a user of this role may see."""
    _visibility[role] = clause


def visibility_for(role: str) -> Callable | None:
    return _visibility.get(role)


def register_attachment_rule(purpose: str, visible: Callable) -> None:
    """visible(actor, attachments) -> the ids of those (all of this purpose, of one case) the actor sees, among those
    who see the case (a unit's own answer to a data call is not shown to the other units called). Given a case's files
    together, so that a rule reads what it needs once."""
    _attachment_rules[purpose] = visible


def register_identity_document(purpose: str) -> None:
    """Files of this purpose print their parties' codes whole (a decision document names its party by identity number):
    one addressed to a subject (attachment.subject_id) names that subject, one uploaded for the whole case (the signed
    decision) any of its subjects. Opening one that names a person is logged as a whole-number view."""
    _identity_documents.add(purpose)


def names_identity(attachment) -> bool:
    return attachment.purpose in _identity_documents


def register_role_purposes(role: str, purposes: set[str]) -> None:
    """The only purposes of files a role reads on the cases it sees (an expert reads the file put before the meeting,
    not proofs of service with the subjects' addresses or the units' later implementation records)."""
    _role_purposes[role] = frozenset(purposes)


def visible_attachments(actor, attachments: list) -> list:
    allowed = _role_purposes.get(getattr(actor, "role", None))
    if allowed is not None:
        attachments = [a for a in attachments if a.purpose in allowed]
    by_purpose: dict[str, list] = defaultdict(list)
    for a in attachments:
        if a.purpose in _attachment_rules:
            by_purpose[a.purpose].append(a)
    hidden = {a.id for purpose, some in by_purpose.items() for a in some} - {
        i for purpose, some in by_purpose.items() for i in _attachment_rules[purpose](actor, some)}
    return [a for a in attachments if a.id not in hidden]


def register_timeline_filter(keep: Callable) -> None:
    """keep(actor, case, row) -> bool: whether the staff case page shows this timeline entry to this user (the chain
    check still reads every entry). A unit called on a data call does not read the others' answers there."""
    if keep not in _timeline_filters:
        _timeline_filters.append(keep)


def register_hidden_instances(rule: Callable) -> None:
    """rule(actor, case) -> ids of the case's process instances whose steps and diagram the staff case page does
    not show this user (a data call's other units' answers: their open steps, claimants, deadlines)."""
    if rule not in _hidden_instance_rules:
        _hidden_instance_rules.append(rule)


def hidden_instances(actor, case) -> set[int]:
    return set().union(*(rule(actor, case) for rule in _hidden_instance_rules))


def timeline_shown(actor, case, rows: list) -> list:
    if not _timeline_filters:
        return rows
    return [r for r in rows if all(keep(actor, case, r) for keep in _timeline_filters)]


def register_case_section(provider: Callable, paged: bool = False) -> None:
    """provider(actor, case) -> dict of template values a feature adds to the staff case page. `paged`: it is called
    as provider(actor, case, view) with the page's view (a CaseView: which page of its rows, a subject filter), for
    sections that grow with the case (a department's list of thousands of subjects)."""
    if provider not in _case_sections:
        _case_sections.append(provider)
    if paged:
        _paged_sections.add(provider)


@dataclass(frozen=True)
class CaseView:
    """What the reader asked of a long case page: a page of each long section's rows and a filter of its subjects."""

    q: str = ""
    listings_page: int = 1
    pushes_page: int = 1
    steps_page: int = 1
    events_back: int = 0  # (a long timeline: how many windows back from the newest events)


def case_sections(actor, case, view: CaseView | None = None) -> dict:
    view = view or CaseView()
    out: dict = {}
    for provider in _case_sections:
        out.update(provider(actor, case, view) if provider in _paged_sections else provider(actor, case))
    return out


def register_expert_section(provider: Callable) -> None:
    """provider(actor, case) -> dict of template values a feature adds to an expert's case page (which shows the file,
    not the deliberations: the staff sections are not computed for it)."""
    if provider not in _expert_sections:
        _expert_sections.append(provider)


def expert_sections(actor, case) -> dict:
    return _gathered(_expert_sections, actor, case)


def _gathered(providers: list[Callable], actor, case) -> dict:
    out: dict = {}
    for provider in providers:
        out.update(provider(actor, case))
    return out


def register_report_section(provider: Callable) -> None:
    """provider(first: date, last: date) -> (title, headers, rows): a table a feature adds to the monitoring reports
    (月通报) for the days first..last, without the reports knowing the feature."""
    if provider not in _report_sections:
        _report_sections.append(provider)


def report_sections(first, last) -> list[tuple]:
    return [provider(first, last) for provider in _report_sections]


def register_list_note(provider: Callable) -> None:
    """provider(case_ids) -> {case id: a short note shown beside the case's status in the staff's case lists} (e.g. a
    case in effect some of whose subjects' punishments are suspended), one query for the page."""
    if provider not in _list_notes:
        _list_notes.append(provider)


def list_notes(case_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for provider in _list_notes:
        for case_id, note in provider(case_ids).items():
            out.setdefault(case_id, []).append(note)
    return out


def register_portal_section(provider: Callable) -> None:
    """provider(actor, case) -> dict of template values a feature adds to the applicant's case page."""
    if provider not in _portal_sections:
        _portal_sections.append(provider)


def portal_sections(actor, case) -> dict:
    return _gathered(_portal_sections, actor, case)


def register_task_view(role: str, view: Callable) -> None:
    """view(actor, open_task) -> dict of page values, or None for the ordinary case page: what a user of
    this role sees around a task form (an invited expert, an applicant)."""
    _task_views[role] = view


def task_view_for(role: str) -> Callable | None:
    return _task_views.get(role)


@dataclass(frozen=True)
class TaskRow:
    """What one task of a list concerns when that is narrower than its case: the subjects it is about and a short
    note (a push to a unit concerns one subject of a department's list, and says what to do with its measure)."""

    subjects: list
    note: str = ""


def register_task_rows(form_key: str, describe: Callable) -> None:
    """describe(open_tasks) -> {task_id: TaskRow} for the tasks of that form on one page of a list (one query for
    the page, not one per row)."""
    _task_rows[form_key] = describe


def task_rows(open_tasks) -> dict:
    by_form = defaultdict(list)
    for ot in open_tasks:
        if ot.form_key in _task_rows:
            by_form[ot.form_key].append(ot)
    out = {}
    for form_key, tasks in by_form.items():
        out.update(_task_rows[form_key](tasks))
    return out


def route_message(name: str, handler: Callable, reads_the_save: bool = True) -> None:
    """handler(payload, case, actor) for a message a process throws outward (e.g. listing_suspend). The save that
    threw it is flushed before the handler runs (the runtime saves without autoflush), unless `reads_the_save` is
    False: the handler reads nothing that save may leave unwritten (it finds rows by id, from the session), so the
    save's rows go out with the handler's own in one flush."""
    known = _message_routes.get(name)
    if known is not None and known is not handler:
        raise RuntimeError(f"message {name} routed twice")
    _message_routes[name] = handler
    if not reads_the_save:
        _blind_routes.add(name)


def flush_before(names) -> bool:
    """Whether a save that threw these messages must be flushed before their handlers run."""
    return any(name not in _blind_routes for name in names)


def message_thrown(name: str, payload: dict, case, actor) -> None:
    handler = _message_routes.get(name)
    if handler is None:
        raise LookupError(f"no route for the message {name!r} thrown by a process of case {case.id}")
    handler(payload, case, actor)


def on_process_saved(process_id: str, listener: Callable) -> None:
    """listener(instance, case, saved, waiting_properties) after each save of an instance of the process
    (a feature keeping its own rows in step with a process, as the runtime does for the case status)."""
    if listener not in _process_saved[process_id]:
        _process_saved[process_id].append(listener)


def process_saved(process_id: str, instance, case, saved, waiting: list[dict]) -> None:
    for listener in _process_saved[process_id]:
        listener(instance, case, saved, waiting)
