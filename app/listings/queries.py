"""Reading listings: the public black and red lists, a case's listings for its page."""
from datetime import timedelta

from sqlalchemy import and_, func, literal_column, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from app import clock, text_search
from app.auth.models import Unit
from app.cases.hooks import TaskRow
from app.cases.models import Case, CaseMeasure, Subject
from app.enums import SubjectKind
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.labels import PUSH_ACTION_LABELS
from app.listings.models import ACTIVE, LIFTED_BY_DECISION, WITHDRAWN, Listing, ListingUnit, PeriodSuspension, Push
from app.pagination import paginate_clamped, paginate_rows
from app.workdays.services import WorkCalendar, working_days_ago, working_days_late


def _on_list(lst, day, today, standing: bool = False):
    """The condition that listing `lst` (the model or an alias) is on its list on `day`: today, in effect now; an
    earlier day, its period covered the day, it had not ended and was not suspended then (never a revoked one).
    `standing`: its determination stood that day, suspended or not (a punishment suspended while an objection is
    handled is not applied, but the subject is not cleared either). A reward withdrawn from a day on (its subject no
    longer qualifies, WITHDRAWN) stays on the lists of the days before; a revoked decision (found wrong) never was."""
    if day >= today:
        return lst.status.in_(ACTIVE) if standing else lst.status == "in_effect"
    suspended = select(PeriodSuspension.id).where(
        PeriodSuspension.listing_id == lst.id, PeriodSuspension.start <= day,
        or_(PeriodSuspension.end.is_(None), PeriodSuspension.end > day))
    return and_(or_(lst.status != "revoked", lst.end_reason == WITHDRAWN), lst.period_start <= day,
                or_(lst.ended_on.is_(None), lst.ended_on > day),
                or_(lst.period_end.is_(None), lst.period_end >= day), *(() if standing else (~suspended.exists(),)))


def _not_punished(day, today):
    """For the red list: the subject is not under joint punishment on `day` (seed 002 五(一): the incentives are for the
    honest; its red-list entry is left off the list while a determination of its dishonesty stands, suspended during
    an objection too, and comes back after)."""
    black = aliased(Listing)
    return ~select(black.id).where(black.subject_id == Listing.subject_id, black.kind == "punishment",
                                   _on_list(black, day, today, standing=True)).exists()


def punished_now(subject_ids, now: dict | None = None) -> frozenset[int]:
    """Of these subjects, those a joint punishment stands against now: in effect, or suspended while an objection is
    handled (one query). `now`: {listing id: status} of punishments changed in memory, not yet written."""
    if not subject_ids:
        return frozenset()
    now = now or {}
    rows = db.session.execute(select(Listing.id, Listing.subject_id, Listing.status).where(
        Listing.subject_id.in_(set(subject_ids)), Listing.kind == "punishment",
        or_(Listing.status.in_(ACTIVE), Listing.id.in_(list(now)))))
    return frozenset(subject for listing_id, subject, status in rows if now.get(listing_id, status) in ACTIVE)


def punished_codes(codes) -> dict[str, str]:
    """{code: the case number (or decision number) of a joint punishment standing against it now} of these subject
    codes (a reward is for the honest: seed 002 五(一))."""
    if not codes:
        return {}
    rows = db.session.execute(
        select(Subject.code, func.coalesce(Case.number, Listing.decision_no)).join(Listing, Listing.subject_id == Subject.id)
        .outerjoin(Case, Case.id == Listing.case_id)
        .where(Subject.code.in_(set(codes)), Listing.kind == "punishment", Listing.status.in_(ACTIVE)).order_by(Listing.id))
    out: dict[str, str] = {}
    for code, number in rows:
        out.setdefault(code, number or "")
    return out


def public_list(kind: str, q: str | None, page: int, per_page: int = 25, serious: bool = False):
    """Subjects under joint punishment (black list) or reward (red list) now: in effect, not suspended
    (a suspended punishment is not applied, so it is not listed meanwhile); on the red list, not while under joint
    punishment. Newest first. `serious`: only the serious-dishonesty list (严重失信主体名单, seed 003 8①), black-list
    entries whose catalog entry marks it."""
    stmt = (
        select(Listing)
        .join(Subject, Subject.id == Listing.subject_id)
        .options(joinedload(Listing.subject), joinedload(Listing.catalog_version), joinedload(Listing.deciding_unit),
                 joinedload(Listing.case))  # (its measures: measures_of)
        .where(Listing.kind == kind, Listing.status == "in_effect")
        .order_by(Listing.period_start.desc(), Listing.id.desc())
    )
    if kind == "reward":
        today = clock.today_local()
        stmt = stmt.where(_not_punished(today, today))
    if serious:
        stmt = stmt.where(Listing.serious.is_(True))
    if text_search.normalise(q):
        stmt = stmt.where(Listing.subject_id.in_(text_search.public_subjects_matching(Subject, q, SubjectKind.PERSON)))
    return paginate_rows(stmt, page, per_page, scalars=True, capped_count=True)


SECTION_PAGE = 50  # rows of a case page's listing and push tables (a department's list may hold thousands)


def _subject_filter(stmt, q: str):
    """Only the subjects whose name contains `q` or whose code is `q` (the case page's filter of a long list)."""
    q = (q or "").strip()
    if not q:
        return stmt
    return stmt.where(or_(Subject.name.contains(q, autoescape=True), Subject.code == q.upper()))


def case_listings(case_id: int, q: str = "", page: int = 1, per_page: int = SECTION_PAGE):
    """A page of the case's listings (each subject's), in the order they were made."""
    stmt = (select(Listing).join(Subject, Subject.id == Listing.subject_id)
            .options(joinedload(Listing.subject), selectinload(Listing.units).joinedload(ListingUnit.unit))
            .where(Listing.case_id == case_id).order_by(Listing.id))
    return paginate_clamped(_subject_filter(stmt, q), page, per_page)


def case_pushes(case_id: int, q: str = "", page: int = 1, per_page: int = SECTION_PAGE):
    """A page of the changes pushed to the units for the case's listings, oldest first."""
    stmt = (select(Push).options(joinedload(Push.unit), joinedload(Push.listing).joinedload(Listing.subject))
            .join(Listing, Listing.id == Push.listing_id).join(Subject, Subject.id == Listing.subject_id)
            .where(Listing.case_id == case_id).order_by(Push.id))
    return paginate_clamped(_subject_filter(stmt, q), page, per_page)


# -- the exchange with department and provincial systems (seed 001 二(一)2, seed 002 二(五)) -------------------
def _exchange_options(stmt):
    return stmt.options(joinedload(Listing.subject), joinedload(Listing.catalog_version), joinedload(Listing.deciding_unit),
                        joinedload(Listing.case), selectinload(Listing.units).joinedload(ListingUnit.unit))


def listed_on(kind: str, day, today, page: int = 1, per_page: int = 500):
    """Listings on the list on `day`: today, those in effect now; an earlier day, those whose period covered it,
    not ended before it and not suspended on it (revoked determinations never count). The red list leaves out a
    subject under joint punishment that day (_not_punished)."""
    stmt = select(Listing).where(Listing.kind == kind, _on_list(Listing, day, today))
    if kind == "reward":
        stmt = stmt.where(_not_punished(day, today))
    stmt = _exchange_options(stmt.order_by(Listing.period_start, Listing.id))
    return paginate_rows(stmt, page, per_page, scalars=True)


# Changes younger than this are left for the next call: a change is stamped when it is made and seen when its
# transaction commits, so a later-stamped change may be seen first; a client that had moved past it would miss the
# earlier one. Transactions here last well under this.
CHANGES_SETTLE = timedelta(seconds=30)


def changed_since(kind: str, since, limit: int = 1000, after_id: int | None = None) -> list[Listing]:
    """Listings created or changed after `since` (and, at `since` itself, with an id above `after_id`: a page that
    ended among changes stamped alike goes on where it stopped), oldest change first, up to CHANGES_SETTLE ago
    (incremental sync: pass the last entry's time and id as the next `since` and `after_id`)."""
    later = Listing.updated_at > since
    if after_id is not None:
        later = or_(later, and_(Listing.updated_at == since, Listing.id > after_id))
    stmt = (select(Listing).where(Listing.kind == kind, later, Listing.updated_at <= clock.now() - CHANGES_SETTLE)
            .order_by(Listing.updated_at, Listing.id))
    return list(db.session.scalars(_exchange_options(stmt).limit(limit)))


def measures_of(listings: list[Listing], unit_id: int | None = None, lifted_too: bool = False) -> dict[int, list[str]]:
    """Each listing's measures with their implementing units ("text（unit）"), or only one unit's measures
    ("text"), in two queries. A unit's measures lifted for this subject by a decision on an objection or complaint
    (partly upheld: the listing stays) are not among its measures any more (`lifted_too`: they are, for the push that
    lifts them)."""
    case_ids = {lst.case_id for lst in listings if lst.case_id}
    by_case: dict[int, list[tuple[int, str]]] = {}
    lifted: set[tuple[int, int]] = set()
    if case_ids:
        stmt = (select(CaseMeasure.case_id, CaseMeasure.unit_id, CaseMeasure.text, Unit.name)
                .join(Unit, Unit.id == CaseMeasure.unit_id).where(CaseMeasure.case_id.in_(case_ids)).order_by(CaseMeasure.id))
        if unit_id is not None:
            stmt = stmt.where(CaseMeasure.unit_id == unit_id)
        for case_id, measure_unit, text, unit in db.session.execute(stmt):
            by_case.setdefault(case_id, []).append((measure_unit, text if unit_id is not None else f"{text}（{unit}）"))
        lifted = set() if lifted_too else {(r.listing_id, r.unit_id) for r in db.session.execute(select(Push.listing_id, Push.unit_id).where(
            Push.listing_id.in_([lst.id for lst in listings if lst.case_id]), Push.action == "lift",
            Push.reason == LIFTED_BY_DECISION))}
    return {lst.id: [m for u, m in by_case.get(lst.case_id, []) if (lst.id, u) not in lifted] for lst in listings}


def push_task_rows(open_tasks) -> dict:
    """The inbox's rows of pushes: each names its listing's subject and what to do with the measure (a department's
    list is one case of many subjects, whose pushes would otherwise read alike). One query for the page."""
    by_instance = {ot.instance_id: ot.task_id for ot in open_tasks}
    rows = db.session.execute(
        select(Push.instance_id, Push.action, Subject).join(Listing, Listing.id == Push.listing_id)
        .join(Subject, Subject.id == Listing.subject_id).where(Push.instance_id.in_(list(by_instance)))).all()
    return {by_instance[r.instance_id]: TaskRow([r.Subject], str(PUSH_ACTION_LABELS.get(r.action, ""))) for r in rows}


def unserved_statement(cutoff, limit: int = 100):
    """Decisions to punish in force, issued before `cutoff`, whose service is not recorded: oldest first, from
    ix_listing_unserved (its predicate written out with its values in the SQL, so the planner can match it)."""
    return (select(Listing, Case.number, Unit.name).join(Case, Case.id == Listing.case_id)
            .join(Unit, Unit.id == Listing.deciding_unit_id).options(joinedload(Listing.subject))
            .where(Listing.served_on.is_(None), Listing.source == literal_column("'case'"),
                   Listing.kind == literal_column("'punishment'"),
                   Listing.status.in_([literal_column("'in_effect'"), literal_column("'suspended'")]), Listing.decided_on < cutoff)
            .order_by(Listing.decided_on, Listing.id).limit(limit))


def unserved_decisions(today, days: int, limit: int = 100) -> list:
    """Decisions to punish in force whose service on the subject is not recorded `days` working days after their issue
    (the objection window cannot start), oldest first: (listing, its case number, deciding unit's name, days late)."""
    # (issued before the day `days` working days back: its last day to serve has passed)
    cutoff = clock.local_date(working_days_ago(clock.start_of_local_day(today), days))
    rows = db.session.execute(unserved_statement(cutoff, limit)).all()
    if not rows:
        return []
    cal = WorkCalendar(rows[0][0].decided_on, today + timedelta(days=days * 2 + 30))
    return [(listing, number, unit, working_days_late(cal.add(listing.decided_on, days), today, cal))
            for listing, number, unit in rows]


def suspended_notes(case_ids: list[int]) -> dict[int, str]:
    """For the staff's case lists: {case id: 其中 N 个主体的惩戒暂停执行} of the page's cases in effect with suspended
    listings (their status reads 生效中), one query for the page."""
    if not case_ids:
        return {}
    rows = db.session.execute(select(Listing.case_id, func.count()).where(Listing.case_id.in_(case_ids),
                                                                        Listing.status == "suspended")
                              .group_by(Listing.case_id)).all()
    return {case_id: str(_l("%(n)s of its subjects’ punishments suspended (an objection or complaint is being handled)", n=n))
            for case_id, n in rows}


def suspended_count(case_id: int) -> int:
    """How many of the case's listings are suspended now (an objection or complaint being handled)."""
    return db.session.scalar(select(func.count()).select_from(Listing).where(Listing.case_id == case_id,
                                                                            Listing.status == "suspended")) or 0
