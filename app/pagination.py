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

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

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


def paginate_rows(stmt, page: int = 1, per_page: int = 25, scalars: bool = False) -> RowPage:
    """A page of rows (tuples), or of single objects with scalars=True."""
    page = page_number(page)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).unique()
    return RowPage(result.scalars().all() if scalars else result.all(), page, per_page, total)
