"""Objections and complaints (seed 001 二(三)2): filed by a subject against the determination that listed it,
answered by the unit that made it (谁决定、谁负责), optionally complained of to the joint-meeting office. What
happens to the subject's own listing while and after they are handled (suspended, resumed from the day of
rejection, revoked, measures changed) is drawn in bpmn/objection.bpmn as messages to that listing; other
subjects of the same case are not touched."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, or_, select

from app import clock
from app.auth.models import APPLICANT, CASEWORKER, GROUP_LEAD, OFFICE
from app.auth.permissions import require_role
from app.auth.services import current_unit_id
from app.cases import attachments, events, runtime
from app.cases.models import REL_LEAD, REL_NOTIFIED, REL_OFFICE, Case, CaseEvent, CaseSubject
from app.cases.services import add_case_unit, office_unit
from app.cases.tasks import required as _required
from app.dates import ShownDate
from app.engine.models import ProcessInstance
from app.enums import CaseKind, CaseStatus, EventType
from app.errors import DomainError, PermissionDenied
from app.experts import convocation
from app.experts import services as experts
from app.extensions import db, lock_row
from app.i18n import lazy_gettext as _l
from app.listings import services as listing_services
from app.listings.models import Listing
from app.listings.services import listing_of, listings_of_case
from app.workdays.rules import current as current_rules
from app.workdays.services import WorkCalendar, add_working_days, deadline_from

PROCESS_ID = "objection"
FINDINGS = ("upheld", "partly", "rejected")


class OpenObjection(DomainError):
    """A second objection while one is open; carries the open one so the page can link to it."""

    def __init__(self, open_case: Case):
        super().__init__(_l("An objection to this case is already being handled: %(number)s.", number=open_case.number))
        self.open_case = open_case


def subject_cases_clause(actor):
    """Cases an applicant may follow: cases about their subject once it was told of them (the prior notice)
    or they were decided, and their own requests."""
    return exists().where(
        CaseSubject.case_id == Case.id,
        CaseSubject.subject_id == actor.subject_id,
    ) & or_(Case.decided_at.is_not(None), Case.noticed_at.is_not(None), Case.kind.in_((CaseKind.OBJECTION, CaseKind.REPAIR, CaseKind.CORRECTION)))


def applicant_case(actor, case_id: int) -> Case:
    require_role(actor, APPLICANT)
    case = db.session.get(Case, case_id)
    if case is None or actor.subject_id is None:
        raise PermissionDenied(_l("You may not see this case."))
    visible = db.session.scalar(select(Case.id).where(Case.id == case_id, subject_cases_clause(actor)))
    if not visible:
        raise PermissionDenied(_l("You may not see this case."))
    return case


def open_objection(case_id: int, subject_id: int | None = None) -> Case | None:
    """The open objection to a case (of one subject, where given: each subject objects for itself)."""
    stmt = select(Case).where(Case.parent_case_id == case_id, Case.kind == CaseKind.OBJECTION, Case.closed_at.is_(None))
    if subject_id is not None:
        stmt = stmt.join(CaseSubject, CaseSubject.case_id == Case.id).where(CaseSubject.subject_id == subject_id)
    return db.session.scalar(stmt.limit(1))


class ObjectionHandled(DomainError):
    """A second objection to a determination whose objection was already answered: the procedure goes on through
    that objection (its complaint to the office), not a new one that would suspend the punishment again."""

    def __init__(self, earlier: Case, staff: bool = False):
        if staff:  # (told to the staff member registering a letter, not to the subject)
            super().__init__(_l("This subject's objection to the determination was already handled (%(number)s): a "
                                "determination takes one objection, so the letter is not registered as a new one.",
                                number=earlier.number))
            self.open_case = earlier
            return
        super().__init__(_l("Your objection to this determination was already handled (%(number)s); a determination takes "
                            "one objection, and after its reply only a complaint to the joint-meeting office within the "
                            "complaint period. The punishment continues from the day the objection or complaint was "
                            "rejected. Other legal remedies (administrative reconsideration, litigation) remain open to you.",
                            number=earlier.number))
        self.open_case = earlier


def handled_objection(case_id: int, subject_id: int) -> Case | None:
    """The subject's objection to this case that has been closed (answered, and complained of or not), if any
    (seed 001 二(三)2: after a rejection the punishment's period continues; it is not suspended again)."""
    return db.session.scalar(
        select(Case).join(CaseSubject, CaseSubject.case_id == Case.id)
        .where(Case.parent_case_id == case_id, Case.kind == CaseKind.OBJECTION, Case.closed_at.is_not(None),
               CaseSubject.subject_id == subject_id)
        .order_by(Case.id.desc()).limit(1))


def listing_of_objection(case: Case) -> Listing | None:
    return db.session.get(Listing, case.listing_id) if case.listing_id else None


def objection_last_day(case: Case, listing: Listing, unserved_from_decision: bool = False):
    """The last day the subject may object: the window (rule objection_window, calendar days unless an office set
    working days) counts from the service of the decision; None while the service is not recorded, unless
    `unserved_from_decision` (a listing whose period ran out: counted from the decision, the earliest it could have
    been served, so that an ended listing is not open to objection for ever)."""
    start = listing.served_on if listing is not None else None
    if start is None and unserved_from_decision and listing is not None:
        start = listing.decided_on
    if start is None:
        return None
    rule = runtime.deadline_rule_of(case, "objection_window")
    if not rule:
        return None
    # The day of service is not counted (期间开始的日不计算在内): 60 days from 1 March end on 30 April. A last day that
    # is a day off moves to the next working day (期间届满的最后一日是法定休假日的，以休假日结束的次日为期间届满的日期).
    # An office that set the window in working days has it counted so.
    if rule.get("day_kind") == "working":
        return add_working_days(start, int(rule["days"]))[0]
    last = start + timedelta(days=int(rule["days"]))
    calendar = WorkCalendar(last, last + timedelta(days=31))
    for _ in range(31):
        if calendar.is_workday(last):
            break
        last += timedelta(days=1)
    return last


def determining(case: Case, listing: Listing | None = None) -> tuple[int, str]:
    """The unit that made the determination, and its role (a group lead, or the office for a special meeting; for a
    department's own list, the department's staff: 谁处罚、谁负责)."""
    if case.kind == CaseKind.DEPARTMENT_LIST:
        return (listing.deciding_unit_id if listing is not None else case.initiating_unit_id), CASEWORKER
    unit_id = (case.determination or {}).get("deciding_unit_id")
    if case.route == "office" or case.group is None:
        return unit_id or office_unit().id, OFFICE
    return unit_id or case.group.lead_unit_id, GROUP_LEAD


def file_objection(actor, case_id: int, grounds: str, files: list) -> Case:
    """The subject's written objection, filed on the portal."""
    case = applicant_case(actor, case_id)
    return _file(actor, case, actor.subject_id, grounds, files, received=None)


def may_register_on_paper(actor, case: Case, listing: Listing | None = None) -> bool:
    """The unit that made the determination (seed 001 二(三)2: 向做出惩戒认定的部门提出书面异议), or the unit that took
    over its work after a merger, or the office."""
    return _may_register_for(actor, determining(case, listing)[0])


def _may_register_for(actor, unit_id: int) -> bool:
    return actor.role in (GROUP_LEAD, OFFICE, CASEWORKER) and actor.unit_id is not None and (
        actor.unit_id in (unit_id, current_unit_id(unit_id)) or actor.role == OFFICE)


def open_to_objection(listing: Listing, case: Case | None = None) -> bool:
    """In force, suspended, or its period run out (the determination stays on the record) within the time to object
    (given the case): not revoked or repaired."""
    if listing.active:
        return True
    if listing.status != "expired":
        return False
    last = objection_last_day(case, listing, unserved_from_decision=True) if case is not None else None
    return last is None or clock.today_local() <= last


def paper_candidates(actor, case: Case, among: list | None = None) -> list | None:
    """The subjects an objection received on paper may be registered for (listing in force, no objection open or
    handled), or None where the reader may not register one."""
    if not objectionable(case):
        return None
    if case.kind == CaseKind.DEPARTMENT_LIST:
        # (a list the office imported for a department is the department's to answer for: each listing's own body)
        deciders = set(db.session.scalars(select(Listing.deciding_unit_id).where(Listing.case_id == case.id).distinct()))
        if not any(_may_register_for(actor, unit_id) for unit_id in deciders):
            return None
    elif not may_register_on_paper(actor, case):
        return None
    # (two queries for the section, not three per subject: the listings in force, the subjects that objected already)
    objected = set(db.session.scalars(select(CaseSubject.subject_id).join(Case, Case.id == CaseSubject.case_id)
                                      .where(Case.parent_case_id == case.id, Case.kind == CaseKind.OBJECTION)))
    if among is None and case.kind == CaseKind.DEPARTMENT_LIST:
        among = listings_of_case(case.id)
    if among is not None:  # (a department's list of thousands: the listings on the page the reader is looking at)
        return [lst.subject for lst in among if open_to_objection(lst, case) and lst.kind == CaseKind.PUNISHMENT
                and lst.subject_id not in objected and _may_register_for(actor, determining(case, lst)[0])]
    active = {lst.subject_id for lst in listings_of_case(case.id) if open_to_objection(lst, case)}
    return [cs.subject for cs in case.subjects if cs.subject_id in active - objected]


def objectionable(case: Case) -> bool:
    """A decision to punish, or a department's own black list whose measures Xinlian pushes to the units: the subject
    objects to the body that determined it, and the measures are suspended while it is handled (seed 001 二(三)2)."""
    return (case.kind == CaseKind.PUNISHMENT and case.decision == "act") or case.kind == CaseKind.DEPARTMENT_LIST


def file_on_paper(actor, case_id: int, subject_id: int, grounds: str, received_on, files: list) -> Case:
    """A written objection received on paper (by post or at the desk), registered by the unit that made the
    determination with its scan: the subject need not have a portal account. Its later answers (accepting the reply
    or complaining to the office) come on paper too, and the office records them."""
    case = db.session.get(Case, case_id)
    if case is None or not may_register_on_paper(actor, case, listing_of(case_id, subject_id)):
        raise PermissionDenied(_l("Only the unit that made the determination, or the office, registers an objection received on paper."))
    if not db.session.scalar(select(CaseSubject.id).where(CaseSubject.case_id == case.id, CaseSubject.subject_id == subject_id)):
        raise DomainError(_l("Choose a subject of this case."), "subject_id")
    listing = listing_of(case_id, subject_id)
    # (not before the decision: the case's, or for a department's list the listing's own determination)
    decided = max([d for d in (case.decided_at and clock.local_date(case.decided_at),
                               listing.decided_on if listing is not None else None) if d], default=None)
    if received_on is None or received_on > clock.today_local() or (decided and received_on < decided):
        raise DomainError(_l("Enter the day the objection was received (not before the decision, not in the future)."), "received_on")
    if not files:
        raise DomainError(_l("Attach the scan of the written objection."), "files")
    return _file(actor, case, subject_id, grounds, files, received=received_on)


def _file(actor, case: Case, subject_id: int, grounds: str, files: list, received) -> Case:
    listing = listing_of(case.id, subject_id)
    if not objectionable(case) or (listing is not None and listing.kind != CaseKind.PUNISHMENT):
        raise DomainError(_l("An objection can be filed against a decision to take joint punishment."))
    if listing is not None:  # (held, its status read afresh: a repair approved at the same moment ends it first, or waits)
        listing = listing_services.locked(listing.id)
    if listing is None:  # (the meeting took no action on this subject: its copy of the decision says so)
        raise DomainError(_l("The decision takes no joint punishment on this subject: there is nothing to object to."))
    if not (listing.active or listing.status == "expired"):
        # (a period that ran out still leaves the determination on the subject's record: the objection period the
        # decision states runs on, and a founded objection revokes it; one revoked or repaired has nothing left)
        raise DomainError(_l("This punishment has ended; there is nothing left to object to."))
    last_day = objection_last_day(case, listing, unserved_from_decision=listing.status == "expired")
    if last_day is not None and (received or clock.today_local()) > last_day:
        raise DomainError(_l("The objection period ended on %(d)s (it counts from the day the decision was served on you).",
                             d=ShownDate(last_day)))
    lock_row(Case, case.id)  # (two objections sent at once: the second waits here, then finds the first open)
    existing = open_objection(case.id, subject_id)
    if existing is not None:
        raise OpenObjection(existing)
    handled = handled_objection(case.id, subject_id)
    if handled is not None:
        raise ObjectionHandled(handled, staff=received is not None)
    if not (grounds or "").strip():
        raise DomainError(_l("Write the grounds of your objection."), "grounds")
    # (a letter received on paper is recorded by its scan; the subject's own uploads may be any evidence file)
    attachments.validate_uploads(files, "files", attachments.SCAN_KINDS if received is not None else None)
    unit_id, role = determining(case, listing)
    office = office_unit()
    now = clock.now()
    rules = current_rules()
    obj = Case(
        number=f"TMP-{now.timestamp()}-{actor.id}", kind=CaseKind.OBJECTION, process_id=PROCESS_ID,
        status=CaseStatus.OBJECTION_REPLY, route=case.route, group_id=case.group_id,
        initiating_unit_id=case.initiating_unit_id, created_by_id=actor.id,
        title=str(_l("Objection to %(number)s", number=case.number)), facts=grounds.strip(), legal_basis="",
        parent_case_id=case.id, listing_id=listing.id, created_at=now, rules=rules,
    )
    db.session.add(obj)
    db.session.flush()
    obj.number = f"YY-{clock.local_date(now).year}-{obj.id:06d}"
    db.session.add(CaseSubject(case_id=obj.id, subject_id=subject_id))
    add_case_unit(obj.id, unit_id, REL_LEAD)
    add_case_unit(obj.id, office.id, REL_OFFICE)
    add_case_unit(obj.id, case.initiating_unit_id, "initiator")
    details = {"parent_case_id": case.id, "grounds": grounds.strip()}
    if received is not None:
        details.update(channel="paper", received_on=received.isoformat())
    events.record(obj.id, EventType.OBJECTION_FILED, actor, details)
    attachments.store(obj.id, actor, files, "evidence")
    reply_rule = runtime.deadline_rule_of(obj, "objection_reply")
    # The reply is due counted from the day the objection arrived (on paper: the day received).
    start = now if received is None else datetime.combine(received, time(9), tzinfo=clock.LOCAL_TZ)
    reply_due = deadline_from(start, reply_rule["days"], calendar_days=reply_rule.get("day_kind") == "calendar").due_at
    on_paper = received is not None
    # The process suspends this subject's listing as it starts (bpmn/objection.bpmn). The subject's own later steps go
    # to its portal account, or, for an objection on paper, to the office, which records the answer received on paper.
    runtime.start(obj, PROCESS_ID, {
        "case_id": obj.id, "parent_case_id": case.id, "listing_id": listing.id, "determining_unit_id": unit_id,
        "determining_role": role, "office_unit_id": office.id, "applicant_user_id": None if on_paper else actor.id,
        "applicant_desk_unit_id": office.id if on_paper else None, "applicant_role": OFFICE if on_paper else APPLICANT,
        "reply_due": reply_due.isoformat(), "received_at": start.isoformat(), "lift_units": [],
    }, actor)
    return obj


# -- task handlers ----------------------------------------------------------------------------------
def _parent(ctx) -> Case:
    return db.session.get(Case, ctx.case.parent_case_id)


def _finding(ctx, missing_outcome) -> tuple[str, str, list[int]]:
    """The finding, its reasons (required) and, when partly founded, the units whose measures are lifted;
    the documents are stored."""
    outcome = ctx.values.get("outcome")
    if outcome not in FINDINGS:
        raise DomainError(missing_outcome, "outcome")
    reasons = _required(ctx.values, "reasons", _l("Give the reasons."))
    lift = []
    if outcome == "partly":
        listing = listing_of_objection(ctx.case)
        applying = listing_services.units_applying(listing)
        lift = sorted({int(u) for u in ctx.values.get("lift_units") or []} & applying)
        if not lift:
            raise DomainError(_l("Choose the units whose measures are lifted."), "lift_units")
        if set(lift) == applying:  # (a listing left with no measure would still be published and reported as in force)
            raise DomainError(_l("Lifting the measures of every unit is finding it founded in full: choose that it is "
                                 "founded (the determination is revoked), or keep some units' measures."), "lift_units")
    attachments.validate_uploads(ctx.files, "files")
    attachments.store(ctx.case.id, ctx.actor, ctx.files, "decision")
    return outcome, reasons, lift


def _received_on_paper(case: Case) -> date | None:
    """The day an objection received on paper arrived; None for one filed on the portal."""
    details = db.session.scalar(select(CaseEvent.details).where(CaseEvent.case_id == case.id,
                                                                CaseEvent.type == EventType.OBJECTION_FILED).limit(1)) or {}
    return date.fromisoformat(details["received_on"]) if details.get("channel") == "paper" else None


def _reply_served(ctx) -> tuple[datetime, dict]:
    """When the written reply reached the subject, from which the complaint period counts (自收到答复之日起): a reply
    on the portal, now; a reply to an objection received on paper is served on paper (posted or handed over), and the
    unit records it once served, with the day of service: not before the objection arrived, not in the future."""
    received = _received_on_paper(ctx.case)
    if received is None:
        return clock.now(), {"served": "portal"}
    served = ctx.values.get("served_on")
    if not isinstance(served, date) or not received <= served <= clock.today_local():
        raise DomainError(_l("Enter the day the written reply was served on the subject: from %(first)s to today.",
                             first=ShownDate(received)), "served_on")
    return datetime.combine(served, time(9), tzinfo=clock.LOCAL_TZ), {"served": "paper", "served_on": served.isoformat()}


def reply(ctx) -> dict:
    outcome, reasons, lift = _finding(ctx, _l("Choose the finding."))
    served_at, service = _reply_served(ctx)
    events.record(ctx.case.id, EventType.OBJECTION_REPLIED, ctx.actor,
                  {"outcome": outcome, "reasons": reasons, "lift_units": lift, **service}, bpmn_id=ctx.task.bpmn_id)
    data = {"reply_outcome": outcome, "lift_units": lift, "reply_served_at": served_at.isoformat()}
    if outcome in ("rejected", "partly"):  # either may be complained of to the office (seed 001 二(三)2)
        paper = service["served"] == "paper"
        data["complain_by"] = _complaint_dates(ctx.case, served_at, paper)[1].isoformat()
        # (the answer step's own due date is the same day: bpmn/objection.bpmn deadline_extra_days)
        data["answer_entry_days"] = PAPER_ENTRY_WORKING_DAYS if paper else 0
    return data


# A complaint on paper reaches the office by post or by hand: a letter received on the period's last day is entered in
# the days after it, so the step that records the subject's answer stays open (and is due) this many days of the
# period's own kind past it (a letter that arrived later is refused by its day of arrival: _complaint_received).
# Through the portal the subject complains itself, and the step closes with the period.
PAPER_ENTRY_WORKING_DAYS = 3


def _complaint_dates(case: Case, served_at: datetime, paper: bool) -> tuple[datetime, datetime]:
    """(the complaint period's end, the end of the answer step: the timer "投诉期限届满"). Counted from the reply's
    service, as the answer task's own deadline is (deadline_start reply_served_at), by the rule copied onto the case."""
    window = runtime.case_deadline(case, "complaint_window", served_at).due_at
    return window, (runtime.case_deadline(case, "complaint_window", served_at, PAPER_ENTRY_WORKING_DAYS).due_at
                    if paper else window)


def complaint_entry_dates(case: Case) -> tuple[date, date] | None:
    """For an objection answered on paper: (the complaint period's last day, the last day a letter received within it
    can be recorded); None before the reply or for one answered on the portal."""
    replied = db.session.scalar(select(CaseEvent.details).where(CaseEvent.case_id == case.id,
                                                                CaseEvent.type == EventType.OBJECTION_REPLIED)
                                .order_by(CaseEvent.seq.desc()).limit(1)) or {}
    if replied.get("served") != "paper" or not replied.get("served_on"):
        return None
    served_at = datetime.combine(date.fromisoformat(replied["served_on"]), time(9), tzinfo=clock.LOCAL_TZ)
    window, entry = _complaint_dates(case, served_at, True)
    # (the step as it stands closes when its process's timer fires: one replied to before the step stayed open past
    # the period closes with it)
    timer = db.session.scalar(select(ProcessInstance.next_due_at).where(ProcessInstance.case_id == case.id,
                                                                        ProcessInstance.status == "running")
                              .order_by(ProcessInstance.id).limit(1))
    if timer is not None and clock.as_utc(timer) < entry:
        entry = clock.as_utc(timer)
    return clock.local_date(window), clock.local_date(entry)


def applicant_next(ctx) -> dict:
    step = ctx.values.get("next_step")
    if step not in ("accept", "complain"):
        raise DomainError(_l("Choose whether you accept the reply or complain."), "next_step")
    grounds = (ctx.values.get("grounds") or "").strip()
    if step == "complain" and not grounds:
        raise DomainError(_l("Write the grounds of your complaint."), "grounds")
    listing = listing_of_objection(ctx.case)
    if step == "complain" and listing is not None:  # (held: as for an objection, above)
        listing = listing_services.locked(listing.id)
    if step == "complain" and (listing is None or not open_to_objection(listing)):  # (expired: the record still stands)
        raise DomainError(_l("The punishment has already ended; there is nothing left to complain about."), "next_step")
    on_paper = ctx.actor.role != APPLICANT  # (the office records what the subject of an objection on paper answered)
    if on_paper and not ctx.files:
        raise DomainError(_l("Attach the scan of the subject's written answer (its complaint or its acceptance)."), "files")
    received = _complaint_received(ctx) if on_paper and step == "complain" else None
    attachments.validate_uploads(ctx.files, "files", attachments.SCAN_KINDS if on_paper else None)
    attachments.store(ctx.case.id, ctx.actor, ctx.files, "evidence")
    channel = {"channel": "paper"} if on_paper else {}
    if step == "accept":
        events.record(ctx.case.id, EventType.OBJECTION_REPLY_ACCEPTED, ctx.actor, channel, bpmn_id=ctx.task.bpmn_id)
    else:
        if received is not None:
            channel["received_on"] = received.isoformat()
        events.record(ctx.case.id, EventType.COMPLAINT_FILED, ctx.actor, {"grounds": grounds, **channel}, bpmn_id=ctx.task.bpmn_id)
    # A complaint received on paper suspends the punishment, and the office's time to take it up runs, from the day it
    # arrived (bpmn/objection.bpmn: the suspension's "since", the hearing task's deadline start); one sent through the
    # portal, from now.
    at = datetime.combine(received, time(9), tzinfo=clock.LOCAL_TZ) if received is not None else None
    return {"next_step": step, "complaint_received_at": at.isoformat() if at else None}


def _complaint_received(ctx):
    """The day a complaint on paper arrived: not before the reply it answers was served, not after the complaint period
    (a letter that came late is not a complaint in time), not in the future."""
    received = ctx.values.get("received_on")
    # (from the reply's service: a reply served on paper is recorded once served, perhaps a day or two later)
    replied = db.session.scalar(select(CaseEvent.details).where(CaseEvent.case_id == ctx.case.id,
                                                                CaseEvent.type == EventType.OBJECTION_REPLIED)
                                .order_by(CaseEvent.seq.desc()).limit(1)) or {}
    opened = date.fromisoformat(replied["served_on"]) if replied.get("served_on") else clock.local_date(ctx.task.created_at)
    dates = complaint_entry_dates(ctx.case)  # (the period's last day; the step itself stays open a few days longer)
    due = clock.as_utc(ctx.task.due_at)
    period_last = dates[0] if dates else (clock.local_date(due) if due else None)
    last = min(clock.today_local(), period_last) if period_last else clock.today_local()
    if received is None or not opened <= received <= last:
        raise DomainError(_l("Enter the day the written complaint was received: from %(first)s to %(last)s (the complaint "
                             "period after the reply).", first=ShownDate(opened), last=ShownDate(last)), "received_on")
    return received


def schedule_hearing(ctx) -> dict:
    """The office takes the complaint and convenes the units concerned (seed 001 二(三)2 应当召集相关部门), with a
    hearing date and experts drawn where it needs them (必要时可邀请相关专家). Convened units read the complaint's
    file; given a hearing date, each confirms its attendance as for a determination meeting."""
    v = ctx.values
    units = list(dict.fromkeys(int(u) for u in v.get("attending_unit_ids") or []))
    deciding_unit, _role = determining(_parent(ctx), listing_of_objection(ctx.case))
    # (a unit merged or abolished since: the unit that took over its work answers for it)
    heard = {deciding_unit, current_unit_id(deciding_unit)}
    if not units or (not heard & set(units) and deciding_unit != office_unit().id):
        # (seed 001 二(三)2 召集相关部门: the unit whose determination is complained of is heard; the office is
        # present anyway when it made the determination itself)
        raise DomainError(_l("Convene the units concerned (at least the unit that made the determination)."),
                          "attending_unit_ids")
    details = {"units": units}
    hearing = v.get("hearing_date")
    if hearing is not None and hearing < clock.today_local():
        raise DomainError(_l("The meeting date cannot be in the past."), "hearing_date")
    if hearing is not None:
        # The complaint is decided at or after the hearing and within its own time (rule complaint_decide, from now):
        # a hearing after that (a mistyped year) would hold the decision, and the suspension, past its deadline.
        rule = runtime.deadline_rule_of(ctx.case, "complaint_decide") or {"days": 20}
        latest = clock.local_date(deadline_from(clock.now(), rule["days"], calendar_days=rule.get("day_kind") == "calendar").due_at)
        if hearing > latest:
            raise DomainError(_l("The hearing must be held while the complaint can still be decided in time: by %(d)s.",
                                 d=ShownDate(latest)), "hearing_date")
        if not WorkCalendar(hearing, hearing).is_workday(hearing):
            raise DomainError(_l("The hearing falls on a day off: choose a working day."), "hearing_date")
        # (the convened units confirm their attendance within their own time: the hearing comes after it)
        confirm_by = clock.local_date(runtime.case_deadline(ctx.case, "attendance_confirm", clock.now()).due_at)
        if hearing <= confirm_by:
            raise DomainError(_l("The convened units confirm their attendance by %(d)s: hold the hearing after that day.",
                                 d=ShownDate(confirm_by)), "hearing_date")
    if v.get("draw_experts"):
        if hearing is None:
            raise DomainError(_l("Enter the hearing date."), "hearing_date")
        parent = _parent(ctx)
        fields = {"legal": int(v.get("legal_count") or 0)}
        for f in experts.case_fields(parent):
            fields[f] = int(v.get("industry_count") or 0)
        fields = {f: n for f, n in fields.items() if n > 0}
        if not fields:
            raise DomainError(_l("Ask for at least one expert."), "legal_count")
        # The draw excludes on the punished case's facts (its units, its subject, the experts who sat on
        # it); it is recorded on the complaint.
        d = experts.draw(ctx.actor, experts.HearingDraw(parent, ctx.case), hearing, {"fields": fields, "reserves": int(v.get("reserves") or 0)},
                         purpose="complaint")
        experts.invite_members(ctx.actor, d, ctx.case)
        details.update(draw_id=d.id)
    if hearing is not None:
        details.update(hearing_date=hearing.isoformat())
        convocation.convene(ctx.actor, ctx.case, hearing, units)  # (each unit confirms whether it attends)
    else:
        for uid in units:
            add_case_unit(ctx.case.id, uid, REL_NOTIFIED)  # the convened units read the complaint's file
    events.record(ctx.case.id, EventType.COMPLAINT_HEARING, ctx.actor, details, bpmn_id=ctx.task.bpmn_id)
    return {}


def complaint_hearing(case_id: int) -> dict:
    """How the office convened the complaint: {units, hearing_date?, draw_id?} (empty before it did)."""
    return db.session.scalar(select(CaseEvent.details).where(CaseEvent.case_id == case_id,
                                                             CaseEvent.type == EventType.COMPLAINT_HEARING)
                             .order_by(CaseEvent.seq.desc()).limit(1)) or {}


def decide_complaint(ctx) -> dict:
    """Seed 001 二(三)2 联席会议办公室应当召集相关部门，必要时可邀请相关专家共同对投诉事项进行研究处理: decided with the
    convened units that took part (at least one) and, where experts were drawn, their quorum, and the minutes of how
    it was studied."""
    hearing = complaint_hearing(ctx.case.id)
    if hearing.get("hearing_date") and clock.today_local() < date.fromisoformat(hearing["hearing_date"]):
        # The convened units and the drawn experts were told that day: the complaint is decided at or after it.
        raise DomainError(_l("The hearing is on %(d)s, the day the convened units and experts were told: decide the "
                             "complaint on or after that day.", d=ShownDate(date.fromisoformat(hearing["hearing_date"]))),
                          "outcome")
    convened = [int(u) for u in hearing.get("units") or []]
    took_part = [u for u in dict.fromkeys(int(u) for u in ctx.values.get("attending_unit_ids") or []) if u in convened]
    if not took_part:
        raise DomainError(_l("Choose the convened units that took part in studying the complaint (at the meeting or by "
                             "written opinion)."), "attending_unit_ids")
    drawn = experts.check_quorum(ctx.case, ctx.values.get("attending_expert_ids") or [], "complaint") if hearing.get("draw_id") else []
    minutes = _required(ctx.values, "minutes", _l("Record how the complaint was studied (the minutes)."))
    outcome, reasons, lift = _finding(ctx, _l("Choose the decision."))
    votes = experts.close_meeting(ctx.actor, ctx.case, "complaint")
    events.record(ctx.case.id, EventType.COMPLAINT_DECIDED, ctx.actor,
                  {"outcome": outcome, "reasons": reasons, "votes": votes, "lift_units": lift, "attending_unit_ids": took_part,
                   "attending_experts": drawn, "minutes": minutes}, bpmn_id=ctx.task.bpmn_id)
    return {"complaint_outcome": outcome, "lift_units": lift}


TASKS = {
    "objection.reply": reply,
    "objection.applicant_next": applicant_next,
    "objection.schedule_hearing": schedule_hearing,
    "objection.decide_complaint": decide_complaint,
}
