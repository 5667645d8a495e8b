"""Corrections of a subject's data (信息更正): the subject (on the portal) or a unit (from the subject's page)
reports that its name, code or legal representative is recorded wrongly; the unit responsible for the record
(the unit that filed the subject's case) verifies it within the set time (bpmn/correction.bpmn) and corrects
it or says why not. A correction is on the timelines of the subject's cases and is pushed to every unit that
applies a measure to the subject."""
from sqlalchemy import select

from app import clock
from app.auth.models import APPLICANT, CASEWORKER, GROUP_LEAD, OFFICE
from app.cases import attachments, events, runtime
from app.cases.access import case_visibility_clause
from app.cases.identifiers import mask_code, normalise_code
from app.cases.models import REL_OFFICE, Case, CaseSubject, Subject
from app.cases.services import add_case_unit, office_unit
from app.enums import CaseKind, CaseStatus, EventType
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.listings import services as listings
from app.rights.objections import applicant_case
from app.workdays.rules import current as current_rules

PROCESS_ID = "correction"
# The records that determine something about a subject: joint cases, and departments' own lists (imported).
SUBJECT_CASE_KINDS = (CaseKind.PUNISHMENT, CaseKind.REWARD, CaseKind.DEPARTMENT_LIST)
FIELDS = ("name", "code", "legal_representative")
MAX = {"name": 200, "code": 18, "legal_representative": 80}


def subject_cases(subject_id: int) -> list[int]:
    return list(db.session.scalars(
        select(Case.id).join(CaseSubject, CaseSubject.case_id == Case.id)
        .where(CaseSubject.subject_id == subject_id, Case.kind.in_(SUBJECT_CASE_KINDS))
        .order_by(Case.id)))


def party_case(actor, subject_id: int) -> Case:
    """The latest joint case about the subject that the staff member's unit may see; PermissionDenied if none."""
    # (staff who work cases: not supervisors, who watch, nor administrators, who run the system)
    if actor.role not in (CASEWORKER, GROUP_LEAD, OFFICE) or actor.unit_id is None:
        raise PermissionDenied(_l("Your role may not do this."))
    clause = case_visibility_clause(actor, Case.id)
    stmt = (select(Case).join(CaseSubject, CaseSubject.case_id == Case.id)
            .where(CaseSubject.subject_id == subject_id, Case.kind.in_(SUBJECT_CASE_KINDS))
            .order_by(Case.id.desc()).limit(1))
    if clause is False:
        raise PermissionDenied(_l("Your role may not do this."))
    if clause is not None:
        stmt = stmt.where(clause)
    parent = db.session.scalar(stmt)
    if parent is None:
        raise PermissionDenied(_l("Your unit is not party to a case about this subject."))
    return parent


def may_report(actor, subject_id: int) -> bool:
    """Whether the subject page offers this staff member the correction form (party_case would accept the report)."""
    try:
        party_case(actor, subject_id)
    except PermissionDenied:
        return False
    return True


def _current(subject: Subject, field: str) -> str:
    return getattr(subject, field) or ""


def pending_correction(subject_id: int, field: str) -> Case | None:
    """The subject's correction of this item still being verified, if any."""
    open_ones = db.session.scalars(
        select(Case).join(CaseSubject, CaseSubject.case_id == Case.id)
        .where(CaseSubject.subject_id == subject_id, Case.kind == CaseKind.CORRECTION, Case.closed_at.is_(None))
        .order_by(Case.id))
    return next((c for c in open_ones if (c.determination or {}).get("field") == field), None)


def report(actor, subject_id: int, field: str, proposed: str, reason: str, files: list, case_id: int | None = None) -> Case:
    """A reported error (flush): a correction case verified by the unit that filed the subject's latest case."""
    subject = db.session.get(Subject, subject_id)
    if subject is None:
        raise NotFound(_l("No such subject."))
    if actor.role == APPLICANT:
        parent = applicant_case(actor, case_id) if case_id else None
        if actor.subject_id != subject_id or parent is None:
            raise PermissionDenied(_l("You may report errors in your own data only."))
    else:
        parent = party_case(actor, subject_id)
    if field not in FIELDS:
        raise DomainError(_l("Choose what is wrong."), "field")
    pending = pending_correction(subject_id, field)
    if pending is not None:  # (one at a time per field: the unit verifies one proposed value against the record)
        raise DomainError(_l("A correction of this item is already being verified (%(number)s): wait for its result.",
                             number=pending.number), "field")
    proposed = (proposed or "").strip()
    if not proposed:
        raise DomainError(_l("Give the correct value."), "proposed")
    if field == "code":
        proposed = normalise_code(subject.kind, proposed, "proposed")
    if len(proposed) > MAX[field]:
        raise DomainError(_l("At most %(n)s characters.", n=MAX[field]), "proposed")
    if proposed == _current(subject, field):
        raise DomainError(_l("That is what is recorded already."), "proposed")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why the recorded data is wrong."), "reason")
    attachments.validate_uploads(files, "files")
    now = clock.now()
    corr = Case(number=f"TMP-{now.timestamp()}-{actor.id}", kind=CaseKind.CORRECTION, process_id=PROCESS_ID,
                status=CaseStatus.CORRECTION_REVIEW, route=parent.route, group_id=parent.group_id,
                initiating_unit_id=parent.initiating_unit_id, created_by_id=actor.id,
                title=str(_l("Correction of %(name)s's data", name=subject.name)), facts=reason, legal_basis="",
                parent_case_id=parent.id, created_at=now, rules=current_rules(),
                determination={"field": field, "current": _current(subject, field), "proposed": proposed})
    db.session.add(corr)
    db.session.flush()
    corr.number = f"GZ-{clock.local_date(now).year}-{corr.id:06d}"
    db.session.add(CaseSubject(case_id=corr.id, subject_id=subject_id))
    add_case_unit(corr.id, parent.initiating_unit_id, "initiator")
    add_case_unit(corr.id, office_unit().id, REL_OFFICE)
    if actor.role != APPLICANT and actor.unit_id != parent.initiating_unit_id:
        add_case_unit(corr.id, actor.unit_id, "notified")  # the reporting unit follows it
    details = {"field": field, "summary": _summary(subject.kind, field, _current(subject, field), proposed), "note": reason,
               "subject_id": subject_id}
    events.record(corr.id, EventType.CORRECTION_REPORTED, actor, details)
    events.record(parent.id, EventType.CORRECTION_REPORTED, actor, dict(details, correction_case=corr.number))
    attachments.store(corr.id, actor, files, "evidence")
    runtime.start(corr, PROCESS_ID, {"case_id": corr.id, "responsible_unit_id": parent.initiating_unit_id}, actor)
    return corr


def _summary(kind: str, field: str, current: str, proposed: str) -> str:
    """The timeline's line for a correction: identity numbers masked (the timeline is not sealed; the correction
    case's own record holds them whole, sealed)."""
    if field == "code":
        current, proposed = mask_code(kind, current) if current else "", mask_code(kind, proposed)
    return f"{current} → {proposed}"


def verify(ctx) -> dict:
    """Task verify_correction: correct the subject's data (then tell the units applying measures) or refuse."""
    outcome = ctx.values.get("outcome")
    if outcome not in ("corrected", "refused"):
        raise DomainError(_l("Say whether the data is corrected."), "outcome")
    reasons = (ctx.values.get("reasons") or "").strip()
    if not reasons:
        raise DomainError(_l("Give the reasons (what the record was checked against)."), "reasons")
    request = ctx.case.determination or {}
    subject = ctx.case.subjects[0].subject
    field, proposed = request.get("field"), request.get("proposed")
    details = {"field": field, "summary": _summary(subject.kind, field, request.get("current") or "", proposed), "reasons": reasons,
               "subject_id": subject.id}
    if outcome == "corrected":
        if field == "code" and db.session.scalar(select(Subject.id).where(Subject.code == proposed, Subject.id != subject.id)):
            raise DomainError(_l("Another subject is recorded with that code: merge them instead."), "outcome")
        setattr(subject, field, proposed)
        db.session.flush()
        for case_id in [ctx.case.id, *subject_cases(subject.id)]:
            events.record(case_id, EventType.SUBJECT_CORRECTED, ctx.actor, details)
        listings.push_correction(subject.id, ctx.actor)
    else:
        for case_id in (ctx.case.id, ctx.case.parent_case_id):
            events.record(case_id, EventType.CORRECTION_REFUSED, ctx.actor, details)
    ctx.case.determination = dict(request, outcome=outcome, reasons=reasons)
    return {"correction_outcome": outcome}


TASKS = {"corrections.verify": verify}
