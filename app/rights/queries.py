"""Read side of the applicant portal and the public lists."""
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from app import clock
from app.cases.models import Case, CaseEvent, CaseSubject, OpenTask, Subject
from app.enums import CaseKind, CaseStatus
from app.extensions import db
from app.pagination import paginate_rows
from app.rights import clock as period_clock
from app.rights.models import PeriodSuspension
from app.rights.objections import applicant_case, open_objection, subject_cases_clause

# Events an applicant is shown on their status pages (decisions and what concerns them, not deliberations).
APPLICANT_EVENTS = (
    "decision_recorded", "objection_filed", "objection_replied", "objection_reply_accepted", "complaint_filed",
    "complaint_decided", "punishment_suspended", "punishment_resumed", "determination_revoked", "case_closed",
    "timer_fired", "measure_applied", "repair_applied", "repair_reviewed", "repair_supplemented", "credit_repaired",
)


def my_cases(actor):
    stmt = (
        select(Case).options(selectinload(Case.subjects).joinedload(CaseSubject.subject))
        .where(subject_cases_clause(actor)).order_by(Case.created_at.desc())
    )
    return list(db.session.scalars(stmt))


def status_page(actor, case_id: int) -> dict:
    case = applicant_case(actor, case_id)
    parent = db.session.get(Case, case.parent_case_id) if case.parent_case_id else None
    timeline = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.type.in_(APPLICANT_EVENTS)).order_by(CaseEvent.seq)
    ).all()
    tasks = db.session.scalars(
        select(OpenTask).options(joinedload(OpenTask.unit)).where(OpenTask.case_id == case.id).order_by(OpenTask.due_at)
    ).all()
    suspensions = db.session.scalars(
        select(PeriodSuspension).where(PeriodSuspension.case_id == case.id).order_by(PeriodSuspension.id)
    ).all()
    # Only this applicant's own requests (several subjects can share a case).
    requests = db.session.scalars(
        select(Case).join(CaseSubject, CaseSubject.case_id == Case.id)
        .where(Case.parent_case_id == case.id, CaseSubject.subject_id == actor.subject_id).order_by(Case.id)
    ).all()
    return {
        "case": case, "parent": parent, "timeline": timeline, "tasks": tasks, "suspensions": suspensions,
        "requests": requests,
        "open_objection": open_objection(case.id, actor.subject_id) if case.kind == CaseKind.PUNISHMENT else None,
        "effective_end": period_clock.effective_end(case) if case.period_start else None,
        "suspended_now": bool(case.period_start) and period_clock.has_open_suspension(case.id),
    }


PUBLIC_BLACK = (CaseStatus.IN_EFFECT,)  # a suspended punishment is not applied, so not listed meanwhile


def public_list(kind: str, q: str | None, page: int):
    """Black list (punishment) or red list (reward): subjects under joint action now. Names, masked codes,
    the behaviour and the period — nothing else."""
    stmt = (
        select(Case, Subject)
        .join(CaseSubject, CaseSubject.case_id == Case.id)
        .join(Subject, Subject.id == CaseSubject.subject_id)
        .options(selectinload(Case.entries))
        .where(Case.kind == kind, Case.status.in_(PUBLIC_BLACK), Case.decision == "act")
        .order_by(Case.decided_at.desc(), Case.id.desc())
    )
    if q:
        q = q.strip()
        stmt = stmt.where(or_(Subject.name.contains(q), Subject.code == q.upper()))
    return paginate_rows(stmt, page, 25)


def today():
    return clock.today_local()
