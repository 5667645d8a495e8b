"""Reading the check log: for supervisors (every unit), for a unit (its own), for the subject (who checked it),
and the monitoring figure of checks and applications per unit (seed 003 8② 查询使用)."""
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.auth.models import ADMIN, OFFICE, SUPERVISOR, Unit
from app.credit.models import CheckApplication, CreditCheck
from app.extensions import db
from app.pagination import paginate_rows

LOG_READERS = (SUPERVISOR, OFFICE, ADMIN)


def log(actor, unit_id: int | None = None, code: str | None = None, page: int = 1, per_page: int = 50):
    """Supervisors, the office and administrators see every unit's checks; anyone else their unit's."""
    stmt = select(CreditCheck).options(joinedload(CreditCheck.unit), joinedload(CreditCheck.user))
    if actor.role not in LOG_READERS:
        unit_id = actor.unit_id
    if unit_id:
        stmt = stmt.where(CreditCheck.unit_id == unit_id)
    if code:
        stmt = stmt.where(CreditCheck.subject_code == code.strip().upper())
    return paginate_rows(stmt.order_by(CreditCheck.at.desc(), CreditCheck.id.desc()), page, per_page, scalars=True)


def applications_of(check_ids: list[int]) -> dict[tuple[int, int], CheckApplication]:
    if not check_ids:
        return {}
    rows = db.session.scalars(select(CheckApplication).where(CheckApplication.check_id.in_(check_ids)))
    return {(r.check_id, r.listing_id): r for r in rows}


def checks_of_subject(subject_id: int, limit: int = 200) -> list[tuple]:
    """(time, unit name, matter type) of every check about the subject, newest first: what the subject sees."""
    return db.session.execute(
        select(CreditCheck.at, Unit.name, CreditCheck.matter_type).join(Unit, Unit.id == CreditCheck.unit_id)
        .where(CreditCheck.subject_id == subject_id).order_by(CreditCheck.at.desc()).limit(limit)
    ).all()


def usage_by_unit(period=None) -> list[tuple[str, int, int]]:
    """(unit, checks, applications recorded) per unit, in the period when one is given."""
    checks = select(CreditCheck.unit_id, func.count().label("n")).group_by(CreditCheck.unit_id)
    applied = select(CheckApplication.unit_id, func.count().label("n")).group_by(CheckApplication.unit_id)
    if period is not None:
        checks = checks.where(CreditCheck.at >= period.start, CreditCheck.at < period.end)
        applied = applied.where(CheckApplication.at >= period.start, CheckApplication.at < period.end)
    c, a = dict(db.session.execute(checks).all()), dict(db.session.execute(applied).all())
    names = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(set(c) | set(a)))).all()) if c or a else {}
    return sorted(((names[u], c.get(u, 0), a.get(u, 0)) for u in set(c) | set(a)), key=lambda r: (-r[1], r[0]))
