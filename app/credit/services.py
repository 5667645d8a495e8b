"""The credit check (逢批必查, seed 001 二(一)2, seed 000 九, seed 004（十）): a unit asks about one subject while
handling an approval matter and is told whether the subject is under joint punishment or reward now, which
measures apply to *its* unit and on what basis, since when and until when, the deciding case and unit and the
catalog entry; nothing else about cases it is not party to. Every query is logged; what the unit then did is
its application record on the case's timeline.

Both the staff page and the department API call these functions with a Requester (the unit asking)."""
import functools
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import bindparam, exists, insert, select
from sqlalchemy.orm import aliased

from app import clock
from app.auth.models import CASEWORKER, GROUP_LEAD, OFFICE, Unit, User
from app.cases import events
from app.cases.identifiers import guess_kind, mask_code, normalise_code, valid_as
from app.cases.models import Case, CaseMeasure, Subject
from app.catalog.models import CatalogEntry, CatalogVersion
from app.credit import commitments
from app.credit.models import CheckApplication, CreditCheck
from app.crypto import digest
from app.enums import EventType
from app.errors import Conflict, DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.labels import CHECK_ACTION_LABELS, LISTING_STATUS_LABELS, UNIT_MEASURE_STATE_LABELS
from app.listings.models import Listing, ListingUnit, lifted_by_decision

SHOWN_STATUSES = ("in_effect", "suspended", "repaired")


def _told_of(status: str, period_start, period_days, today) -> bool:
    """Whether a check tells of a listing (of SHOWN_STATUSES): a repaired one until the day its period would have
    ended (start + its length; the days a suspension added are not counted), then no more than an expired one. The
    desk learns the punishment ended by repair (信用修复结果互认) while its own records may still hold it; repairing
    early must not leave a subject reported longer than waiting out its period."""
    return status != "repaired" or period_start is None or not period_days or \
        today < period_start + timedelta(days=period_days)


def is_shown(lst: Listing, today) -> bool:
    """For one loaded listing: of SHOWN_STATUSES and still told of."""
    return lst.status in SHOWN_STATUSES and _told_of(lst.status, lst.period_start, lst.period_days, today)


# Who checks: the units' business staff at approval desks (逢批必查). Not the three administrators (三员分立: none
# of them does business work), supervisors, experts or applicants.
CHECK_ROLES = (CASEWORKER, GROUP_LEAD, OFFICE)
ACTIONS = ("refused", "restricted", "green_channel", "approved")


def unit_state_words(f) -> tuple[object, bool] | None:
    """Where the reader's unit stands on a finding, as the answer says it beside its measures (the page's badge, the
    batch sheet's cell): incentives withheld or a suspension the unit has not confirmed (a warning, True), or its own
    reported state."""
    if f.incentives_withheld:
        return _l("Incentives withheld"), True
    if f.status == "suspended" and f.my_measures and f.my_state not in ("suspended", "lifted"):
        return _l("Suspension not yet confirmed by your unit"), True
    if f.my_state and f.status != "repaired":
        return UNIT_MEASURE_STATE_LABELS.get(f.my_state, f.my_state), False
    return None


def allowed_actions(kind: str, status: str, my_measures=True, withheld: bool = False) -> tuple[str, ...]:
    """What a unit may record for a listing as it stands: refusing or restricting on a black-list entry only while
    it is in effect (seed 001 二(三)2: suspended while an objection is handled; 二(三)1: no measure after repair),
    the green channel on a red-list entry in effect; approving always. Only with a measure of the unit's own on the
    listing (seed 001 二(一)1, 二(二)3: each unit within its duties, by the catalog and the decision): a unit
    without one, or whose measures a decision on an objection or complaint lifted, approves. `withheld`: a red-list
    entry of a subject under joint punishment now, whose incentives are for the honest (seed 002 五(一) 对诚实守信者)."""
    if status != "in_effect" or not my_measures or withheld:
        return ("approved",)
    return ("refused", "restricted", "approved") if kind == "punishment" else ("green_channel", "approved")


@dataclass(frozen=True)
class Requester:
    """Who asks: a unit, through one of its staff or one of its API clients."""

    unit_id: int
    user_id: int | None = None
    api_client_id: int | None = None

    @classmethod
    def of_user(cls, user) -> "Requester":
        if user.role not in CHECK_ROLES or user.unit_id is None:
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
    source: str = "case"  # case (a joint determination) | department (a department's own list, imported)
    # A red-list entry while a joint punishment stands against the subject (in effect or suspended during an objection):
    # its incentives are not granted (seed 002
    # 五(一): 对诚实守信者…"绿色通道"); the entry stands and they come back when the punishment ends.
    incentives_withheld: bool = False


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
    # A subject deregistered (注销) or merged (合并) into another: its status, the date, and whom it merged into.
    subject_status: str = "active"
    status_on: date | None = None
    successor: str | None = None
    # Commitments the subject made to a unit's desk and broke (credit_commitment; seed 002 五(二) 申请人信用审查).
    broken_commitments: list = field(default_factory=list)


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
    compact = (code or "").strip()
    if kind == "enterprise" and len(compact) == 18 and compact[:17].isdigit() and not valid_as("enterprise", compact):
        kind = "person"  # 17 digits that are not a valid credit code either: a mistyped identity number, said as one
    return kind, normalise_code(kind, code, "code")


def _withhold_incentives(findings: list[Finding]) -> list[Finding]:
    # (a punishment suspended while an objection is handled withholds them too: its determination stands, and the
    # incentives are for the honest; the subject is not punished meanwhile, nor rewarded)
    if any(f.kind == "punishment" and f.status in ("in_effect", "suspended") for f in findings):
        for f in findings:
            if f.kind == "reward":
                f.incentives_withheld = True
    return findings


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


def _listing_columns(cv, ce, mine_lu):
    return (Listing.id, Listing.subject_id, Listing.kind, Listing.status, Listing.case_id, Listing.source, Listing.grounds,
            Listing.legal_basis, Listing.decision_no, Listing.decided_on, Listing.period_start, Listing.period_days, Listing.period_end,
            Listing.ended_on, cv.behaviour, cv.grounds.label("entry_grounds"), cv.legal_basis.label("entry_basis"),
            cv.measure_content, cv.measures, ce.code.label("entry_code"), Unit.name.label("deciding_unit"),
            Case.number.label("case_number"), mine_lu.state.label("my_state"),
            # the asking unit's measures lifted by a decision on an objection or complaint (the listing stays)
            lifted_by_decision(Listing.id, bindparam("unit_id")).label("lifted_for_me"))


def _with_listing_details(q, cv, ce, mine_lu, unit):
    """The joins that name a listing's catalog entry, deciding unit and case, and where the asking unit stands."""
    return (q.outerjoin(Unit, Unit.id == Listing.deciding_unit_id)
            .outerjoin(cv, cv.id == Listing.catalog_version_id)
            .outerjoin(ce, ce.id == cv.entry_id)
            .outerjoin(Case, Case.id == Listing.case_id)
            .outerjoin(mine_lu, (mine_lu.listing_id == Listing.id) & (mine_lu.unit_id == unit)))


@functools.cache
def _statements():
    """The check's queries, built once with bound parameters (building them took most of a check's time)."""
    cv, ce, mine_lu = CatalogVersion, CatalogEntry, aliased(ListingUnit)
    unit = bindparam("unit_id")
    listings = (
        _with_listing_details(select(*_listing_columns(cv, ce, mine_lu)).select_from(Listing), cv, ce, mine_lu, unit)
        .where(Listing.subject_id.in_(bindparam("subject_ids", expanding=True)), Listing.status.in_(SHOWN_STATUSES))
        .order_by(Listing.subject_id, Listing.decided_on.desc(), Listing.id)
    )
    measures = (select(CaseMeasure.case_id, CaseMeasure.measure_code, CaseMeasure.text)
                .where(CaseMeasure.case_id.in_(bindparam("case_ids", expanding=True)), CaseMeasure.unit_id == unit)
                .order_by(CaseMeasure.id))
    # One subject by its code with its listings and the asking unit's measures of each, in one statement: a row
    # per (listing, measure), or one row of the subject alone (a single check is one round trip, not three).
    one = (
        _with_listing_details(
            select(Subject.id.label("subject_id_"), Subject.kind.label("subject_kind"), Subject.name.label("subject_name"),
                   Subject.status.label("subject_status"), Subject.status_on.label("subject_status_on"),
                   Subject.successor_id.label("subject_successor_id"), *_listing_columns(cv, ce, mine_lu),
                   CaseMeasure.measure_code, CaseMeasure.text.label("measure_text"))
            .select_from(Subject)
            .outerjoin(Listing, (Listing.subject_id == Subject.id) & Listing.status.in_(SHOWN_STATUSES)),
            cv, ce, mine_lu, unit)
        .outerjoin(CaseMeasure, (CaseMeasure.case_id == Listing.case_id) & (CaseMeasure.unit_id == unit))
        .where(Subject.code_digest == bindparam("digest"))
        .order_by(Listing.decided_on.desc(), Listing.id, CaseMeasure.id)
    )
    # (the table's INSERT with parameters: an ORM insert built with .values() was rebuilt and re-checked per call)
    log = insert(CreditCheck.__table__).returning(CreditCheck.__table__.c.id)
    return listings, measures, one, log


def _finding(r, measures: list[tuple[str, str]], unit_id: int) -> Finding:
    basis = r.legal_basis or r.entry_basis or ""
    content = r.measure_content or ""
    if r.lifted_for_me:
        mine = []
    elif r.case_id:
        mine = [Measure(code, text, content, basis) for code, text in measures]
    else:  # a department list: the catalog entry's measures of this unit
        mine = [Measure(m["code"], m["text"], content, basis) for m in (r.measures or []) if m.get("unit_id") == unit_id]
    return Finding(
        listing_id=r.id, kind=r.kind, status=r.status, behaviour=r.behaviour or "", entry_code=r.entry_code or "",
        grounds=r.grounds or r.entry_grounds or "", legal_basis=basis, entry_basis=r.entry_basis or "",
        deciding_unit=r.deciding_unit, decided_on=r.decided_on,
        # a department's list names its own document, not the record that holds it
        case_number=r.decision_no if r.source == "department" else (r.case_number or r.decision_no),
        period_start=r.period_start, period_end=r.period_end, ended_on=r.ended_on, my_measures=mine,
        my_state=r.my_state, source=r.source)


def findings_for(subject_ids: list[int], unit_id: int) -> dict[int, list[Finding]]:
    """Findings per subject for one asking unit, in two queries whatever the number of subjects (columns, not
    entities: the check is answered inside other units' approval workflows and must stay quick)."""
    if not subject_ids:
        return {}
    conn = db.session.connection()
    today = clock.today_local()
    rows = [r for r in conn.execute(_statements()[0], {"subject_ids": list(subject_ids), "unit_id": unit_id})
            if _told_of(r.status, r.period_start, r.period_days, today)]
    case_ids = sorted({r.case_id for r in rows if r.case_id})
    measures: dict[int, list[tuple[str, str]]] = {}
    if case_ids:
        for case_id, code, text in conn.execute(_statements()[1], {"case_ids": case_ids, "unit_id": unit_id}):
            measures.setdefault(case_id, []).append((code, text))
    out: dict[int, list[Finding]] = {}
    for r in rows:
        out.setdefault(r.subject_id, []).append(_finding(r, measures.get(r.case_id, []) if r.case_id else [], unit_id))
    return {subject_id: _withhold_incentives(found) for subject_id, found in out.items()}


def _subject_and_findings(code: str, unit_id: int):
    """(the subject's row or None, its findings for the asking unit), by one statement."""
    rows = db.session.connection().execute(_statements()[2], {"digest": digest(code), "unit_id": unit_id}).all()
    if not rows:
        return None, []
    today = clock.today_local()
    measures: dict[int, list[tuple[str, str]]] = {}
    firsts = {}
    for r in rows:
        if r.id is None or not _told_of(r.status, r.period_start, r.period_days, today):
            continue  # the subject has no listing shown (or not this one any more)
        firsts.setdefault(r.id, r)
        if r.measure_code is not None:
            measures.setdefault(r.id, []).append((r.measure_code, r.measure_text))
    return rows[0], _withhold_incentives([_finding(r, measures.get(listing_id, []), unit_id) for listing_id, r in firsts.items()])


@functools.cache
def _log_along(also):
    """The check's log row INSERT carrying another INSERT as a data-modifying WITH (PostgreSQL): both written by
    one statement, one round trip fewer for every check. Built once per `also` (which its caller builds once)."""
    return insert(CreditCheck.__table__).add_cte(also.cte("also_written")).returning(CreditCheck.__table__.c.id)


def check(requester: Requester, code: str, matter_type: str, matter_no: str, batch: str | None = None,
          also=None, also_params: dict | None = None) -> Answer:
    """Answer one check and log it (flush). Raises DomainError naming the field for bad input. `also` is an INSERT
    with bound parameters (`also_params`, named apart from the log row's columns) written in the same transaction,
    in the same statement where the database allows (the API's call log row)."""
    kind, code = normalise(code)
    matter_type, matter_no = _clean_matter(matter_type, matter_no)
    subject, findings = _subject_and_findings(code, requester.unit_id)
    subject_kind, answer = subject.subject_kind if subject else kind, verdict(findings)
    conn = db.session.connection()
    row = dict(
        at=clock.now(), unit_id=requester.unit_id, user_id=requester.user_id, api_client_id=requester.api_client_id,
        subject_code_sealed=code, subject_code_digest=digest(code), subject_kind=subject_kind,
        subject_id=subject.subject_id_ if subject else None, matter_type=matter_type,
        matter_no=matter_no, verdict=answer, listing_ids=[f.listing_id for f in findings], batch=batch,
    )
    # A plain INSERT ... RETURNING (no unit of work): every approval desk's check writes one of these.
    if also is not None and conn.dialect.name == "postgresql":
        check_id = conn.execute(_log_along(also), {**row, **also_params}).scalar_one()
    else:
        if also is not None:
            conn.execute(also, also_params)
        check_id = conn.execute(_statements()[3], row).scalar_one()
    status = _status_shown(subject.subject_id_, subject.subject_status, subject.subject_status_on, subject.subject_successor_id,
                           findings) if subject else ("active", None, None)
    out = Answer(check_id, code, mask_code(subject_kind, code), subject_kind, _name_shown(subject.subject_name if subject else None, findings),
                 matter_type, matter_no, answer, findings, *status)
    out.broken_commitments = commitments.broken_of(row["subject_code_digest"])
    return out


def _name_shown(name: str | None, findings) -> str | None:
    """The subject's recorded name, only where the check finds a listing: otherwise a desk (or an API client) could
    learn the name behind any identity number the system holds, such as a party to a case still undecided."""
    return name if findings else None


def check_many(requester: Requester, items: list[tuple[str, str, str]], batch: str) -> list:
    """A batch file's checks (code, matter type, matter number), answered and logged as check() does each, in a
    few queries per thousand rows (subjects, listings and measures looked up together, the log written by one
    multi-row INSERT). Returns, per item, its Answer or the DomainError that refused it (flush)."""
    cleaned: list = []
    for code, matter_type, matter_no in items:
        try:
            kind, code = normalise(code)
            cleaned.append((kind, code, *_clean_matter(matter_type, matter_no)))
        except DomainError as exc:
            cleaned.append(exc)
    codes = sorted({c[1] for c in cleaned if not isinstance(c, DomainError)})
    subjects, findings = {}, {}
    cols = (Subject.id, Subject.kind, Subject.name, Subject.status, Subject.status_on, Subject.successor_id, Subject.code)
    for i in range(0, len(codes), 1000):
        for row in db.session.execute(select(*cols).where(Subject.code.in_(codes[i:i + 1000]))):
            subjects[row.code] = row
    ids = [s.id for s in subjects.values()]
    for i in range(0, len(ids), 1000):
        findings.update(findings_for(ids[i:i + 1000], requester.unit_id))
    carried = _merged_with_listings_carried([s.id for s in subjects.values() if s.status == "merged" and not findings.get(s.id)])
    successor_ids = list({s.successor_id for s in subjects.values() if s.successor_id and (findings.get(s.id) or s.id in carried)})
    successors: dict[int, Subject] = {}
    for i in range(0, len(successor_ids), 1000):  # (held here: the session's identity map keeps no strong reference)
        successors.update((s.id, s) for s in db.session.scalars(select(Subject).where(Subject.id.in_(successor_ids[i:i + 1000]))))
    now, rows = clock.now(), []
    for c in cleaned:
        if isinstance(c, DomainError):
            continue
        kind, code, matter_type, matter_no = c
        subject = subjects.get(code)
        found = findings.get(subject.id, []) if subject else []
        rows.append(dict(at=now, unit_id=requester.unit_id, user_id=requester.user_id, api_client_id=requester.api_client_id,
                         subject_code_sealed=code, subject_code_digest=digest(code), subject_kind=subject.kind if subject else kind,
                         subject_id=subject.id if subject else None, matter_type=matter_type, matter_no=matter_no,
                         verdict=verdict(found), listing_ids=[f.listing_id for f in found], batch=batch))
    check_ids = db.session.scalars(insert(CreditCheck).returning(CreditCheck.id, sort_by_parameter_order=True), rows).all() \
        if rows else []
    broken = commitments.broken_of_many(r["subject_code_digest"] for r in rows)
    out, n = [], 0
    for c in cleaned:
        if isinstance(c, DomainError):
            out.append(c)
            continue
        row, subject = rows[n], subjects.get(c[1])
        out.append(Answer(check_ids[n], row["subject_code_sealed"], mask_code(row["subject_kind"], row["subject_code_sealed"]), row["subject_kind"],
                          _name_shown(subject.name if subject else None, findings.get(subject.id) if subject else None), row["matter_type"], row["matter_no"], row["verdict"],
                          findings.get(subject.id, []) if subject else [], *_status(subject, findings.get(subject.id) if subject else None,
                                                                                     carried, successors)))
        out[-1].broken_commitments = broken.get(row["subject_code_digest"], [])
        n += 1
    return out


def _status(subject, findings, carried: set[int] | None = None, successors: dict | None = None) -> tuple[str, date | None, str | None]:
    if subject is None:
        return "active", None, None
    return _status_shown(subject.id, subject.status, subject.status_on, subject.successor_id, findings, carried, successors)


def _merged_with_listings_carried(subject_ids: list[int]) -> set[int]:
    """Of these merged subjects, those whose listings passed to the body they merged into and are still in effect or
    suspended (one query per thousand)."""
    out: set[int] = set()
    for i in range(0, len(subject_ids), 1000):
        out.update(db.session.scalars(select(Listing.carried_from_id).distinct().where(
            Listing.carried_from_id.in_(subject_ids[i:i + 1000]), Listing.status.in_(("in_effect", "suspended")))))
    return out


def _status_shown(subject_id: int, status: str, status_on: date | None, successor_id: int | None,
                  findings, carried: set[int] | None = None, successors: dict | None = None) -> tuple[str, date | None, str | None]:
    """The subject's deregistration or merger, told where the check finds a listing of it, or where its listings
    passed to the body it merged into (the desk is to check that one): not otherwise, as a check that finds nothing
    names no one; an unrelated desk would learn that a number belongs to a party to some case, and when it ended.
    `carried`: the merged subjects with listings carried over, when already looked up for a batch."""
    if status == "active":
        return "active", None, None
    if findings or (status == "merged" and subject_id in (
            carried if carried is not None else _merged_with_listings_carried([subject_id]))):
        return _status_of(status, status_on, successor_id, successors)
    return "active", None, None


def _status_of(status: str, status_on: date | None, successor_id: int | None,
               successors: dict | None = None) -> tuple[str, date | None, str | None]:
    if status == "active":
        return "active", None, None
    successor = (successors or {}).get(successor_id) or (db.session.get(Subject, successor_id) if successor_id else None)
    return status, status_on, f"{successor.name}（{successor.code}）" if successor else None


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
        raise Conflict(_l("Your unit already recorded what it did for this check."), "action")
    listing = db.session.get(Listing, listing_id)
    # As the listing stood when the desk checked (a punishment then in effect may have been suspended or repaired since
    # the desk refused), or as it stands now.
    then = "in_effect" if (listing.kind == "punishment" and row.verdict == "punished") or (
        listing.kind == "reward" and row.verdict == "rewarded") else listing.status
    if action != "approved" and not _had_measure(listing, requester.unit_id, row.at):
        raise DomainError(_l("Your unit applies no measure of this listing: it may record only that it approved the matter."),
                          "action")
    # (as the subject stood when the desk checked: a green channel granted then is recorded after a punishment began)
    if listing.kind == "reward" and action == "green_channel" and row.verdict in ("punished", "suspended"):
        raise DomainError(_l("The subject is under joint punishment: the incentives of its red-list entry are withheld "
                             "meanwhile (they are for the honest: 资府办发〔2017〕7号 五(一))."), "action")
    if action not in set(allowed_actions(listing.kind, listing.status)) | set(allowed_actions(listing.kind, then)):
        raise DomainError(_l("The listing is %(status)s: your unit may not record “%(action)s” on its ground.",
                             # (the labels left lazy: the API says this in Chinese and English)
                             status=LISTING_STATUS_LABELS.get(listing.status, listing.status),
                             action=CHECK_ACTION_LABELS.get(action, action)),
                          "action")
    app_row = CheckApplication(check_id=check_id, listing_id=listing_id, unit_id=requester.unit_id, action=action, note=note,
                               user_id=requester.user_id, api_client_id=requester.api_client_id)
    db.session.add(app_row)
    db.session.flush()
    if listing.case_id:
        actor = db.session.get(User, requester.user_id) if requester.user_id else None
        events.record(listing.case_id, EventType.CREDIT_CHECK_APPLIED, actor,
                      {"unit_id": requester.unit_id, "listing_id": listing_id, "matter_type": row.matter_type,
                       "matter_no": row.matter_no, "action": action, "note": note, "check_id": check_id,
                       "via": "api" if requester.api_client_id else "web"})
    return app_row



def _had_measure(listing: Listing, unit_id: int, at) -> bool:
    """Whether the unit had a measure of its own on the listing when it checked (whatever became of the listing since:
    a refusal made while it was in effect is recorded after its period ended): a measure of the decision, not lifted for
    the unit by a decision on an objection or complaint before then; for a department's list, the entry's measures."""
    if listing.case_id is None:
        version = db.session.get(CatalogVersion, listing.catalog_version_id) if listing.catalog_version_id else None
        return any(m.get("unit_id") == unit_id for m in ((version.measures if version else None) or []))
    return bool(db.session.scalar(select(
        exists().where(CaseMeasure.case_id == listing.case_id, CaseMeasure.unit_id == unit_id)
        & ~lifted_by_decision(listing.id, unit_id, at))))


def answer_of(requester: Requester, check_id: int) -> Answer:
    """A logged check of the requester's unit, with its listings as they stand now."""
    row = db.session.get(CreditCheck, check_id)
    if row is None or row.unit_id != requester.unit_id:
        raise NotFound(_l("No such check of your unit."))
    subject = db.session.get(Subject, row.subject_id) if row.subject_id else None
    findings = findings_for([row.subject_id], requester.unit_id).get(row.subject_id, []) if row.subject_id else []
    findings = [f for f in findings if f.listing_id in (row.listing_ids or [])]
    out = Answer(row.id, row.subject_code, mask_code(row.subject_kind, row.subject_code), row.subject_kind,
                 _name_shown(subject.name if subject else None, findings), row.matter_type, row.matter_no, row.verdict,
                 findings, *_status(subject, findings))
    out.broken_commitments = commitments.broken_of(row.subject_code_digest)
    return out
