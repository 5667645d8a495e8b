"""信用承诺 (seed 002 五(二): 逐步建立行政许可申请人信用承诺制度，并开展申请人信用审查; seed 000 四 完善信用查询、信用承诺):
a unit's desk records the written commitment an applicant made for the approval matter it checked — materials
supplied later (容缺受理), conditions declared met (告知承诺) — and later whether it was kept. The unit's register shows
those still open, the overdue first; a broken one is told to every desk that checks the subject afterwards, and the
unit that found it may report the behaviour as a trigger (the filing form)."""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from app import clock
from app.auth.models import Unit
from app.credit.models import CreditCheck, CreditCommitment
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db, lock_row
from app.i18n import lazy_gettext as _l
from app.pagination import paginate_rows

KINDS = ("tolerance", "notification", "other")
OUTCOMES = ("kept", "broken")
MAX_TEXT = 2000
LONGEST = timedelta(days=730)  # (a commitment to be fulfilled more than two years on is a typing mistake)


def _own_check(requester, check_id: int) -> CreditCheck:
    row = db.session.get(CreditCheck, check_id)
    if row is None or row.unit_id != requester.unit_id:
        raise NotFound(_l("No such check of your unit."))
    return row


def record(requester, check_id: int, kind: str, content: str, due_on: date | None) -> CreditCommitment:
    """The applicant's commitment for the matter of this check of the unit's (flush). Every error of the form at once."""
    if requester.user_id is None:
        raise PermissionDenied(_l("Only staff of a unit check subjects' credit."))
    check = _own_check(requester, check_id)
    errors = []
    if kind not in KINDS:
        errors.append(("kind", _l("Choose what the applicant committed to.")))
    content = (content or "").strip()
    if len(content) < 10 or len(content) > MAX_TEXT:
        errors.append(("content", _l("Write what the applicant committed to, as the signed commitment says (10 to %(n)s "
                                     "characters).", n=MAX_TEXT)))
    made_on = clock.local_date(check.at)
    if due_on is not None and not made_on <= due_on <= made_on + LONGEST:
        errors.append(("due_on", _l("The day to fulfil it falls between the check (%(a)s) and two years after it.",
                                    a=made_on.isoformat())))
    if errors:
        raise DomainError(errors[0][1], errors=errors)
    lock_row(CreditCheck, check.id)  # (the form sent twice: the second finds the first)
    if db.session.scalar(select(CreditCommitment.id).where(CreditCommitment.check_id == check.id)):
        raise DomainError(_l("The commitment made for this matter is recorded already."), "content")
    row = CreditCommitment(check_id=check.id, unit_id=check.unit_id, subject_code_digest=check.subject_code_digest, kind=kind,
                           content=content, due_on=due_on, made_on=made_on, recorded_by_id=requester.user_id, status="open",
                           finding="")
    db.session.add(row)
    db.session.flush()
    return row


def close(actor, commitment_id: int, outcome: str, finding: str) -> CreditCommitment:
    """The unit found the commitment kept or broken (flush); the finding is required. Its own unit's staff only."""
    row = db.session.get(CreditCommitment, commitment_id)
    if row is None or actor.unit_id is None or row.unit_id != actor.unit_id:
        raise NotFound(_l("No such commitment of your unit."))
    if outcome not in OUTCOMES:
        raise DomainError(_l("Choose whether it was kept."), "outcome")
    finding = (finding or "").strip()
    if len(finding) < 4 or len(finding) > MAX_TEXT:
        raise DomainError(_l("Say what your unit found (4 to %(n)s characters).", n=MAX_TEXT), "finding")
    lock_row(CreditCommitment, row.id)
    db.session.refresh(row, ["status"])
    if row.status != "open":
        raise DomainError(_l("This commitment has been closed already."), "outcome")
    row.status, row.finding, row.closed_on, row.closed_by_id = outcome, finding, clock.today_local(), actor.id
    db.session.flush()
    return row


def of_check(check_id: int) -> CreditCommitment | None:
    return db.session.scalar(select(CreditCommitment).where(CreditCommitment.check_id == check_id))


@dataclass(frozen=True)
class Broken:
    unit: str
    made_on: date
    closed_on: date
    finding: str


def broken_of(code_digest: str) -> list[Broken]:
    """The subject's broken commitments, any unit's, newest first (a desk's review of the applicant's credit)."""
    return broken_of_many([code_digest]).get(code_digest, [])


def of_subject(code_digest: str, unit_id: int | None = None) -> list[CreditCommitment]:
    """The subject's commitments for its record page: every unit's (`unit_id` None: the subject itself, the office,
    supervisors), else the unit's own and the broken ones of others (what the check tells any desk)."""
    stmt = (select(CreditCommitment).options(joinedload(CreditCommitment.unit))
            .where(CreditCommitment.subject_code_digest == code_digest).order_by(CreditCommitment.id))
    if unit_id is not None:
        stmt = stmt.where((CreditCommitment.unit_id == unit_id) | (CreditCommitment.status == "broken"))
    return list(db.session.scalars(stmt))


BROKEN_SHOWN = 20  # (per subject: the newest)


def broken_of_many(code_digests) -> dict[str, list[Broken]]:
    """broken_of for many subjects (a batch file's), one query per thousand: digest -> its broken commitments."""
    digests, out = sorted(set(code_digests)), {}
    for i in range(0, len(digests), 1000):
        rows = db.session.execute(
            select(CreditCommitment.subject_code_digest, Unit.name, CreditCommitment.made_on, CreditCommitment.closed_on,
                   CreditCommitment.finding)
            .join(Unit, Unit.id == CreditCommitment.unit_id)
            .where(CreditCommitment.subject_code_digest.in_(digests[i:i + 1000]), CreditCommitment.status == "broken")
            .order_by(CreditCommitment.subject_code_digest, CreditCommitment.closed_on.desc(), CreditCommitment.id.desc()))
        for code_digest, *rest in rows:
            shown = out.setdefault(code_digest, [])
            if len(shown) < BROKEN_SHOWN:
                shown.append(Broken(*rest))
    return out


def register(unit_id: int, status: str | None, page: int, per_page: int = 25):
    """The unit's commitments: the open ones first, those past their day first among them; then the closed, newest."""
    stmt = select(CreditCommitment).options(joinedload(CreditCommitment.check)).where(CreditCommitment.unit_id == unit_id)
    if status in ("open", "kept", "broken"):
        stmt = stmt.where(CreditCommitment.status == status)
    is_open = CreditCommitment.status == "open"
    stmt = stmt.order_by(~is_open, case((is_open, CreditCommitment.due_on.is_(None)), else_=False),
                         case((is_open, CreditCommitment.due_on)), CreditCommitment.closed_on.desc(), CreditCommitment.id.desc())
    return paginate_rows(stmt, page, per_page, scalars=True)


def overdue_count(unit_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(CreditCommitment).where(
        CreditCommitment.unit_id == unit_id, CreditCommitment.status == "open",
        CreditCommitment.due_on < clock.today_local())) or 0
