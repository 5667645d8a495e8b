"""Listings still in force under a catalog entry the office has retired. Seed 003 第2条 orders measures that do not
meet the requirements suspended and cleared (暂停并规范清理不符合要求的失信约束措施…修订或废止); retiring the entry
stops new cases citing it, and the office then ends, with its reasons and the scan of its clean-up document, the
listings already decided under it: each is revoked as if by its deciding body (listings.withdrawal), its measures
lifted at every unit applying them, and it leaves the public list and the credit check at once.

Punishments only (the seed clears 失信约束措施: a red list's rewards run their course). A listing whose case cites
another entry still in force rests on that one too and is not ended here (its deciding body decides: the page counts
them); one whose subject has an objection or repair application being handled is left for that request's decision
(ended under it, the request would run on with its deadlines, moot); the page names them."""
from dataclasses import dataclass, field

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased, joinedload

from app.audit import services as audit
from app.auth.models import OFFICE
from app.cases import attachments
from app.cases.models import Case, CaseEntry, CaseSubject
from app.catalog.models import CatalogEntry, CatalogVersion
from app.enums import CaseKind
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.listings import services, withdrawal
from app.listings.models import Listing

BATCH = 200  # listings ended per submission: each is a message to its process and a push to each of its units
SHOWN = 200


def _cited(entry_id: int):
    """The cases citing a version of the entry."""
    return (select(CaseEntry.case_id).join(CatalogVersion, CatalogVersion.id == CaseEntry.catalog_version_id)
            .where(CatalogVersion.entry_id == entry_id))


def _rests_elsewhere(entry_id: int):
    """The listing's case also cites another entry still in force: its punishment rests on that one too."""
    ce, cv, e = aliased(CaseEntry), aliased(CatalogVersion), aliased(CatalogEntry)
    return (exists().where(ce.case_id == Listing.case_id, cv.id == ce.catalog_version_id, e.id == cv.entry_id,
                           e.id != entry_id, e.retired_at.is_(None)))


def _under(entry_id: int, elsewhere: bool = False):
    """Punishments in effect or suspended whose case cites the entry; those that rest on it alone (`elsewhere`: those
    whose case cites an entry still in force too: not ended here)."""
    rests = _rests_elsewhere(entry_id)
    return (select(Listing).where(Listing.case_id.in_(_cited(entry_id)), Listing.kind == CaseKind.PUNISHMENT,
                                  Listing.status.in_(services.ACTIVE), rests if elsewhere else ~rests))


def in_force(entry_id: int, limit: int = SHOWN) -> list[Listing]:
    """The listings that rest on the entry alone, oldest first, with subject and case."""
    stmt = _under(entry_id).options(joinedload(Listing.subject), joinedload(Listing.case)).order_by(Listing.id).limit(limit)
    return list(db.session.scalars(stmt))


def requests_open(listings: list[Listing]) -> dict[int, Case]:
    """{listing id: its subject's objection or repair application being handled} for the listings shown (one query):
    those are kept when the others are ended."""
    if not listings:
        return {}
    by_key = {(lst.case_id, lst.subject_id): lst.id for lst in listings}
    rows = db.session.execute(
        select(Case, CaseSubject.subject_id).join(CaseSubject, CaseSubject.case_id == Case.id)
        .where(Case.parent_case_id.in_({lst.case_id for lst in listings}),
               Case.kind.in_((CaseKind.OBJECTION, CaseKind.REPAIR)), Case.closed_at.is_(None)))
    return {by_key[(c.parent_case_id, sid)]: c for c, sid in rows if (c.parent_case_id, sid) in by_key}


def count_in_force(entry_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(_under(entry_id).subquery()))


def count_resting_elsewhere(entry_id: int) -> int:
    """Listings citing the entry whose case cites another entry still in force: their deciding bodies decide."""
    return db.session.scalar(select(func.count()).select_from(_under(entry_id, elsewhere=True).subquery()))


@dataclass
class Ended:
    ended: list[Listing] = field(default_factory=list)
    held: list[tuple[Listing, Case]] = field(default_factory=list)  # (listing, the subject's open request)
    left: int = 0  # still in force without a request open: another submission ends them


def end_all(actor, entry_id: int, reasons: str, files: list) -> Ended:
    """End up to BATCH listings in force under the retired entry (flush). Refused with a message, nothing written: not
    the office, an entry not retired, no reasons, no scan of the clean-up document."""
    if actor.role != OFFICE:
        raise PermissionDenied(_l("Only the joint-meeting office ends the listings under a retired catalog entry."))
    entry = db.session.get(CatalogEntry, entry_id)
    if entry is None:
        raise NotFound(_l("No such catalog entry."))
    if entry.retired_at is None:
        raise DomainError(_l("Retire the entry first: its listings are ended because it no longer applies."))
    reasons = (reasons or "").strip()
    if not reasons:
        raise DomainError(_l("Give the reasons, as the clean-up document states them."), "reasons")
    if len(reasons) > withdrawal.MAX_REASONS:
        raise DomainError(_l("At most %(n)s characters.", n=withdrawal.MAX_REASONS), "reasons")
    if not files:
        raise DomainError(_l("Attach the scan of the document that clears the measures."), "files")
    attachments.validate_uploads(files, "files", attachments.SCAN_KINDS)
    out = Ended()
    for listing_id in db.session.scalars(_under(entry_id).with_only_columns(Listing.id).order_by(Listing.id)):
        if len(out.ended) == BATCH:
            out.left += 1
            continue
        listing = services.locked(listing_id)  # (ended meanwhile by an objection or its deciding body: skipped)
        if listing.status not in services.ACTIVE:
            continue
        pending = withdrawal.request_open(listing)
        if pending is not None:
            out.held.append((listing, pending))
            continue
        case = db.session.get(Case, listing.case_id)
        attachments.store(case.id, actor, files, "listing_end", subject_id=listing.subject_id, checked=True)
        services.revoke({"listing_id": listing.id, "reasons": reasons, "initiative": True, "basis_retired": entry.code},
                        case, actor)
        out.ended.append(listing)
    audit.record(actor, "catalog", entry.code, "end_listings", None,
                 {"ended": [lst.id for lst in out.ended], "held": [lst.id for lst, _r in out.held], "left": out.left}, reasons)
    db.session.flush()
    return out
