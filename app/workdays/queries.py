"""Reading deadline rules for their administration page."""
from sqlalchemy import select

from app.extensions import db
from app.workdays.models import DeadlineRule


def rules() -> list[DeadlineRule]:
    return list(db.session.scalars(select(DeadlineRule).order_by(DeadlineRule.name)))
