"""Reading listings: the public black and red lists, a case's listings for its page."""
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.cases.models import Subject
from app.extensions import db
from app.listings.models import Listing, ListingUnit, Push
from app.pagination import paginate_rows


def public_list(kind: str, q: str | None, page: int, per_page: int = 25):
    """Subjects under joint punishment (black list) or reward (red list) now: in effect, not suspended
    (a suspended punishment is not applied, so it is not listed meanwhile). Newest first."""
    stmt = (
        select(Listing)
        .join(Subject, Subject.id == Listing.subject_id)
        .options(joinedload(Listing.subject), joinedload(Listing.catalog_version), joinedload(Listing.deciding_unit),
                 joinedload(Listing.case))
        .where(Listing.kind == kind, Listing.status == "in_effect")
        .order_by(Listing.period_start.desc(), Listing.id.desc())
    )
    if q:
        q = q.strip()
        stmt = stmt.where(or_(Subject.name.contains(q), Subject.code == q.upper()))
    return paginate_rows(stmt, page, per_page, scalars=True)


def case_listings(case_id: int) -> list[Listing]:
    return list(db.session.scalars(
        select(Listing).options(joinedload(Listing.subject), selectinload(Listing.units).joinedload(ListingUnit.unit))
        .where(Listing.case_id == case_id).order_by(Listing.id)
    ))


def case_pushes(case_id: int) -> list[Push]:
    return list(db.session.scalars(
        select(Push).options(joinedload(Push.unit), joinedload(Push.listing).joinedload(Listing.subject))
        .join(Listing, Listing.id == Push.listing_id).where(Listing.case_id == case_id).order_by(Push.id)
    ))
