"""Credit repair (seed 001 二(三); 2023 national measures on credit repair): within the period, a subject
that corrected its behaviour applies, with evidence and a credit commitment, to the organ that handled the
behaviour. Eligibility against the minimum publication period is checked first; an ineligible application
is refused with the date from which it becomes eligible. Approval is published and ends this subject's
listing (不再对该主体采取惩戒措施); other subjects of the case keep theirs."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import case as sql_case
from sqlalchemy import select

from app import clock, text_search
from app.auth.models import APPLICANT, CASEWORKER, GROUP_LEAD, OFFICE, Unit
from app.auth.services import current_unit_id
from app.cases import attachments, events, runtime
from app.cases.models import REL_OFFICE, Case, CaseSubject, Subject
from app.cases.services import add_case_unit, office_unit
from app.catalog.models import CatalogVersion
from app.dates import ShownDate
from app.engine.models import ProcessInstance
from app.engine.registry import specs_for
from app.enums import CaseKind, CaseStatus, EventType, SubjectKind
from app.errors import DomainError, PermissionDenied
from app.extensions import db, lock_row
from app.i18n import lazy_gettext as _l
from app.labels import LISTING_STATUS_LABELS, label
from app.listings import services as listing_services
from app.listings import withdrawal
from app.listings.models import Listing
from app.listings.repair_period import eligible_from, min_days
from app.listings.services import listing_of, listings_of_case
from app.pagination import paginate_rows
from app.rights.objections import applicant_case
from app.workdays.rules import current as current_rules

PROCESS_ID = "credit_repair"
PLEDGE = _l("I undertake to keep the law, to have corrected the dishonest behaviour and removed its effects, and accept that a false commitment is itself recorded as dishonesty.")


class OpenRepair(DomainError):
    def __init__(self, open_case: Case):
        super().__init__(_l("A repair application for this case is already being handled: %(number)s.", number=open_case.number))
        self.open_case = open_case


def open_repair(case_id: int, subject_id: int | None = None) -> Case | None:
    """The open repair application of a case (of one subject, where given: each subject applies for itself)."""
    stmt = select(Case).where(Case.parent_case_id == case_id, Case.kind == CaseKind.REPAIR, Case.closed_at.is_(None))
    if subject_id is not None:
        stmt = stmt.join(CaseSubject, CaseSubject.case_id == Case.id).where(CaseSubject.subject_id == subject_id)
    return db.session.scalar(stmt.limit(1))


def apply(actor, case_id: int, correction: str, pledge: bool, files: list, commitment_files: list) -> Case:
    """The subject's application on the portal."""
    case = applicant_case(actor, case_id)
    return _apply(actor, case, actor.subject_id, correction, pledge, files, commitment_files, at_desk=False)


def handling_unit(case: Case, listing: Listing | None = None) -> int:
    """The unit that handled the behaviour and reviews the repair (seed 001 二(三)1 依法处理其失信行为的行政机关): the
    unit that reported a case; for a department's own black list, the department that listed the subject (谁处罚、谁公示、
    谁督促修复, seed 000 十一)."""
    if case.kind == CaseKind.DEPARTMENT_LIST and listing is not None:
        return listing.deciding_unit_id
    return case.initiating_unit_id


def _repairable(case: Case, listing: Listing | None) -> bool:
    """A black-list listing in effect or suspended: of a decision to punish, or of a department's own black list."""
    source = (case.kind == CaseKind.PUNISHMENT and case.decision == "act") or case.kind == CaseKind.DEPARTMENT_LIST
    return source and listing is not None and listing.kind == CaseKind.PUNISHMENT and listing.status in ("in_effect", "suspended")


def may_register_at_desk(actor, case: Case, listing: Listing | None = None) -> bool:
    """The unit that handled the behaviour (it reviews the application) or the office (seed 003 10: 线下信用修复)."""
    unit_id = handling_unit(case, listing)
    return actor.role in (CASEWORKER, GROUP_LEAD, OFFICE) and actor.unit_id is not None and (
        actor.unit_id in (unit_id, current_unit_id(unit_id)) or actor.role == OFFICE)


def desk_candidates(actor, case: Case, among: list | None = None) -> list | None:
    """The subjects a repair application received at the desk may be registered for now (punishment in effect or suspended, the
    minimum period passed, none open), or None where the reader may not register one. `among`: a department's list of
    thousands, the listings on the page the reader is looking at."""
    if case.kind == CaseKind.DEPARTMENT_LIST:
        listings = [lst for lst in among or [] if may_register_at_desk(actor, case, lst)]
        if not listings:  # (none the reader's unit listed, on this page)
            return None
    elif case.kind != CaseKind.PUNISHMENT or case.decision != "act" or not may_register_at_desk(actor, case):
        return None
    else:
        listings = listings_of_case(case.id)
    in_effect = {lst.subject_id: lst for lst in listings if _repairable(case, lst)}
    applying = set(db.session.scalars(select(CaseSubject.subject_id).join(Case, Case.id == CaseSubject.case_id).where(
        Case.parent_case_id == case.id, Case.kind == CaseKind.REPAIR, Case.closed_at.is_(None))))
    out = []
    # (one query for the suspensions of all the listings shown, not one each; the minimum days once per case)
    suspended = listing_services.suspensions_of(lst.id for lst in in_effect.values())
    for listing in in_effect.values():
        start = (eligible_from(case, listing, suspended.get(listing.id, [])) if listing.subject_id not in applying
                 else None)
        if start is not None and clock.today_local() >= start:
            out.append(listing.subject)
    return out


def apply_at_desk(actor, case_id: int, subject_id: int, correction: str, files: list, commitment_files: list,
                  received_on: date | None = None) -> Case:
    """An application brought to the unit's desk on paper (seed 003 10 线下信用修复), registered with the scans of the
    evidence and of the signed credit commitment: the subject need not have a portal account. Material the review
    asks for later is brought to the desk too, and the handling unit records it."""
    case = db.session.get(Case, case_id)
    if case is None or not may_register_at_desk(actor, case, listing_of(case_id, subject_id)):
        raise PermissionDenied(_l("Only the unit that handled the behaviour, or the office, registers a repair application received at the desk."))
    if not db.session.scalar(select(CaseSubject.id).where(CaseSubject.case_id == case.id, CaseSubject.subject_id == subject_id)):
        raise DomainError(_l("Choose a subject of this case."), "subject_id")
    if not commitment_files:
        raise DomainError(_l("Attach the scan of the signed credit commitment."), "commitment_files")
    received_on = received_on or clock.today_local()
    if received_on > clock.today_local():
        raise DomainError(_l("The day the application was received cannot be in the future."), "received_on")
    return _apply(actor, case, subject_id, correction, False, files, commitment_files, at_desk=True, received_on=received_on)


def _apply(actor, case: Case, subject_id: int, correction: str, pledge: bool, files: list, commitment_files: list,
           at_desk: bool, received_on: date | None = None) -> Case:
    listing = listing_of(case.id, subject_id) if case.kind in (CaseKind.PUNISHMENT, CaseKind.DEPARTMENT_LIST) else None
    # (suspended too: an objection or complaint being handled does not take away the right to apply, seed 001 二(三)1;
    # the review waits for the objection before it may approve)
    if not _repairable(case, listing):
        raise DomainError(_l("Credit repair can be applied for while a joint punishment is in effect."))
    lock_row(Case, case.id)  # (two applications sent at once: the second waits here, then finds the first open)
    existing = open_repair(case.id, subject_id)
    if existing is not None:
        raise OpenRepair(existing)
    start = eligible_from(case, listing)
    if start is None:  # (suspended before the minimum period was reached: its end is not known until counting resumes)
        raise DomainError(_l("The minimum publication period had not ended when your objection or complaint suspended "
                             "the punishment: you can apply once it is settled and the period has run."))
    if received_on is not None and received_on < start <= clock.today_local():  # (brought to the desk before it opened)
        raise DomainError(_l("An application received before the minimum publication period ended (%(date)s) was not "
                             "yet admissible: check the day it was received.", date=ShownDate(start)), "received_on")
    if (received_on or clock.today_local()) < start:
        raise DomainError(_l("Not yet eligible: the minimum publication period of %(days)s days runs until %(last)s. You can "
                             "apply from %(date)s.", days=min_days(case), last=ShownDate(start - timedelta(days=1)),
                             date=ShownDate(start)))
    errors = []
    if not (correction or "").strip():
        errors.append(("correction", _l("Describe how the behaviour was corrected and its effects removed.")))
    if not files:
        errors.append(("files", _l("Attach evidence of the correction.")))
    if not pledge and not commitment_files:
        errors.append(("pledge", _l("Give the credit commitment: tick the pledge or upload the signed commitment.")))
    if errors:
        raise DomainError(errors[0][1], errors=errors)
    attachments.validate_uploads(files, "files")
    attachments.validate_uploads(commitment_files, "commitment_files")
    now = clock.now()
    handling = handling_unit(case, listing)
    rep = Case(
        number=f"TMP-{now.timestamp()}-{actor.id}", kind=CaseKind.REPAIR, process_id=PROCESS_ID, status=CaseStatus.REPAIR_REVIEW,
        route=case.route, group_id=case.group_id, initiating_unit_id=handling, created_by_id=actor.id,
        title=str(_l("Credit repair of %(number)s", number=case.number)), facts=correction.strip(),
        legal_basis=str(PLEDGE) if pledge else "", parent_case_id=case.id, listing_id=listing.id, created_at=now,
        rules=current_rules(),
    )
    db.session.add(rep)
    db.session.flush()
    rep.number = f"XF-{clock.local_date(now).year}-{rep.id:06d}"
    db.session.add(CaseSubject(case_id=rep.id, subject_id=subject_id))
    add_case_unit(rep.id, handling, "initiator")
    add_case_unit(rep.id, office_unit().id, REL_OFFICE)
    events.record(rep.id, EventType.REPAIR_APPLIED, actor, {"parent_case_id": case.id, "pledge": bool(pledge),
                                                            **({"channel": "desk", "received_on": received_on.isoformat()}
                                                               if at_desk else {})})
    events.record(case.id, EventType.REPAIR_APPLIED, actor, {"repair_case": rep.number})
    attachments.store(rep.id, actor, files, "evidence")
    attachments.store(rep.id, actor, commitment_files, "commitment")
    runtime.start(rep, PROCESS_ID, {
        "case_id": rep.id, "parent_case_id": case.id, "listing_id": listing.id, "handling_unit_id": handling,
        # (the applicant's later step goes to its portal account, or for an application at the desk to the handling unit)
        "applicant_user_id": None if at_desk else actor.id, "applicant_desk_unit_id": handling if at_desk else None,
        "applicant_role": CASEWORKER if at_desk else APPLICANT,
        # (the review's time counts from the day the office received the application: at the desk, the day recorded)
        "application_received_at": datetime.combine(received_on, time(9), tzinfo=clock.LOCAL_TZ).isoformat()
        if at_desk and received_on else None,
    }, actor)
    return rep


def review(ctx) -> dict:
    outcome = ctx.values.get("outcome")
    reasons = (ctx.values.get("reasons") or "").strip()
    if outcome not in ("approve", "reject", "supplement", "ended"):
        raise DomainError(_l("Choose the conclusion."), "outcome")
    if not reasons:
        raise DomainError(_l("Give the reasons."), "reasons")
    # (held, its status read afresh: an objection filed at the same moment suspends it before or after, not meanwhile)
    listing = (listing_services.locked(ctx.case.listing_id) if outcome in ("approve", "ended")
               else db.session.get(Listing, ctx.case.listing_id))
    in_force = listing.status in ("in_effect", "suspended")
    if outcome == "approve" and not in_force:
        # (revoked on a founded objection, or expired, while the application was reviewed: nothing is left to repair;
        # the application is closed as such, not refused: the applicant's record must not read 不予修复)
        raise DomainError(_l("This punishment has already ended (%(status)s): there is nothing left to repair; close "
                             "the application saying so.", status=label(LISTING_STATUS_LABELS, listing.status)), "outcome")
    if outcome == "ended" and in_force:
        raise DomainError(_l("The punishment is still in force: approve, ask for material or reject the application."), "outcome")
    if outcome == "ended" and not _closes_as_ended(ctx.task.instance_id):
        # (an application filed under the procedure's earlier version, which has no such end: its gateway's default
        # would record it as 不予修复, the very record this outcome spares the applicant)
        raise DomainError(_l("This application was filed under an earlier version of the procedure, which cannot close it "
                             "as ended: reject it, giving as the reason that the punishment has ended."), "outcome")
    if outcome == "approve" and listing.status == "suspended":
        # An objection or complaint about the same listing being handled (the punishment suspended meanwhile) comes
        # first, a founded one revokes it: approved under it, the listing would end by repair while the objection ran
        # on, moot, with its deadlines and steps. (Once answered and the punishment resumed, the repair may be approved:
        # a complaint about an ended listing is refused.)
        pending = withdrawal.request_open(listing, kinds=(CaseKind.OBJECTION,))
        if pending is not None:
            raise DomainError(_l("The subject's objection %(no)s to this listing is still being handled (a founded one "
                                 "revokes the listing): approve the repair once it is settled, or ask for material or "
                                 "reject it now.", no=pending.number), "outcome")
    events.record(ctx.case.id, EventType.REPAIR_REVIEWED, ctx.actor, {"outcome": outcome, "reasons": reasons}, bpmn_id=ctx.task.bpmn_id)
    # Approved: the process ends this subject's listing (bpmn/credit_repair.bpmn, message listing_repaired),
    # which pushes the lifting to the units; the result is published.
    data = {"repair_outcome": outcome}
    if outcome == "supplement":  # (when the supplement period ends, the review takes the file as it stands)
        data["supplement_by"] = runtime.case_deadline(ctx.case, "repair_supplement", clock.now()).due_at.isoformat()
        data["application_received_at"] = None  # (the next review counts from the material, or the period's end)
    return data


def _closes_as_ended(instance_id: int) -> bool:
    """Whether the deployed version this repair's process runs has the end for an application whose punishment ended
    (its parsed specs, as the registry keeps them: no XML read)."""
    version_id = db.session.scalar(select(ProcessInstance.process_version_id).where(ProcessInstance.id == instance_id))
    return version_id is not None and "end_repair_moot" in specs_for(version_id).lanes


def supplement(ctx) -> dict:
    text = (ctx.values.get("supplement") or "").strip()
    if not text and not ctx.files:
        raise DomainError(_l("Add the requested material."), "supplement")
    if ctx.actor.role != APPLICANT and not ctx.files:  # (material brought to the desk is recorded with its scan)
        raise DomainError(_l("Attach the scan of the material the subject brought."), "files")
    attachments.validate_uploads(ctx.files, "files")
    attachments.store(ctx.case.id, ctx.actor, ctx.files, "evidence")
    events.record(ctx.case.id, EventType.REPAIR_SUPPLEMENTED, ctx.actor, {"supplement": text}, bpmn_id=ctx.task.bpmn_id)
    return {}


def published_results(q: str | None, page: int):
    """Credit repairs, for the public page (对外公示, seed 001 二(三)1): (the day the punishment ended, the determination's
    document number, the behaviour, the unit that listed the subject and allowed the repair, the subject), newest first.
    Every listing ended by repair: an application the handling unit approved, or a department's record of the repair of
    a subject on its own list (谁处罚、谁公示, seed 000 十一)."""
    stmt = (
        select(Listing.ended_on, Listing.decision_no, CatalogVersion.behaviour, Unit.name, Subject)
        .join(Subject, Subject.id == Listing.subject_id)
        .outerjoin(CatalogVersion, CatalogVersion.id == Listing.catalog_version_id)
        .outerjoin(Case, Case.id == Listing.case_id)
        # (the unit that reviewed the repair: handling_unit's rule, the department for its own list)
        .outerjoin(Unit, Unit.id == sql_case((Listing.source == "department", Listing.deciding_unit_id),
                                             else_=Case.initiating_unit_id))
        .where(Listing.kind == CaseKind.PUNISHMENT, Listing.status == "repaired")
        .order_by(Listing.ended_on.desc(), Listing.id.desc())
    )
    if text_search.normalise(q):
        stmt = stmt.where(Subject.id.in_(text_search.public_subjects_matching(Subject, q, SubjectKind.PERSON)))
    return paginate_rows(stmt, page, 25, capped_count=True)


TASKS = {"repair.review": review, "repair.supplement": supplement}
