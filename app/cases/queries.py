"""Read side: inbox, case lists, case page, supervision overview. Paginated and sorted in SQL, with the
rows a page shows loaded in a fixed number of queries (no query per row)."""
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, func, select, union
from sqlalchemy.orm import joinedload, selectinload

from app import clock, text_search
from app.auth.models import ADMIN, EXPERT, OFFICE, SUPERVISOR, Unit, User
from app.auth.permissions import require_role
from app.cases import hooks
from app.cases.access import UNIT_ROLES, can_see_case, case_visibility_clause, may_work_on
from app.cases.models import Attachment, Case, CaseAccess, CaseEntry, CaseEvent, CaseMeasure, CaseSearch, CaseSubject, OpenTask, Subject
from app.cases.tasks import get_open_task
from app.cases.timeline import present, rows_html
from app.catalog.models import CatalogVersion
from app.errors import NotFound, PermissionDenied
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.pagination import RowPage, page_number, paginate_clamped, paginate_ids, paginate_rows


def inbox(actor, kind=None, step=None, scope="all", page=1, per_page=25):
    """A page of the actor's open tasks, soonest deadline first (tasks without one last). The order is the one
    the inbox indexes hold (ix_open_task_unit_inbox for a unit's queue, ix_open_task_assignee for a person's),
    so a page is read from the index with no sort, however many tasks a unit has."""
    stmt = select(OpenTask).options(joinedload(OpenTask.case).options(*Case.listed()), joinedload(OpenTask.claimed_by)).where(_mine(actor))
    if kind:
        stmt = stmt.where(OpenTask.case_kind == kind)
    if step:
        stmt = stmt.where(OpenTask.bpmn_id == step)
    if scope == "mine":
        stmt = stmt.where(OpenTask.claimed_by_id == actor.id)
    elif scope == "unclaimed":
        stmt = stmt.where(OpenTask.claimed_by_id.is_(None))
    stmt = stmt.order_by(OpenTask.due_at.asc().nulls_last(), OpenTask.id)
    return paginate_rows(stmt, page, per_page, scalars=True, capped_count=True)


def _mine(actor):
    """Tasks for this person (assignee) or for their role in their unit."""
    if actor.role in ("expert", "applicant"):
        return OpenTask.assignee_id == actor.id
    return and_(OpenTask.role == actor.role, OpenTask.unit_id == actor.unit_id, OpenTask.assignee_id.is_(None))


def inbox_steps(actor) -> list[tuple[str, str]]:
    """The distinct steps in the actor's queue, for the filter. A skip scan (a recursive query that jumps from
    one step to the next through ix_open_task_unit_step) reads one index entry per step, not one per task, so
    a unit holding 30,000 open tasks costs as little as one holding 30."""
    mine = _mine(actor)
    steps = select(func.min(OpenTask.bpmn_id).label("b")).where(mine).cte("steps", recursive=True)
    prev = steps.alias("prev")
    following = select(func.min(OpenTask.bpmn_id)).where(mine, OpenTask.bpmn_id > prev.c.b).scalar_subquery()
    steps = steps.union_all(select(following).where(prev.c.b.is_not(None)))
    name = select(OpenTask.name).where(mine, OpenTask.bpmn_id == steps.c.b).limit(1).scalar_subquery()
    rows = db.session.execute(select(steps.c.b, name).where(steps.c.b.is_not(None)).order_by(steps.c.b)).all()
    return [(b, n) for b, n in rows]


NUMBER_PART = re.compile(r"[A-Za-z0-9-]{2,15}")  # what can be part of a case number (XL-2026-000123)


def _search(q: str):
    """(case_id, created_at) of the cases whose title or a subject's name contains q (the CaseSearch rows, one
    bigram index) or whose number contains q; or numbered q or with a subject whose code is q: a union of
    index lookups (an OR across tables would make the database scan every case), each row with the filing time
    that orders the list, so that ordering the matches reads no case row."""
    nq = text_search.normalise(q)
    if not text_search.searchable(q):  # a whole code (every code has 18 characters) or one character
        by_code = (select(CaseSubject.case_id, Case.created_at).join(Case, Case.id == CaseSubject.case_id)
                   .where(CaseSubject.subject_id.in_(select(Subject.id).where(Subject.code == nq.upper()))))
        return union(select(Case.id, Case.created_at).where(Case.number == nq.upper()), by_code)
    parts = [select(CaseSearch.case_id, CaseSearch.created_at).where(text_search.contains(CaseSearch.text, q))]
    if NUMBER_PART.fullmatch(nq):  # a name or an 18-character code is never part of a number
        parts.append(select(Case.id, Case.created_at).where(text_search.contains(Case.number, q)))
    # (a case whose title and subject both match has two rows: once each, as UNION makes them)
    return union(*parts) if len(parts) > 1 else parts[0].distinct()


def _search_ids(actor, q: str, status=None, kind=None):
    """The ids of the cases matching q that the actor may see, newest first (as the list without a search)."""
    m = _search(q).subquery("m")
    case_id, created_at = m.c[0], m.c[1]
    stmt = select(case_id)
    if actor.role in UNIT_ROLES and actor.unit_id is not None:
        stmt = stmt.join(CaseAccess, and_(CaseAccess.case_id == case_id, CaseAccess.unit_id == actor.unit_id))
        filters = (CaseAccess.status, CaseAccess.kind)
    else:
        clause = case_visibility_clause(actor, case_id)
        if clause is False:
            raise PermissionDenied(_l("Your role may not do this."))
        if clause is not None:
            stmt = stmt.where(clause)
        filters = (Case.status, Case.kind)
        if status or kind:  # (only then the matching cases' rows are read)
            stmt = stmt.join(Case, Case.id == case_id)
    if status:
        stmt = stmt.where(filters[0] == status)
    if kind:
        stmt = stmt.where(filters[1] == kind)
    return stmt.order_by(created_at.desc(), case_id.desc())


def visible_cases(actor, q=None, status=None, kind=None, page=1, per_page=25):
    """The cases the actor may see, newest first. Unit staff read their unit's CaseAccess rows (one index range
    per filter, joined to the 25 cases shown); the office and supervisors read the case table's own indexes."""
    shown = (joinedload(Case.initiating_unit), *Case.listed())
    if text_search.normalise(q):
        # A search's matches are computed whole whatever the page: once, for the ids in list order, not once to
        # count them and again for the page.
        def load(ids):
            rows = {c.id: c for c in db.session.scalars(select(Case).options(*shown).where(Case.id.in_(ids)))} if ids else {}
            return [rows[i] for i in ids]

        return paginate_ids(_search_ids(actor, q, status, kind), load, page, per_page)
    stmt = select(Case)
    if actor.role in UNIT_ROLES and actor.unit_id is not None:
        access = CaseAccess
        stmt = stmt.join(access, and_(access.case_id == Case.id, access.unit_id == actor.unit_id))
        order = (access.created_at.desc(), access.case_id.desc())
        status_col, kind_col = access.status, access.kind
    else:
        clause = case_visibility_clause(actor, Case.id)
        if clause is False:
            raise PermissionDenied(_l("Your role may not do this."))
        if clause is not None:
            stmt = stmt.where(clause)
        order = (Case.created_at.desc(), Case.id.desc())
        status_col, kind_col = Case.status, Case.kind
    if status:
        stmt = stmt.where(status_col == status)
    if kind:
        stmt = stmt.where(kind_col == kind)
    return paginate_rows(stmt.options(*shown).order_by(*order), page, per_page, scalars=True, capped_count=True)


SUBJECTS_PER_ROW = 5  # a list's row names at most this many of a case's subjects ("and N more")


class FirstOf(list):
    """A case's first rows of something (subjects, open steps) and, in `more`, how many others it has."""

    more = 0


def _first_per_case(model, order, case_ids: list[int], per_case: int, load, pick) -> dict[int, FirstOf]:
    """Each case's first `per_case` rows of `model` in `order` and how many more, in one query (window functions):
    a department's list has thousands of subjects and open steps, which a list's row must not load."""
    out: dict[int, FirstOf] = defaultdict(FirstOf)
    if not case_ids:
        return out
    ranked = (select(model.id, func.row_number().over(partition_by=model.case_id, order_by=order).label("n"),
                     func.count().over(partition_by=model.case_id).label("total"))
              .where(model.case_id.in_(case_ids)).subquery())
    for row, total in db.session.execute(
        select(model, ranked.c.total).options(load).join(ranked, ranked.c.id == model.id)
        .where(ranked.c.n <= per_case).order_by(model.case_id, ranked.c.n)
    ):
        first = out[row.case_id]
        first.append(pick(row))
        first.more = max(total - per_case, 0)
    return out


class RowSubject:
    """A subject as a list's row names it: the subject, and whether the decision to act left it out (`not_acted`)."""

    def __init__(self, cs: CaseSubject):
        self.subject, self.not_acted = cs.subject, cs.not_acted

    def __getattr__(self, name):
        return getattr(self.subject, name)


def subjects_for(case_ids: list[int], per_case: int = SUBJECTS_PER_ROW) -> dict[int, FirstOf]:
    """Each case's first `per_case` subjects (RowSubject)."""
    return _first_per_case(CaseSubject, CaseSubject.id, case_ids, per_case, joinedload(CaseSubject.subject), RowSubject)


STEPS_PER_ROW = 5  # a list's row names at most this many of a case's open steps ("and N more")


def open_tasks_for(case_ids: list[int], per_case: int = STEPS_PER_ROW) -> dict[int, FirstOf]:
    """Each case's first `per_case` open steps, soonest deadline first."""
    return _first_per_case(OpenTask, (OpenTask.due_at.asc().nulls_last(), OpenTask.id), case_ids, per_case,
                           joinedload(OpenTask.unit), lambda ot: ot)


def get_case(actor, case_id: int) -> Case:
    """The case, if the actor may see it. A case they may not see is "no such case" too: answering 403 for
    those and 404 for the rest told anyone with a login which case numbers exist and how many there are."""
    case = db.session.get(Case, case_id)
    if case is None or not can_see_case(actor, case_id):
        raise NotFound(_l("No such case."))
    return case


class TimelineRow(NamedTuple):
    """An event as the page reads it (a tuple's fields cost a tenth of a SQLAlchemy Row's named attribute, read a
    dozen times per event by the chain walk, the filters and the formatting)."""

    seq: int
    type: str
    at: datetime
    actor_id: int | None
    actor_unit_id: int | None
    bpmn_id: str | None
    details: Any
    prev_hash: str
    hash: str
    alg: str
    actor_name: str | None
    unit_name: str | None


def timeline_rows(case_id: int) -> list[TimelineRow]:
    """The whole timeline as plain rows (not ORM objects: a case can carry thousands of events), with the
    actor's name and unit, in chain order; verify_chain and the page both read these."""
    return list(map(TimelineRow._make, db.session.execute(
        select(
            CaseEvent.seq, CaseEvent.type, CaseEvent.at, CaseEvent.actor_id, CaseEvent.actor_unit_id, CaseEvent.bpmn_id,
            CaseEvent.details, CaseEvent.prev_hash, CaseEvent.hash, CaseEvent.alg,
            User.full_name.label("actor_name"), Unit.name.label("unit_name"),
        )
        .outerjoin(User, User.id == CaseEvent.actor_id)
        .outerjoin(Unit, Unit.id == CaseEvent.actor_unit_id)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.seq)
    )))


SUBJECTS_SHOWN = 20  # in the case's header; a department's list of thousands names them in its listings, paged
TIMELINE_PAGE = 1000  # events per page of a long timeline (the newest page first)


def _subjects_shown(case_id: int) -> tuple[list, int]:
    """The first SUBJECTS_SHOWN subjects of the case (one more read tells whether there are others) and how many in all."""
    shown = list(db.session.scalars(select(CaseSubject).options(joinedload(CaseSubject.subject))
                                    .where(CaseSubject.case_id == case_id).order_by(CaseSubject.id).limit(SUBJECTS_SHOWN + 1)))
    if len(shown) <= SUBJECTS_SHOWN:
        return shown, len(shown)
    return shown[:SUBJECTS_SHOWN], db.session.scalar(select(func.count()).where(CaseSubject.case_id == case_id))


@dataclass
class TimelineWindow:
    """The events of a long timeline shown at once: `back` windows of TIMELINE_PAGE back from the newest (0 = the
    newest), in chain order within it."""

    items: list
    back: int
    first: int  # (the 1-based positions in the whole timeline of the first and last events shown)
    last: int
    total: int

    @property
    def has_earlier(self) -> bool:
        return self.first > 1

    @property
    def paged(self) -> bool:
        return self.total > TIMELINE_PAGE


def timeline_window(shown: list, back: int) -> TimelineWindow:
    """The newest TIMELINE_PAGE events, or those `back` windows before them (a timeline of thousands of events)."""
    windows = max((len(shown) + TIMELINE_PAGE - 1) // TIMELINE_PAGE, 1)
    back = min(max(back, 0), windows - 1)
    end = len(shown) - back * TIMELINE_PAGE
    start = max(end - TIMELINE_PAGE, 0)
    return TimelineWindow(shown[start:end], back, start + 1, end, len(shown))


STEPS_SHOWN = 50  # open steps per page of the case page (a department's list has one per listing and unit)


def _open_steps(case_id: int, hidden: set[int], page: int) -> RowPage:
    """A page of the case's open steps, soonest deadline first (none last)."""
    stmt = (select(OpenTask).options(joinedload(OpenTask.unit), joinedload(OpenTask.claimed_by))
            .where(OpenTask.case_id == case_id, OpenTask.instance_id.not_in(hidden))
            .order_by(OpenTask.due_at.asc().nulls_last(), OpenTask.id))
    return paginate_clamped(stmt, page, STEPS_SHOWN)


def _earliest_due(case_id: int, hidden: set[int]):
    return db.session.scalar(select(func.min(OpenTask.due_at)).where(OpenTask.case_id == case_id,
                                                                      OpenTask.instance_id.not_in(hidden)))


def case_page(actor, case_id: int, view: hooks.CaseView | None = None) -> dict:
    """The staff's (or an expert's) case page. `view`: which page of its long sections, which window of a long
    timeline, which subjects (a filter)."""
    case = db.session.scalar(
        select(Case)
        .options(
            selectinload(Case.entries).joinedload(CaseEntry.catalog_version).joinedload(CatalogVersion.entry),
            selectinload(Case.measures).joinedload(CaseMeasure.unit),
            joinedload(Case.initiating_unit),
            joinedload(Case.group),
        )
        .where(Case.id == case_id)
    )
    if case is None or not can_see_case(actor, case_id):  # (as get_case)
        raise NotFound(_l("No such case."))
    hidden = hooks.hidden_instances(actor, case)
    view = view or hooks.CaseView()
    steps = _open_steps(case.id, hidden, view.steps_page)
    attachments = hooks.visible_attachments(actor, db.session.scalars(
        select(Attachment).options(joinedload(Attachment.uploaded_by)).where(Attachment.case_id == case.id).order_by(Attachment.id)
    ).all())
    timeline = timeline_rows(case.id)
    unit_ids = set()
    for ev in timeline:
        if isinstance(ev.details, dict):
            if ev.details.get("unit_id"):
                unit_ids.add(ev.details["unit_id"])
            # (a complaint's hearing names the units it convened; its decision, those that took part)
            for key in ("units", "attending_unit_ids"):
                if isinstance(ev.details.get(key), list):
                    unit_ids.update(u for u in ev.details[key] if isinstance(u, int))
    det = case.determination or {}
    unit_ids.update(det.get("attending_unit_ids") or [])
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))} if unit_ids else {}
    if actor.role == EXPERT:
        # An expert reads the file, not the deliberations: no timeline (who declined and why), no other
        # experts' opinions, no draw records beyond the verification page.
        return {"case": case, "tasks": [], "tasks_total": 0, "attachments": attachments, "timeline": [], "units": units,
                "meeting": None, "limited": False, "timeline_count": 0, "hidden_instances": hidden,
                **hooks.expert_sections(actor, case)}
    shown = hooks.timeline_shown(actor, case, timeline)
    events = timeline_window(shown, view.events_back)
    subjects, subjects_total = _subjects_shown(case.id)
    page = {"case": case, "tasks": steps.items, "tasks_page": steps, "tasks_total": steps.total,
            # (what a step concerns where that is narrower than the case, e.g. a push's subject; the reader's own steps)
            "step_rows": hooks.task_rows(steps.items), "my_steps": {t.task_id for t in steps.items if may_work_on(actor, t)},
            "earliest_due": _earliest_due(case.id, hidden), "attachments": attachments, "timeline": timeline, "units": units,
            "timeline_html": rows_html(present(events.items, units)), "timeline_count": len(shown),
            "timeline_window": events, "subjects_shown": subjects, "subjects_total": subjects_total, "view": view,
            "meeting": None, "limited": False, "hidden_instances": hidden}
    page.update(hooks.case_sections(actor, case, view))  # the features' sections (meeting, access codes, ...)
    # The pages shown (a page asked for past the last is the last): the links that keep the view keep these.
    shown_pages = {"steps_page": steps.page}
    for key, section in (("listings_page", "listings"), ("pushes_page", "pushes")):
        if isinstance(page.get(section), RowPage):
            shown_pages[key] = page[section].page
    page["view"] = replace(view, **shown_pages)
    return page


def get_attachment(actor, case_id: int, attachment_id: int) -> Attachment:
    get_case(actor, case_id)
    att = db.session.get(Attachment, attachment_id)
    if att is None or att.case_id != case_id:
        raise NotFound(_l("No such file."))
    if not hooks.visible_attachments(actor, [att]):
        raise NotFound(_l("No such file."))
    return att


def supervision_overview(actor, status=None, kind=None, overdue_only=False, page=1, per_page=25):
    """Every case with its status, current steps and how many days its most overdue step is late. Newest first:
    the page of cases is read first and the earliest deadline looked up for those 25 only. Overdue only: the
    overdue tasks (few, found by ix_open_task_due) grouped by case, most overdue first."""
    require_role(actor, SUPERVISOR, OFFICE, ADMIN)
    filters = []
    visible = case_visibility_clause(actor, Case.id)  # (the administrator: every case but public reports)
    if visible is not None:
        filters.append(visible)
    if status:
        filters.append(Case.status == status)
    if kind:
        filters.append(Case.kind == kind)
    if overdue_only:
        return _overdue_cases(filters, page_number(page), per_page)
    stmt = (select(Case).options(joinedload(Case.initiating_unit), joinedload(Case.group), *Case.listed()).where(*filters)
            .order_by(Case.created_at.desc(), Case.id.desc()))
    cases = paginate_rows(stmt, page, per_page, scalars=True, capped_count=True)
    ids = [c.id for c in cases.items]
    earliest = dict(db.session.execute(
        select(OpenTask.case_id, func.min(OpenTask.due_at)).where(OpenTask.case_id.in_(ids)).group_by(OpenTask.case_id)
    ).all()) if ids else {}
    cases.items = [(c, earliest.get(c.id)) for c in cases.items]
    return cases


OVERDUE_COUNT_AHEAD = 250


def _overdue_cases(filters: list, page: int, per_page: int) -> RowPage:
    """Cases with an overdue step, most overdue first: overdue tasks are walked in deadline order through
    ix_open_task_due until the page's cases and COUNT_AHEAD more are found (the capped total comes from the
    same walk), so the page costs the same whether a hundred or thirty thousand tasks are overdue (grouping them
    all to sort by each case's earliest deadline did not)."""
    now = clock.now()
    # (a shorter look-ahead than other lists: the walk reads about twice as many tasks as it counts cases)
    cap = (page - 1) * per_page + OVERDUE_COUNT_AHEAD
    walk = select(OpenTask.case_id, OpenTask.due_at).where(OpenTask.due_at < now)
    if filters:  # (the case's own columns: joined only when filtered by them)
        walk = walk.join(Case, Case.id == OpenTask.case_id).where(*filters)
    walk = walk.order_by(OpenTask.due_at, OpenTask.id)
    earliest: dict[int, object] = {}
    fetch = 2 * (cap + 1)
    while True:
        rows = db.session.execute(walk.limit(fetch)).all()
        earliest.clear()
        for case_id, due in rows:
            earliest.setdefault(case_id, due)
        if len(earliest) > cap or len(rows) < fetch:
            break
        fetch *= 4
    ids = list(earliest)[(page - 1) * per_page:page * per_page]
    cases = {c.id: c for c in db.session.scalars(
        select(Case).options(joinedload(Case.initiating_unit), joinedload(Case.group), *Case.listed()).where(Case.id.in_(ids)))} if ids else {}
    total = len(earliest)
    return RowPage([(cases[i], earliest[i]) for i in ids], page, per_page, min(total, cap), total > cap)


class ActiveUnits:
    """The active units in id order, read when a task form first asks for them (most forms never do)."""

    def __init__(self):
        self._rows = None

    def __iter__(self):
        if self._rows is None:
            self._rows = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.id)).all()
        return iter(self._rows)


def task_form_data(actor, task_id: str) -> dict:
    """What a submitted task form needs to be checked and completed: the task, its case and the units (the
    case page is built only when the form is shown again)."""
    ot = get_open_task(actor, task_id)
    return {"task": ot, "case": db.session.get(Case, ot.case_id), "form_units": ActiveUnits()}


def task_page(actor, task_id: str) -> dict:
    """The task, its case and what its form needs. Raises Conflict/PermissionDenied like the services."""
    ot = get_open_task(actor, task_id)
    units = ActiveUnits()
    view = hooks.task_view_for(actor.role)
    data = view(actor, ot) if view else None
    if data is None:
        data = case_page(actor, ot.case_id)
    data.update(task=ot, form_units=units)  # the case body keeps its {id: unit} map
    return data


def unit_measure_texts(case_id: int, unit_id: int) -> list[str]:
    """The texts of the measures a case's decision gives one unit to apply (its implementation and push steps say them)."""
    return list(db.session.scalars(select(CaseMeasure.text).where(CaseMeasure.case_id == case_id, CaseMeasure.unit_id == unit_id)
                                   .order_by(CaseMeasure.id)))
