"""Read side: inbox, case lists, case page, supervision overview. Paginated and sorted in SQL, with the
rows a page shows loaded in a fixed number of queries (no query per row)."""
from collections import defaultdict

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app import clock
from app.auth.models import ADMIN, EXPERT, OFFICE, SUPERVISOR, Unit, User
from app.auth.permissions import require_role
from app.cases import hooks
from app.cases.access import can_see_case, case_visibility_clause
from app.cases.models import Attachment, Case, CaseEntry, CaseEvent, CaseMeasure, CaseSubject, OpenTask, Subject
from app.cases.tasks import get_open_task
from app.cases.timeline import present, rows_html
from app.errors import NotFound, PermissionDenied
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.pagination import paginate_rows


def inbox(actor, kind=None, step=None, scope="all", page=1, per_page=25):
    stmt = select(OpenTask).options(joinedload(OpenTask.case), joinedload(OpenTask.claimed_by)).where(_mine(actor))
    if kind:
        stmt = stmt.where(OpenTask.case_kind == kind)
    if step:
        stmt = stmt.where(OpenTask.bpmn_id == step)
    if scope == "mine":
        stmt = stmt.where(OpenTask.claimed_by_id == actor.id)
    elif scope == "unclaimed":
        stmt = stmt.where(OpenTask.claimed_by_id.is_(None))
    stmt = stmt.order_by(OpenTask.due_at.is_(None), OpenTask.due_at, OpenTask.id)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def _mine(actor):
    """Tasks for this person (assignee) or for their role in their unit."""
    if actor.role in ("expert", "applicant"):
        return OpenTask.assignee_id == actor.id
    return and_(OpenTask.role == actor.role, OpenTask.unit_id == actor.unit_id, OpenTask.assignee_id.is_(None))


def inbox_steps(actor) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(OpenTask.bpmn_id, OpenTask.name)
        .where(_mine(actor))
        .distinct()
        .order_by(OpenTask.bpmn_id)
    ).all()
    return [(r.bpmn_id, r.name) for r in rows]


def visible_cases(actor, q=None, status=None, kind=None, page=1, per_page=25):
    stmt = select(Case).options(joinedload(Case.initiating_unit))
    clause = case_visibility_clause(actor, Case.id)
    if clause is False:
        raise PermissionDenied(_l("Your role may not do this."))
    if clause is not None:
        stmt = stmt.where(clause)
    if status:
        stmt = stmt.where(Case.status == status)
    if kind:
        stmt = stmt.where(Case.kind == kind)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            or_(
                Case.number.ilike(like),
                Case.title.ilike(like),
                Case.id.in_(
                    select(CaseSubject.case_id).join(Subject).where(or_(Subject.name.ilike(like), Subject.code == q.strip().upper()))
                ),
            )
        )
    stmt = stmt.order_by(Case.created_at.desc(), Case.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def subjects_for(case_ids: list[int]) -> dict[int, list]:
    out = defaultdict(list)
    if not case_ids:
        return out
    for cs in db.session.scalars(
        select(CaseSubject).options(joinedload(CaseSubject.subject)).where(CaseSubject.case_id.in_(case_ids)).order_by(CaseSubject.id)
    ):
        out[cs.case_id].append(cs.subject)
    return out


def open_tasks_for(case_ids: list[int]) -> dict[int, list[OpenTask]]:
    out = defaultdict(list)
    if not case_ids:
        return out
    for ot in db.session.scalars(
        select(OpenTask).options(joinedload(OpenTask.unit)).where(OpenTask.case_id.in_(case_ids)).order_by(OpenTask.due_at)
    ):
        out[ot.case_id].append(ot)
    return out


def get_case(actor, case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound(_l("No such case."))
    if not can_see_case(actor, case_id):
        raise PermissionDenied(_l("You may not see this case."))
    return case


def timeline_rows(case_id: int) -> list:
    """The whole timeline as plain rows (not ORM objects: a case can carry thousands of events), with the
    actor's name and unit, in chain order; verify_chain and the page both read these."""
    return db.session.execute(
        select(
            CaseEvent.seq, CaseEvent.type, CaseEvent.at, CaseEvent.actor_id, CaseEvent.actor_unit_id, CaseEvent.bpmn_id,
            CaseEvent.details, CaseEvent.prev_hash, CaseEvent.hash, CaseEvent.alg,
            User.full_name.label("actor_name"), Unit.name.label("unit_name"),
        )
        .outerjoin(User, User.id == CaseEvent.actor_id)
        .outerjoin(Unit, Unit.id == CaseEvent.actor_unit_id)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.seq)
    ).all()


def case_page(actor, case_id: int) -> dict:
    case = db.session.scalar(
        select(Case)
        .options(
            selectinload(Case.subjects).joinedload(CaseSubject.subject),
            selectinload(Case.entries).joinedload(CaseEntry.catalog_version),
            selectinload(Case.measures).joinedload(CaseMeasure.unit),
            joinedload(Case.initiating_unit),
            joinedload(Case.group),
        )
        .where(Case.id == case_id)
    )
    if case is None:
        raise NotFound(_l("No such case."))
    if not can_see_case(actor, case_id):
        raise PermissionDenied(_l("You may not see this case."))
    tasks = open_tasks_for([case.id])[case.id]
    attachments = db.session.scalars(
        select(Attachment).options(joinedload(Attachment.uploaded_by)).where(Attachment.case_id == case.id).order_by(Attachment.id)
    ).all()
    timeline = timeline_rows(case.id)
    unit_ids = set()
    for ev in timeline:
        if isinstance(ev.details, dict) and ev.details.get("unit_id"):
            unit_ids.add(ev.details["unit_id"])
    det = case.determination or {}
    unit_ids.update(det.get("attending_unit_ids") or [])
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))} if unit_ids else {}
    if actor.role == EXPERT:
        # An expert reads the file, not the deliberations: no timeline (who declined and why), no other
        # experts' opinions, no draw records beyond the verification page.
        return {"case": case, "tasks": [], "attachments": attachments, "timeline": [], "units": units,
                "meeting": None, "limited": False}
    page = {"case": case, "tasks": tasks, "attachments": attachments, "timeline": timeline, "units": units,
            "timeline_html": rows_html(present(timeline, units)), "meeting": None, "limited": False}
    page.update(hooks.case_sections(actor, case))  # the features' sections (meeting, access codes, ...)
    return page


def get_attachment(actor, case_id: int, attachment_id: int) -> Attachment:
    get_case(actor, case_id)
    att = db.session.get(Attachment, attachment_id)
    if att is None or att.case_id != case_id:
        raise NotFound(_l("No such file."))
    return att


def supervision_overview(actor, status=None, kind=None, overdue_only=False, page=1, per_page=25):
    """Every case with its status, current steps and how many days its most overdue step is late."""
    require_role(actor, SUPERVISOR, OFFICE, ADMIN)
    earliest_due = (
        select(OpenTask.case_id, func.min(OpenTask.due_at).label("due"))
        .group_by(OpenTask.case_id)
        .subquery()
    )
    stmt = (
        select(Case, earliest_due.c.due)
        .outerjoin(earliest_due, earliest_due.c.case_id == Case.id)
        .options(joinedload(Case.initiating_unit), joinedload(Case.group))
    )
    if status:
        stmt = stmt.where(Case.status == status)
    if kind:
        stmt = stmt.where(Case.kind == kind)
    if overdue_only:
        stmt = stmt.where(and_(earliest_due.c.due.is_not(None), earliest_due.c.due < clock.now()))
        stmt = stmt.order_by(earliest_due.c.due)
    else:
        stmt = stmt.order_by(Case.created_at.desc(), Case.id.desc())
    return paginate_rows(stmt, page, per_page)


def task_form_data(actor, task_id: str) -> dict:
    """What a submitted task form needs to be checked and completed: the task, its case and the units (the
    case page is built only when the form is shown again)."""
    ot = get_open_task(actor, task_id)
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.id)).all()
    return {"task": ot, "case": db.session.get(Case, ot.case_id), "form_units": units}


def task_page(actor, task_id: str) -> dict:
    """The task, its case and what its form needs. Raises Conflict/PermissionDenied like the services."""
    ot = get_open_task(actor, task_id)
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.id)).all()
    view = hooks.task_view_for(actor.role)
    data = view(actor, ot) if view else None
    if data is None:
        data = case_page(actor, ot.case_id)
    data.update(task=ot, form_units=units)  # the case body keeps its {id: unit} map
    return data
