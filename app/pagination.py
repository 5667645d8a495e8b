"""Pagination for selects that return rows (several columns), which Flask-SQLAlchemy's paginate cannot."""
import math
from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db


@dataclass
class RowPage:
    items: list
    page: int
    per_page: int
    total: int
    capped: bool = False  # total is a lower bound: more rows match than were counted

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.capped or self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


MAX_PAGE = 10_000


def page_number(value) -> int:
    """A page number from the query string, kept within what the database can offset."""
    try:
        return min(max(int(value or 1), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


COUNT_AHEAD = 1_000  # lists count at most this many rows beyond the current page


def paginate_rows(stmt, page: int = 1, per_page: int = 25, scalars: bool = False, capped_count: bool = False) -> RowPage:
    """A page of rows (tuples), or of single objects with scalars=True. With capped_count the total is counted
    only up to COUNT_AHEAD rows past this page ("more than N"): counting every open task of a busy unit or every
    case of the city on each page view is what made lists slow at scale, and no one pages through 1,000 rows."""
    page = page_number(page)
    counted = stmt.order_by(None)
    limit = None
    if capped_count:
        limit = (page - 1) * per_page + COUNT_AHEAD
        counted = counted.limit(limit + 1)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery()))
    capped = limit is not None and total > limit
    if capped:
        total = limit
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).unique()
    rows = result.scalars().all() if scalars else result.all()
    return RowPage(rows, page, per_page, total, capped)


def paginate_clamped(stmt, page: int, per_page: int, scalars: bool = True) -> RowPage:
    """A page of one section of a longer page (a case's listings, pushes, open steps): a page past the last is the
    last page (a link kept from before a filter, or a number typed), not an empty table that says nothing matches."""
    found = paginate_rows(stmt, page, per_page, scalars=scalars)
    if not found.items and found.total and found.page > found.pages:
        found = paginate_rows(stmt, found.pages, per_page, scalars=scalars)
    return found


def paginate_ids(id_stmt, load, page: int = 1, per_page: int = 25) -> RowPage:
    """A page of a list whose matching rows the database must find whole before it can order them (a search): the
    ids are read once, in list order, up to COUNT_AHEAD past the page, which gives both the page and the capped
    total from one query (a count and a page query each found every match); `load(ids)` returns the page's rows in
    that order."""
    page = page_number(page)
    limit = (page - 1) * per_page + COUNT_AHEAD
    ids = db.session.scalars(id_stmt.limit(limit + 1)).all()
    capped = len(ids) > limit
    return RowPage(load(ids[(page - 1) * per_page:page * per_page]), page, per_page, limit if capped else len(ids), capped)
