"""The credit check (逢批必查, seed 001 二(一)2, seed 000 九, seed 004（十）): a unit asks about one subject while
handling an approval matter and is told whether the subject is under joint punishment or reward now, which
measures apply to *its* unit and on what basis, since when and until when, the deciding case and unit and the
catalog entry; nothing else about cases it is not party to. Every query is logged; what the unit then did is
its application record on the case's timeline.

Both the staff page and the department API call these functions with a Requester (the unit asking)."""
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import APPLICANT, EXPERT, User
from app.cases import events
from app.cases.identifiers import guess_kind, mask_code, normalise_code
from app.cases.models import CaseMeasure, Subject
from app.credit.models import CheckApplication, CreditCheck
from app.enums import EventType
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.listings.models import Listing

SHOWN_STATUSES = ("in_effect", "suspended", "repaired")
ACTIONS = ("refused", "restricted", "green_channel", "approved")


@dataclass(frozen=True)
class Requester:
    """Who asks: a unit, through one of its staff or one of its API clients."""

    unit_id: int
    user_id: int | None = None
    api_client_id: int | None = None

    @classmethod
    def of_user(cls, user) -> "Requester":
        if user.role in (APPLICANT, EXPERT) or user.unit_id is None:
            raise PermissionDenied(_l("Only staff of a unit check subjects' credit."))
        return cls(unit_id=user.unit_id, user_id=user.id)


@dataclass
class Measure:
    code: str
    text: str
    content: str
    legal_basis: str


@dataclass
class Finding:
    """One listing of the subject, as the asking unit may see it."""

    listing_id: int
    kind: str  # punishment | reward
    status: str  # in_effect | suspended | repaired
    behaviour: str
    entry_code: str
    grounds: str
    legal_basis: str  # of the decision (the case's)
    entry_basis: str  # of the catalog entry (设列依据)
    deciding_unit: str
    case_number: str | None
    decided_on: date
    period_start: date
    period_end: date | None
    ended_on: date | None
    my_measures: list[Measure] = field(default_factory=list)
    my_state: str | None = None  # where the asking unit's measures stand (applied, suspended, lifted...)


@dataclass
class Answer:
    check_id: int
    code: str
    masked_code: str
    subject_kind: str
    subject_name: str | None
    matter_type: str
    matter_no: str
    verdict: str
    findings: list[Finding]


def matter_types() -> list[str]:
    return list(current_app.config["CHECK_MATTER_TYPES"])


def _clean_matter(matter_type: str, matter_no: str) -> tuple[str, str]:
    if matter_type not in matter_types():
        raise DomainError(_l("Choose the kind of approval matter."), "matter_type")
    matter_no = (matter_no or "").strip()
    if not matter_no:
        raise DomainError(_l("Give the number of the approval matter (受理编号)."), "matter_no")
    if len(matter_no) > 80:
        raise DomainError(_l("The matter number has at most 80 characters."), "matter_no")
    return matter_type, matter_no


def normalise(code: str) -> tuple[str, str]:
    """(kind, code) of a credit code or identity number, check character validated."""
    kind = guess_kind(code)
    if kind == "enterprise" and len((code or "").strip()) == 18 and (code or "").strip()[:17].isdigit():
        kind = "person"  # an identity number with a wrong check character: say so as one
    return kind, normalise_code(kind, code, "code")


def verdict(findings: list[Finding]) -> str:
    statuses = {(f.kind, f.status) for f in findings}
    if ("punishment", "in_effect") in statuses:
        return "punished"
    if ("punishment", "suspended") in statuses:
        return "suspended"
    if ("reward", "in_effect") in statuses:
        return "rewarded"
    if any(s == "repaired" for _k, s in statuses):
        return "repaired"
    return "clear"


def findings_for(subject_ids: list[int], unit_id: int) -> dict[int, list[Finding]]:
    """Findings per subject for one asking unit, in three queries whatever the number of subjects."""
    if not subject_ids:
        return {}
    listings = db.session.scalars(
        select(Listing)
        .options(joinedload(Listing.catalog_version), joinedload(Listing.case), joinedload(Listing.deciding_unit),
                 selectinload(Listing.units))
        .where(Listing.subject_id.in_(subject_ids), Listing.status.in_(SHOWN_STATUSES))
        .order_by(Listing.subject_id, Listing.decided_on.desc(), Listing.id)
    ).all()
    case_ids = {lst.case_id for lst in listings if lst.case_id}
    measures: dict[int, list[CaseMeasure]] = {}
    if case_ids:
        for m in db.session.scalars(select(CaseMeasure).where(CaseMeasure.case_id.in_(case_ids), CaseMeasure.unit_id == unit_id)
                                    .order_by(CaseMeasure.id)):
            measures.setdefault(m.case_id, []).append(m)
    out: dict[int, list[Finding]] = {}
    for lst in listings:
        v = lst.catalog_version
        if lst.case_id:
            mine = [Measure(m.measure_code, m.text, v.measure_content if v else "", lst.legal_basis or (v.legal_basis if v else ""))
                    for m in measures.get(lst.case_id, [])]
        else:  # a department list: the catalog entry's measures of this unit
            mine = [Measure(m["code"], m["text"], v.measure_content, lst.legal_basis or v.legal_basis)
                    for m in (v.measures if v else []) if m.get("unit_id") == unit_id]
        state = next((lu.state for lu in lst.units if lu.unit_id == unit_id), None)
        out.setdefault(lst.subject_id, []).append(Finding(
            listing_id=lst.id, kind=lst.kind, status=lst.status, behaviour=v.behaviour if v else "",
            entry_code=v.entry.code if v else "", grounds=lst.grounds or (v.grounds if v else ""),
            legal_basis=lst.legal_basis or (v.legal_basis if v else ""), entry_basis=v.legal_basis if v else "",
            deciding_unit=lst.deciding_unit.name,
            case_number=lst.case.number if lst.case else lst.decision_no, decided_on=lst.decided_on,
            period_start=lst.period_start, period_end=lst.period_end, ended_on=lst.ended_on,
            my_measures=mine, my_state=state))
    return out


def check(requester: Requester, code: str, matter_type: str, matter_no: str, batch: str | None = None) -> Answer:
    """Answer one check and log it (flush). Raises DomainError naming the field for bad input."""
    kind, code = normalise(code)
    matter_type, matter_no = _clean_matter(matter_type, matter_no)
    subject = db.session.scalar(select(Subject).where(Subject.code == code))
    findings = findings_for([subject.id], requester.unit_id).get(subject.id, []) if subject else []
    row = CreditCheck(unit_id=requester.unit_id, user_id=requester.user_id, api_client_id=requester.api_client_id,
                      subject_code=code, subject_kind=subject.kind if subject else kind,
                      subject_id=subject.id if subject else None, matter_type=matter_type, matter_no=matter_no,
                      verdict=verdict(findings), listing_ids=[f.listing_id for f in findings], batch=batch)
    db.session.add(row)
    db.session.flush()
    return Answer(row.id, code, mask_code(row.subject_kind, code), row.subject_kind, subject.name if subject else None,
                  matter_type, matter_no, row.verdict, findings)


def record_application(requester: Requester, check_id: int, listing_id: int, action: str, note: str = "") -> CheckApplication:
    """The unit's decision on the matter for one listing it was told of (flush); on the case's timeline."""
    row = db.session.get(CreditCheck, check_id)
    if row is None or row.unit_id != requester.unit_id:
        raise NotFound(_l("No such check of your unit."))
    if listing_id not in (row.listing_ids or []):
        raise DomainError(_l("That listing was not part of this check."), "listing_id")
    if action not in ACTIONS:
        raise DomainError(_l("Choose what your unit did."), "action")
    note = (note or "").strip()
    if len(note) > 2000:
        raise DomainError(_l("The note has at most 2000 characters."), "note")
    if db.session.scalar(select(CheckApplication.id).where(CheckApplication.check_id == check_id,
                                                           CheckApplication.listing_id == listing_id)):
        raise DomainError(_l("Your unit already recorded what it did for this check."), "action")
    app_row = CheckApplication(check_id=check_id, listing_id=listing_id, unit_id=requester.unit_id, action=action, note=note,
                               user_id=requester.user_id, api_client_id=requester.api_client_id)
    db.session.add(app_row)
    db.session.flush()
    listing = db.session.get(Listing, listing_id)
    if listing.case_id:
        actor = db.session.get(User, requester.user_id) if requester.user_id else None
        events.record(listing.case_id, EventType.CREDIT_CHECK_APPLIED, actor,
                      {"unit_id": requester.unit_id, "listing_id": listing_id, "matter_type": row.matter_type,
                       "matter_no": row.matter_no, "action": action, "note": note, "check_id": check_id,
                       "via": "api" if requester.api_client_id else "web"})
    return app_row



def answer_of(requester: Requester, check_id: int) -> Answer:
    """A logged check of the requester's unit, with its listings as they stand now."""
    row = db.session.get(CreditCheck, check_id)
    if row is None or row.unit_id != requester.unit_id:
        raise NotFound(_l("No such check of your unit."))
    subject = db.session.get(Subject, row.subject_id) if row.subject_id else None
    findings = findings_for([row.subject_id], requester.unit_id).get(row.subject_id, []) if row.subject_id else []
    findings = [f for f in findings if f.listing_id in (row.listing_ids or [])]
    return Answer(row.id, row.subject_code, mask_code(row.subject_kind, row.subject_code), row.subject_kind,
                  subject.name if subject else None, row.matter_type, row.matter_no, row.verdict, findings)
