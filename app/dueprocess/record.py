"""One page per subject (issue 16): everything about one person or company in time order, within the reader's
rights: the cases the reader may see, the listings (a unit not party to one sees it once it has checked the subject,
as the check tells it), the measures by unit, notices and statements, service of decisions, checks by units."""
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app import clock, labels
from app.auth.models import ADMIN, APPLICANT, EXPERT, OFFICE, SUPERVISOR
from app.cases.access import case_visibility_clause
from app.cases.identifiers import mask_code
from app.cases.models import Case, CaseSubject, Subject
from app.credit import commitments
from app.credit.models import CreditCheck
from app.credit.services import is_shown
from app.dueprocess.corrections import may_report
from app.dueprocess.models import DecisionService, PriorNotice
from app.dueprocess.subject_changes import changes_of, may_record
from app.errors import NotFound, PermissionDenied
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.listings.models import Listing, ListingUnit, PeriodSuspension
from app.rights.objections import subject_cases_clause

SEE_ALL_CHECKS = (SUPERVISOR, OFFICE, ADMIN)


@dataclass
class Item:
    at: datetime
    what: str
    text: str
    case: Case | None = None
    day_only: bool = False  # (known by the day: shown without a time)


def _day(d) -> datetime:
    """A date-only item sorts after what happened that day (a service recorded on the day of a notice)."""
    return datetime.combine(d, time(23, 59), tzinfo=clock.LOCAL_TZ)


def _on(d, what: str, text: str, case: Case | None) -> Item:
    return Item(_day(d), what, text, case, day_only=True)


def own_record(actor) -> dict:
    """The subject's own page on the portal: everything about it that it may follow, checks by every unit."""
    if actor.role != APPLICANT or actor.subject_id is None:
        raise PermissionDenied(_l("Your role may not do this."))
    # The clause already names the subject's cases (correlated on its own): no join here.
    stmt = select(Case).where(subject_cases_clause(actor)).order_by(Case.created_at)
    return _record(actor, db.session.get(Subject, actor.subject_id), stmt, all_checks=True)


def subject_record(actor, subject_id: int) -> dict:
    clause = case_visibility_clause(actor, Case.id)
    if actor.role in (APPLICANT, EXPERT) or actor.unit_id is None or clause is False:
        raise PermissionDenied(_l("Your role may not do this."))  # (before the lookup: says nothing of which ids exist)
    subject = db.session.get(Subject, subject_id)
    if subject is None:
        raise NotFound(_l("No such subject."))
    stmt = (select(Case).join(CaseSubject, CaseSubject.case_id == Case.id).where(CaseSubject.subject_id == subject_id)
            .order_by(Case.created_at))
    if clause is not None:
        stmt = stmt.where(clause)
    record = _record(actor, subject, stmt, all_checks=actor.role in SEE_ALL_CHECKS, restricted=clause is not None)
    # A check names the subject only where it found a listing (credit.services._name_shown): a check that found
    # nothing tells the desk no name, and neither may this page.
    named_by_check = any(ch.listing_ids for ch in record["checks"] if ch.unit_id == actor.unit_id)
    if clause is not None and not (record["cases"] or record["listings"] or named_by_check):
        # A unit knows a subject through its own cases, a listing (what the credit check tells any unit) or its
        # own checks that named it; anyone else's subject (a case under way elsewhere) is, for it, no such subject.
        raise NotFound(_l("No such subject."))
    return record


def _party_to(actor, lst: Listing, seen: set[int]) -> bool:
    """The unit is party to the listing: its case is one of the unit's, or it supplied the department list or applies
    one of its measures."""
    return (lst.case_id in seen or lst.deciding_unit_id == actor.unit_id
            or any(lu.unit_id == actor.unit_id for lu in lst.units))


def _may_see_listing(actor, lst: Listing, seen: set[int], checked_on) -> bool:
    """A unit not party to a listing learns of it through the credit check, which is logged: this page shows it
    only if the unit's latest check of the subject (`checked_on`, its day) came after the listing was decided, and only
    while the check would tell it (not revoked or expired)."""
    return _party_to(actor, lst, seen) or (checked_on is not None and lst.decided_on <= checked_on
                                            and is_shown(lst, clock.today_local()))


def _record(actor, subject: Subject, stmt, all_checks: bool, restricted: bool = False) -> dict:
    subject_id = subject.id
    cases = list(db.session.scalars(stmt))
    seen = {c.id for c in cases}
    listings = list(db.session.scalars(
        select(Listing).options(joinedload(Listing.case), joinedload(Listing.catalog_version), joinedload(Listing.deciding_unit),
                                selectinload(Listing.units).joinedload(ListingUnit.unit))
        .where(Listing.subject_id == subject_id).order_by(Listing.period_start, Listing.id)))
    checks_stmt = (select(CreditCheck).options(joinedload(CreditCheck.unit)).where(CreditCheck.subject_id == subject_id)
                   .order_by(CreditCheck.at.desc()).limit(200))
    if not all_checks:
        checks_stmt = checks_stmt.where(CreditCheck.unit_id == actor.unit_id)
    checks = list(db.session.scalars(checks_stmt))
    if restricted:
        own = [ch for ch in checks if ch.unit_id == actor.unit_id]  # (newest first)
        checked_on = clock.local_date(own[0].at) if own else None
        listings = [lst for lst in listings if _may_see_listing(actor, lst, seen, checked_on)]
    notices = [n for n in db.session.scalars(select(PriorNotice).where(PriorNotice.subject_id == subject_id)) if n.case_id in seen]
    served = [s for s in db.session.scalars(select(DecisionService).where(DecisionService.subject_id == subject_id))
              if s.case_id in seen]

    by_id = {c.id: c for c in cases}
    items: list[Item] = []
    for c in cases:
        items.append(Item(c.created_at, str(labels.label(labels.CASE_KIND_LABELS, c.kind)), f"{c.number} · {c.title}", c))
        if c.decided_at:
            # (the meeting decides for each subject: one it left out reads that no action was taken on it)
            decision = c.decision if c.decision != "act" or subject_id in (c.determination or {}).get("subject_ids", [subject_id]) \
                else "no_action"
            items.append(Item(c.decided_at, str(_l("Decision")), f"{c.number} · {labels.label(labels.DECISION_LABELS, decision)}", c))
    for n in notices:
        items.append(Item(n.issued_at, str(labels.EVENT_LABELS["notice_issued"]), n.intended, by_id.get(n.case_id)))
        if n.stated_at:
            kind = "statement_made" if n.state == "stated" else "statement_waived"
            items.append(Item(n.stated_at, str(labels.EVENT_LABELS[kind]), n.statement, by_id.get(n.case_id)))
    for s in served:
        items.append(_on(s.served_on, str(labels.EVENT_LABELS["decision_served"]),
                         labels.label(labels.SERVICE_WAY_LABELS, s.way), by_id.get(s.case_id)))
    for lst in listings:
        what = str(_l("Black list")) if lst.kind == "punishment" else str(_l("Red list"))
        behaviour = lst.catalog_version.behaviour if lst.catalog_version else ""
        items.append(_on(lst.period_start, what, f"{behaviour} · {lst.deciding_unit.name}", by_id.get(lst.case_id)))
        if lst.ended_on:
            items.append(_on(lst.ended_on, str(labels.listing_status_text(lst.status, lst.end_reason)), behaviour,
                             by_id.get(lst.case_id)))
    # Suspensions while an objection or complaint was handled, and the resumptions (from the listings above).
    for sp in db.session.scalars(select(PeriodSuspension).where(
            PeriodSuspension.listing_id.in_([lst.id for lst in listings])).order_by(PeriodSuspension.start)) if listings else []:
        source = by_id.get(sp.source_case_id)
        note = f"{source.number} · {source.title}" if source else ""
        items.append(_on(sp.start, str(labels.EVENT_LABELS["punishment_suspended"]), note, by_id.get(sp.case_id)))
        if sp.end:
            items.append(_on(sp.end, str(labels.EVENT_LABELS["punishment_resumed"]), note, by_id.get(sp.case_id)))
    # How the subject's own requests (objections, complaints, repairs, corrections) ended.
    for c in cases:
        if c.kind not in ("punishment", "reward") and c.closed_at is not None:
            items.append(Item(c.closed_at, str(labels.label(labels.STATUS_LABELS, c.status)), f"{c.number} · {c.title}", c))
    changes = changes_of(subject_id)
    for sc in changes:
        # (masked, as on the timelines and in the page's heading: the page is read by units, supervisors and more)
        text = f"{sc.subject.name}（{mask_code(sc.subject.kind, sc.subject.code)}）" + (
            f" → {sc.successor.name}（{mask_code(sc.successor.kind, sc.successor.code)}）" if sc.successor else "")
        items.append(_on(sc.on_date, str(labels.label(labels.SUBJECT_CHANGE_LABELS, sc.kind)), f"{text}\n{sc.basis}", None))
    made = commitments.of_subject(subject.code_digest, None if all_checks else actor.unit_id)
    for cm in made:  # (信用承诺: made at a unit's desk, and whether it was kept)
        items.append(_on(cm.made_on, str(_l("Credit commitment made")),
                         f"{cm.unit.name} · {labels.label(labels.COMMITMENT_KIND_LABELS, cm.kind)} · {cm.content}", None))
        if cm.closed_on:
            items.append(_on(cm.closed_on, str(_l("Credit commitment kept") if cm.status == "kept" else _l("Credit commitment broken")),
                             f"{cm.unit.name} · {cm.finding}", None))
    for ch in checks:
        items.append(Item(ch.at, str(_l("Credit check")),
                          f"{ch.unit.name} · {labels.label(labels.MATTER_TYPE_LABELS, ch.matter_type)}", None))
    # Newest first; of things on the same day, the one added later first (a suspension, its resumption and a second
    # suspension on one day read in the order they happened, the latest on top).
    order = {id(item): n for n, item in enumerate(items)}
    items.sort(key=lambda i: (clock.as_utc(i.at), order[id(i)]), reverse=True)
    portal = actor.role == APPLICANT
    # Every unit's measure state of a listing is for those party to it; anyone else sees their own line, as the check
    # tells it.
    measure_units = {lst.id: [lu for lu in lst.units
                              if not restricted or _party_to(actor, lst, seen) or lu.unit_id == actor.unit_id]
                     for lst in listings}
    return {"subject": subject, "cases": cases, "listings": listings, "measure_units": measure_units,
            "restricted": restricted, "items": items, "checks": checks,
            "all_checks": all_checks, "portal": portal, "changes": changes,
            "successor": db.session.get(Subject, subject.successor_id) if subject.successor_id else None,
            "may_change": not portal and subject.status == "active" and may_record(actor, subject_id),
            "may_report": not portal and may_report(actor, subject_id)}
