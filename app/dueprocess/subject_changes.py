"""Changes in a subject's registration (issue 16): deregistration (注销) and merger (合并). A rename keeps one
subject and is a correction (corrections.py); these two end the subject as a registered body, so the record
links the old code to what follows and says what became of its listings, under a fixed rule:

- merged: the listings in effect or suspended pass to the body it merged into, which bears the old one's rights
  and duties (《中华人民共和国民法典》第六十七条第一款「法人合并的，其权利和义务由合并后的法人享有和承担」). The
  successor becomes a party to those cases (it may object, apply for repair, and is what a credit check finds);
  the listing remembers the subject the decision named.
- deregistered: the listings stay on the old code until their period ends or they are revoked or repaired, so a
  check of that code still tells a unit what was decided (deregistration neither repairs nor revokes).

Either way the change is on the timeline of every case about the subject and pushed to every unit applying a
measure to it (they update their records). Recorded by the office, or by staff of a unit party to the subject's cases
that decided each of its listings in effect or suspended (谁决定、谁负责). A unit that only applies a measure may not:
a merger moves the listing onto another body, and a deregistration changes what every check of the code answers,
which only the deciding unit may answer for."""
from datetime import date

from sqlalchemy import select

from app import clock
from app.auth.models import OFFICE
from app.auth.services import current_unit_id
from app.cases import events
from app.cases.identifiers import mask_code, normalise_code
from app.cases.models import Case, CaseSubject, Subject
from app.dueprocess.corrections import party_case, subject_cases
from app.dueprocess.models import SubjectChange
from app.enums import EventType, SubjectKind
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.listings import services as listings
from app.listings.models import Listing

RULES = {"deregistered": "retained", "merged": "carried_over"}
LIVE = ("in_effect", "suspended")
EVENT = {"deregistered": EventType.SUBJECT_DEREGISTERED, "merged": EventType.SUBJECT_MERGED}


def _live(subject_id: int) -> list[Listing]:
    return list(db.session.scalars(select(Listing).where(Listing.subject_id == subject_id, Listing.status.in_(LIVE))
                                   .order_by(Listing.id)))


def _check_may_record(actor, subject_id: int, live: list[Listing]) -> None:
    """PermissionDenied unless the actor is the office, or staff of a unit party to a case about the subject that
    answers for it (or took over the work of the unit that did): the deciding unit of every listing of it in effect or
    suspended; with none, of its latest listing; with no listing, a unit that filed a case about it."""
    if actor.role == OFFICE:
        return
    party_case(actor, subject_id)  # PermissionDenied unless the unit is party to a case about the subject
    # The units answering for the subject: the deciding units of its listings in effect or suspended; with none, the
    # deciding unit of its latest listing (expired, repaired...); with no listing at all, the units that filed its cases.
    if live:
        answering = [{lst.deciding_unit_id} for lst in live]
    else:
        latest = db.session.scalar(select(Listing.deciding_unit_id).where(Listing.subject_id == subject_id)
                                   .order_by(Listing.id.desc()).limit(1))
        answering = [{latest} if latest is not None else set(db.session.scalars(
            select(Case.initiating_unit_id).join(CaseSubject, CaseSubject.case_id == Case.id)
            .where(CaseSubject.subject_id == subject_id)))]
    if not all(actor.unit_id in units | {current_unit_id(u) for u in units} for units in answering):
        raise PermissionDenied(_l("Only the unit that decided the subject's listings, or the joint-meeting office, records "
                                  "a change of its registration."))


def may_record(actor, subject_id: int) -> bool:
    try:
        _check_may_record(actor, subject_id, _live(subject_id))
    except PermissionDenied:
        return False
    return True


def _text(value: str | None, field: str, missing, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(missing, field)
    if len(value) > limit:
        raise DomainError(_l("At most %(n)s characters.", n=limit), field)
    return value


def _successor(subject: Subject, code: str | None, name: str | None) -> Subject:
    if subject.kind == SubjectKind.PERSON:
        raise DomainError(_l("A natural person cannot merge; record a deregistration instead."), "kind")
    code = normalise_code(subject.kind, _text(code, "successor_code", _l("Give the unified social credit code of the body it merged into."), 18),
                          "successor_code")
    if code == subject.code:
        raise DomainError(_l("A subject cannot merge into itself."), "successor_code")
    successor = db.session.scalar(select(Subject).where(Subject.code == code))
    if successor is None:
        name = _text(name, "successor_name", _l("This code is not recorded yet: give the name of the body it merged into."), 200)
        successor = Subject(kind=subject.kind, name=name, code=code)
        db.session.add(successor)
        db.session.flush()
    elif successor.status != "active":
        raise DomainError(_l("The body named has itself been deregistered or merged."), "successor_code")
    return successor


def record_change(actor, subject_id: int, kind: str, on_date: date | None, basis: str, reason: str,
                  successor_code: str | None = None, successor_name: str | None = None) -> SubjectChange:
    """Record a deregistration or merger and apply its rule to the subject's listings (flush)."""
    subject = db.session.get(Subject, subject_id)
    if subject is None:
        raise NotFound(_l("No such subject."))
    live = _live(subject.id)
    _check_may_record(actor, subject_id, live)
    if subject.status != "active":
        raise DomainError(_l("A change of this subject's registration is recorded already."), "kind")
    if kind not in RULES:
        raise DomainError(_l("Choose deregistration or merger."), "kind")
    if on_date is None:
        raise DomainError(_l("Enter the date the registration authority recorded it."), "on_date")
    if on_date > clock.today_local():
        raise DomainError(_l("The date cannot be in the future."), "on_date")
    basis = _text(basis, "basis", _l("Name the registration authority's document (e.g. its notice of deregistration)."), 500)
    reason = _text(reason, "reason", _l("Say what was found and where."), 2000)
    successor = _successor(subject, successor_code, successor_name) if kind == "merged" else None
    # (timelines are not sealed: codes in them are masked; the subject records hold them whole, sealed)
    summary = f"{subject.name}（{mask_code(subject.kind, subject.code)}）"
    if successor is not None:
        summary += f" → {successor.name}（{mask_code(successor.kind, successor.code)}）"
    details = {"subject_id": subject.id, "summary": summary, "note": reason, "basis": basis, "on_date": on_date.isoformat(),
               "rule": RULES[kind]}
    for case_id in subject_cases(subject.id):
        events.record(case_id, EVENT[kind], actor, details)
    if successor is not None:
        for listing in live:
            _carry_over(actor, listing, subject, successor)
    subject.status, subject.status_on = kind, on_date
    subject.successor_id = successor.id if successor else None
    change = SubjectChange(subject_id=subject.id, kind=kind, successor_id=successor.id if successor else None, on_date=on_date,
                           basis=basis, reason=reason, rule=RULES[kind], listing_ids=[lst.id for lst in live],
                           recorded_by_id=actor.id)
    db.session.add(change)
    db.session.flush()
    listings.push_correction((successor or subject).id, actor, reason=kind)
    return change


def _carry_over(actor, listing: Listing, subject: Subject, successor: Subject) -> None:
    if listing.case_id and db.session.scalar(select(Listing.id).where(Listing.case_id == listing.case_id,
                                                                      Listing.subject_id == successor.id)):
        raise DomainError(_l("The body it merged into is listed in the same case already; correct the case's subjects first."),
                          "successor_code")
    listing.carried_from_id, listing.subject_id = subject.id, successor.id
    if listing.case_id is None:
        return
    if not db.session.scalar(select(CaseSubject.id).where(CaseSubject.case_id == listing.case_id,
                                                          CaseSubject.subject_id == successor.id)):
        db.session.add(CaseSubject(case_id=listing.case_id, subject_id=successor.id))
    events.record(listing.case_id, EventType.LISTING_CARRIED_OVER, actor,
                  {"subject_id": successor.id, "listing_id": listing.id,
                   "summary": f"{subject.name}（{mask_code(subject.kind, subject.code)}）→ "
                              f"{successor.name}（{mask_code(successor.kind, successor.code)}）"})


def changes_of(subject_id: int) -> list[SubjectChange]:
    """The changes recorded for the subject, and those of subjects that merged into it."""
    return list(db.session.scalars(
        select(SubjectChange).where((SubjectChange.subject_id == subject_id) | (SubjectChange.successor_id == subject_id))
        .order_by(SubjectChange.on_date, SubjectChange.id)))
