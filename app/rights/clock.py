"""The punishment period clock of a case, over the database: suspensions recorded, the effective end
recomputed, and the case's workflow told (message period_changed) so its expiry timer waits anew."""
from datetime import date

from sqlalchemy import select

from app import clock
from app.cases.models import Case
from app.enums import CaseStatus
from app.extensions import db
from app.rights.models import PeriodSuspension
from app.rights.period import is_suspended_on, period_end

FAR_FUTURE = "9999-12-31T15:59:59+00:00"


def suspensions(case_id: int) -> list[tuple[date, date | None]]:
    rows = db.session.execute(
        select(PeriodSuspension.start, PeriodSuspension.end).where(PeriodSuspension.case_id == case_id).order_by(PeriodSuspension.id)
    ).all()
    return [(a, b) for a, b in rows]


def effective_end(case: Case) -> date | None:
    if case.period_start is None or not case.period_days:
        return None
    return period_end(case.period_start, case.period_days, suspensions(case.id))


def is_suspended(case_id: int, day: date | None = None) -> bool:
    return is_suspended_on(day or clock.today_local(), suspensions(case_id))


def has_open_suspension(case_id: int) -> bool:
    return db.session.scalar(
        select(PeriodSuspension.id).where(PeriodSuspension.case_id == case_id, PeriodSuspension.end.is_(None)).limit(1)
    ) is not None


# -- functions BPMN expressions call (registered with the engine) -----------------------------------
def period_end_for(case_id: int) -> str:
    """The expiry timer's due time: end of the last punished day in Shanghai, as a tz-aware UTC string."""
    case = db.session.get(Case, case_id)
    end = effective_end(case)
    return clock.end_of_local_day(end).isoformat() if end else FAR_FUTURE


def period_suspended(case_id: int) -> bool:
    return has_open_suspension(case_id)


def period_state(case_id: int) -> str:
    """'revoked' (an objection or complaint was upheld while the units were still implementing),
    'suspended' (one is being handled) or 'running'."""
    case = db.session.get(Case, case_id)
    if case.status == CaseStatus.REVOKED:
        return "revoked"
    return "suspended" if has_open_suspension(case_id) else "running"


SCRIPT_FUNCTIONS = {"period_end_for": period_end_for, "period_suspended": period_suspended, "period_state": period_state}
