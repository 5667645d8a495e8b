"""A listing ended early by the body that decided it (谁决定、谁负责, seed 001 二(三)2; for a department's own list
谁处罚、谁公示、谁督促修复, seed 000 十一): the decision is annulled or found wrong (on reconsideration, in court, or on
the body's own review), or, for a department's list, the department records the subject's credit repair.

Objections and the repair procedure end listings through their own processes; this is the deciding body acting on
its own initiative, with its reasons and the scan of its signed decision. The listing's process (bpmn/listing.bpmn)
receives the same message as from an upheld objection or a granted repair: its measures are lifted at every unit,
it leaves the public list and the credit check at once, and a case whose last listing ends closes."""
from sqlalchemy import select

from app import clock
from app.auth.models import CASEWORKER, GROUP_LEAD, OFFICE
from app.auth.services import current_unit_id
from app.cases import attachments
from app.cases.models import Case, CaseSubject
from app.dates import ShownDate
from app.enums import CaseKind, CaseStatus
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.listings import services
from app.listings.models import WITHDRAWN, Listing
from app.listings.repair_period import eligible_from

REVOKED, REPAIRED = "revoked", "repaired"
MAX_REASONS = 8000


def ways(listing: Listing) -> tuple[str, ...]:
    """How its deciding body may end it: revoked; a black-list listing also as repaired — a department's own record of
    the subject's repair, or a repair recorded on another credit platform that the deciding body recognises (seed 003
    10/21 结果互认、修复联动), so the subject need not apply again here (a red list's reward has nothing to repair); a
    red-list listing also withdrawn from today, its subject no longer qualifying (found dishonest since: seed 002 五(一)),
    which, unlike a revoked decision, stays on the lists of the days before."""
    return (REVOKED, REPAIRED) if listing.kind == CaseKind.PUNISHMENT else (REVOKED, WITHDRAWN)


def may_end(actor, listing: Listing) -> bool:
    """The deciding unit (or the unit that took over its work): its group lead for a case's decision, its staff for
    a department's own list; or the joint-meeting office."""
    if actor.role == OFFICE:
        return True
    roles = (GROUP_LEAD, CASEWORKER) if listing.source == "department" else (GROUP_LEAD,)
    unit_id = listing.deciding_unit_id
    return actor.role in roles and actor.unit_id is not None and actor.unit_id in (unit_id, current_unit_id(unit_id))


def candidates(actor, case: Case, among: list[Listing] | None = None) -> list[Listing] | None:
    """The case's listings in force (or suspended) the reader may end, or None when there are none. `among`: only
    these of them (the page of a long list the reader is looking at)."""
    if actor.role not in (OFFICE, GROUP_LEAD, CASEWORKER):
        return None
    listings = services.listings_of_case(case.id) if among is None else among
    found = [lst for lst in listings if lst.status in services.ACTIVE and may_end(actor, lst)]
    return found or None


def request_open(listing: Listing, kinds=(CaseKind.OBJECTION, CaseKind.REPAIR)) -> Case | None:
    """The subject's objection or repair application about this listing still being handled, if any."""
    return db.session.scalar(
        select(Case).join(CaseSubject, CaseSubject.case_id == Case.id)
        .where(Case.parent_case_id == listing.case_id, Case.kind.in_(kinds),
               Case.closed_at.is_(None), CaseSubject.subject_id == listing.subject_id).limit(1))


def _pending_message(pending: Case):
    """Why the listing is not ended beside the subject's open request, by where that request stands."""
    if pending.kind == CaseKind.REPAIR:
        return _l("The subject's repair application %(no)s for this listing is being handled: decide it first.",
                  no=pending.number)
    if pending.status == CaseStatus.OBJECTION_REPLY:
        return _l("The subject's objection %(no)s to this listing is being handled: answer it (a founded objection "
                  "revokes the listing).", no=pending.number)
    if pending.status == CaseStatus.COMPLAINT:
        return _l("The subject's complaint %(no)s about this listing is with the joint-meeting office: its decision comes "
                  "first (a founded complaint revokes the listing).", no=pending.number)
    return _l("The subject's objection %(no)s to this listing has been answered and the subject may still complain to the "
              "joint-meeting office: end the listing once that period is over or the complaint is decided.",
              no=pending.number)


def end(actor, case_id: int, listing_id: int, way: str, reasons: str, files: list) -> Listing:
    """End the listing (flush). Refused with a message, nothing written: another case's listing, one the actor may not
    end, one already ended, no reasons, no scan of the signed decision."""
    listing = db.session.scalar(select(Listing).where(Listing.id == listing_id, Listing.case_id == case_id))
    if listing is None:
        raise NotFound(_l("This case has no such listing."), "listing_id")
    if not may_end(actor, listing):
        raise PermissionDenied(_l("Only the body that decided this listing, or the joint-meeting office, may end it."))
    listing = services.locked(listing.id)  # (two people ending it at once: the second finds it ended)
    if listing.status not in services.ACTIVE:
        raise DomainError(_l("This listing has already ended."))
    if way not in ways(listing):
        raise DomainError(_l("Choose how the listing ends."), "way")
    case = db.session.get(Case, case_id)
    if way == REPAIRED and listing.source == "case":
        # (recognising a repair recorded elsewhere does not shorten the minimum publication period the subject's own
        # application here would wait for)
        opens = eligible_from(case, listing)
        if opens is None or clock.today_local() < opens:
            raise DomainError(_l("A repair can be recorded once the minimum publication period has run: from %(d)s.",
                                 d=ShownDate(opens) if opens else "—"), "way")
    pending = request_open(listing)
    if pending is not None:  # (ended under it, the request would run on with its deadlines and late notices, moot)
        raise DomainError(_pending_message(pending))
    reasons = (reasons or "").strip()
    if not reasons:
        raise DomainError(_l("Give the reasons, as the signed decision states them."), "reasons")
    if len(reasons) > MAX_REASONS:
        raise DomainError(_l("At most %(n)s characters.", n=MAX_REASONS), "reasons")
    if not files:
        raise DomainError(_l("Attach the scan of the signed decision that ends the listing."), "files")
    attachments.validate_uploads(files, "files", attachments.SCAN_KINDS)
    attachments.store(case_id, actor, files, "listing_end", subject_id=listing.subject_id)
    payload = {"listing_id": listing.id, "reasons": reasons, "initiative": True, **({"withdrawn": True} if way == WITHDRAWN else {})}
    (services.repaired if way == REPAIRED else services.revoke)(payload, case, actor)
    db.session.flush()
    return listing
