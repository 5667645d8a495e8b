"""Notice before listing and the subjects' statements (国办发〔2020〕49号 (八): 「行政机关在作出认定严重失信主体名单的
决定前，应当告知当事人认定的理由、依据和依法享有的权利」).

The determining body issues one notice per subject (task issue_notice in bpmn/joint_punishment.bpmn); each
subject may make a statement with evidence, on the portal or on paper (recorded by staff), or waive it, until
the statement period ends. When every subject has answered, the case's process is told
("case_statements_complete"); otherwise its timer ends the period. The determination answers the statements."""
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import clock
from app.auth.models import CASEWORKER, GROUP_LEAD, OFFICE, User
from app.auth.services import current_unit_id
from app.cases import attachments, events, runtime
from app.cases.models import Case
from app.dates import ShownDate
from app.dueprocess.models import OPEN, STATED, WAIVED, DecisionService, PriorNotice
from app.enums import CaseKind, EventType
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db, lock_row
from app.i18n import lazy_gettext as _l
from app.listings.models import Listing
from app.listings.services import listing_of
from app.rights.accounts import may_issue_codes
from app.rights.models import AccessCode
from app.rights.objections import applicant_case
from app.workdays.services import add_working_days

MESSAGE = "case_statements_complete"
PERIOD_MOVED = "statement_period_moved"
MAX_TEXT = 8000
RIGHTS = _l(
    "You may state your case and defend yourself (陈述申辩) in writing, with evidence, before the date given, on the "
    "portal or on paper to the determining body. The determination meeting will consider what you say and its "
    "decision will record how it was answered. After a decision you may object to it in writing, and complain to "
    "the joint-meeting office if the reply does not satisfy you. Once you have corrected the behaviour, you may apply "
    "for credit repair to the unit that handled it.")


def in_force_subjects(case: Case) -> set[int]:
    """The subjects whose punishment under the case is in force (in effect or suspended): the ones still to be served
    (one the decision left out has no listing; one whose listing ended is past serving)."""
    return set(db.session.scalars(select(Listing.subject_id).where(Listing.case_id == case.id,
                                                                  Listing.status.in_(("in_effect", "suspended")))))


def service_due(case: Case):
    """The last day to serve the decision on its subjects: DECISION_SERVICE_DAYS working days after its issue
    (《行政处罚法》第六十一条 七日内送达; 第八十五条: its 七日 are working days)."""
    if case.decision != "act" or case.kind != "punishment" or case.decided_at is None:
        return None
    return add_working_days(clock.local_date(case.decided_at), current_app.config["DECISION_SERVICE_DAYS"])[0]


def notices_of(case_id: int) -> list[PriorNotice]:
    return list(db.session.scalars(
        select(PriorNotice).options(joinedload(PriorNotice.subject), joinedload(PriorNotice.stated_by))
        .where(PriorNotice.case_id == case_id).order_by(PriorNotice.id)))


def issue(case: Case, actor, unit_id: int, intended: str, grounds: str, legal_basis: str) -> PriorNotice | None:
    """One notice per subject of the case (flush); returns the first. The period runs from now by the case's
    rule statement_period."""
    intended = (intended or "").strip()
    if not intended:
        raise DomainError(_l("Describe the intended decision: the measures and the period."), "intended")
    grounds, legal_basis = (grounds or "").strip(), (legal_basis or "").strip()
    if not grounds:
        raise DomainError(_l("Give the grounds of the intended determination."), "grounds")
    if not legal_basis:
        raise DomainError(_l("Give the legal basis of the intended determination."), "legal_basis")
    for value, name in ((intended, "intended"), (grounds, "grounds"), (legal_basis, "legal_basis")):
        if len(value) > MAX_TEXT:
            raise DomainError(_l("At most %(n)s characters.", n=MAX_TEXT), name)
    now = clock.now()
    dl = runtime.case_deadline(case, "statement_period", now)
    basis = runtime.deadline_basis("statement_period", runtime.deadline_rule_of(case, "statement_period"), now, dl)
    rows = []
    for cs in case.subjects:
        row = PriorNotice(case_id=case.id, subject_id=cs.subject_id, unit_id=unit_id, intended=intended, grounds=grounds,
                          legal_basis=legal_basis, issued_at=now, issued_by_id=actor.id, statement_due_at=dl.due_at,
                          deadline_basis=basis, state=OPEN)
        db.session.add(row)
        rows.append(row)
    case.noticed_at = now
    db.session.flush()
    events.record(case.id, EventType.NOTICE_ISSUED, actor, {
        "summary": "；".join(cs.subject.name for cs in case.subjects), "due_at": dl.due_at.isoformat(),
        "rule": "statement_period", "days": basis["days"], "day_kind": basis["day_kind"], "unit_id": unit_id})
    return rows[0] if rows else None


def statement_period_end(case_id: int) -> str:
    """The case's statement period ends when the last of its notices' does (each counted from its service): the due
    time of the procedure's timer (bpmn/joint_punishment.bpmn, timer_statement_due)."""
    due = db.session.scalar(select(func.max(PriorNotice.statement_due_at)).where(PriorNotice.case_id == case_id))
    return clock.as_utc(due).isoformat() if due else clock.now().isoformat()


SCRIPT_FUNCTIONS = {"statement_period_end": statement_period_end}


MOVED, RUNNING, OVER = "moved", "running", "over"


def record_notice_service(actor, case_id: int, notice_id: int, way: str, served_on, proof: list) -> str:
    """Record how and when a notice reached its subject (flush). Its statement period then runs from that day (the
    procedure's timer moves with it). A subject that stayed silent because the notice reached it late (the post took
    longer than the period counted from the issue) gets its period from service as long as the case is undecided: the
    meeting may then decide only after it (heard_from). Returns MOVED (the period now ends later), RUNNING (it still
    runs and ends when it did: served the day it was issued, or counted to the same working day) or OVER (answered,
    the case decided, or over even counted from service)."""
    notice = db.session.get(PriorNotice, notice_id)
    if notice is None or notice.case_id != case_id:
        raise NotFound(_l("No such notice in this case."))
    if not may_record_for_subject(actor, notice):
        raise PermissionDenied(_l("Only the determining body or the office records the service of its notices."))
    lock_row(PriorNotice, notice.id)  # (two records at once: the second finds the first)
    db.session.refresh(notice, ["served_on", "statement_due_at"])
    if notice.served_on is not None:
        raise DomainError(_l("The service of this notice was already recorded (%(d)s).", d=ShownDate(notice.served_on)))
    if way not in SERVICE_WAYS:
        raise DomainError(_l("Choose how the notice was served."), "way")
    if not isinstance(served_on, date):
        raise DomainError(_l("Enter the date of service."), "served_on")
    issued = clock.local_date(notice.issued_at)
    if served_on < issued:
        raise DomainError(_l("The notice cannot be served before it was issued (%(d)s).", d=ShownDate(issued)), "served_on")
    if served_on > clock.today_local():
        raise DomainError(_l("The date of service cannot be in the future."), "served_on")
    if way == "portal":
        opened = _portal_account_since(notice.subject_id)
        if opened is None:
            raise DomainError(_l("The subject has no portal account: serve the notice another way."), "way")
        _not_before_account(served_on, opened)
    if way != "portal" and not proof:
        raise DomainError(_l("Attach the proof of service (the receipt or a scan)."), "proof")
    attachments.validate_uploads(proof, "proof")
    stored = attachments.store(case_id, actor, proof, "service", "proof", subject_id=notice.subject_id)
    notice.served_on, notice.service_way = served_on, way
    notice.service_proof_id = stored[0].id if stored else None
    case = db.session.get(Case, case_id)
    start = datetime.combine(served_on, time(9), tzinfo=clock.LOCAL_TZ)
    dl = runtime.case_deadline(case, "statement_period", start)
    # (a period still running moves to its count from service; one over in silence is reopened while the case is
    # undecided; one answered, or of a decided case, stays as it is)
    running = period_open(notice)
    reopened = (not running and notice.state == OPEN and case.decision is None and case.closed_at is None
                and clock.now() < dl.due_at)
    moved = (running or reopened) and clock.as_utc(notice.statement_due_at) < dl.due_at
    if moved:
        notice.statement_due_at = dl.due_at
        notice.deadline_basis = runtime.deadline_basis("statement_period", runtime.deadline_rule_of(case, "statement_period"),
                                                       start, dl)
    db.session.flush()
    events.record(case_id, EventType.NOTICE_SERVED, actor, {
        "summary": notice.subject.name, "way": way, "served_on": served_on.isoformat(), "subject_id": notice.subject_id,
        "due_at": clock.as_utc(notice.statement_due_at).isoformat(), **({"reopened": True} if moved and reopened else {})})
    if moved:  # the procedure waits for the period: its timer is set again from the notices
        runtime.deliver(case, PERIOD_MOVED, actor)
    return MOVED if moved else RUNNING if running else OVER


def _reaches_portal(case_id: int, subject_id: int) -> bool:
    """The subject can open this case on the portal: an access code was issued for it here, or it has an account."""
    issued = db.session.scalar(select(AccessCode.id).where(AccessCode.case_id == case_id, AccessCode.subject_id == subject_id))
    return issued is not None or _portal_account_since(subject_id) is not None


def _portal_account_since(subject_id: int) -> date | None:
    """The day the subject's first active portal account was opened (a document reaches it on the portal from then)."""
    opened = db.session.scalar(select(func.min(User.created_at)).where(User.subject_id == subject_id, User.active.is_(True)))
    return clock.local_date(opened) if opened is not None else None


def _not_before_account(served_on: date, opened: date) -> None:
    # (a service on the portal dated before the subject could read it there would start its period too early)
    if served_on < opened:
        raise DomainError(_l("The subject opened its portal account on %(d)s: a service on the portal cannot be dated "
                             "earlier.", d=ShownDate(opened)), "served_on")


def may_be_served(actor, notice: PriorNotice, case: Case) -> bool:
    """Whether the reader may record this notice's service now: once, while its period runs or, silent, while the
    case is undecided (a late service reopens it)."""
    return (notice.served_on is None and notice.state == OPEN and case.decision is None and case.closed_at is None
            and may_record_for_subject(actor, notice))


def period_open(notice: PriorNotice) -> bool:
    return notice.state == OPEN and clock.now() <= clock.as_utc(notice.statement_due_at)


def may_record_for_subject(actor, notice: PriorNotice) -> bool:
    """Staff who take in a statement on paper or record a notice's service: the office, and the determining body's
    group lead and caseworkers (or those of the unit that took over its work). Not supervisors, who watch the
    procedure, nor administrators, who run the system: neither acts in it."""
    if actor.role == OFFICE:
        return True
    return actor.role in (GROUP_LEAD, CASEWORKER) and actor.unit_id is not None and actor.unit_id in (
        notice.unit_id, current_unit_id(notice.unit_id))


def notice_for_applicant(actor, case_id: int) -> PriorNotice | None:
    case = applicant_case(actor, case_id)
    return db.session.scalar(select(PriorNotice).where(PriorNotice.case_id == case.id,
                                                       PriorNotice.subject_id == actor.subject_id))


def _answer(actor, notice: PriorNotice, waive: bool, text: str, files: list, channel: str,
            received_on: date | None = None) -> PriorNotice:
    lock_row(PriorNotice, notice.id)  # (a statement and a waiver sent at once: the second finds the first recorded)
    db.session.refresh(notice, ["state", "statement_due_at"])  # (a service recorded meanwhile may have moved the period)
    if notice.state != OPEN:
        raise DomainError(_l("A statement was already recorded for this notice."))
    if received_on is not None:
        _check_received(notice, received_on)
    elif not period_open(notice):
        raise DomainError(_l("The statement period has ended."))
    text = (text or "").strip()
    if not waive and not text:
        raise DomainError(_l("Write the statement."), "statement")
    if len(text) > MAX_TEXT:
        raise DomainError(_l("At most %(n)s characters.", n=MAX_TEXT), "statement")
    if channel == "paper" and not files:
        # (staff record what the subject said or waived on paper: its signed document is the proof, as a service's is)
        raise DomainError(_l("Attach the subject's signed statement or waiver (a scan): a statement or waiver received on "
                             "paper is recorded with it."), "files")
    attachments.validate_uploads(files, "files", attachments.SCAN_KINDS if channel == "paper" else None)
    notice.state = WAIVED if waive else STATED
    notice.statement, notice.channel, notice.stated_at, notice.stated_by_id = text, channel, clock.now(), actor.id
    db.session.flush()
    events.record(notice.case_id, EventType.STATEMENT_WAIVED if waive else EventType.STATEMENT_MADE, actor, {
        "summary": notice.subject.name, "note": text, "channel": channel, "subject_id": notice.subject_id,
        **({"received_on": received_on.isoformat()} if received_on is not None else {})})
    attachments.store(notice.case_id, actor, files, "statement")
    remaining = db.session.scalar(select(PriorNotice.id).where(PriorNotice.case_id == notice.case_id,
                                                               PriorNotice.state == OPEN).limit(1))
    if remaining is None:  # every subject has answered: the procedure need not wait for the period's end
        runtime.deliver(db.session.get(Case, notice.case_id), MESSAGE, actor)
    return notice


def _check_received(notice: PriorNotice, received_on) -> None:
    """A paper statement's day of arrival: from the notice's issue to today, and within its period (one that came later
    is not a statement in time); the case still undecided."""
    first = clock.local_date(notice.issued_at)
    last = clock.local_date(notice.statement_due_at)
    if not isinstance(received_on, date) or not first <= received_on <= clock.today_local():
        raise DomainError(_l("Enter the day the statement was received: from %(first)s to today.", first=ShownDate(first)),
                          "received_on")
    if received_on > last:
        raise DomainError(_l("The statement was received after its period ended (%(d)s): it is not a statement in time.",
                             d=ShownDate(last)), "received_on")
    if not statement_recordable(notice, db.session.get(Case, notice.case_id)):
        raise DomainError(_l("The case has already been decided: the statement can no longer be recorded."))


def state_on_portal(actor, case_id: int, text: str, files: list, waive: bool = False) -> PriorNotice:
    notice = notice_for_applicant(actor, case_id)
    if notice is None:
        raise NotFound(_l("There is no notice to answer in this case."))
    return _answer(actor, notice, waive, text, files, "portal")


def record_on_paper(actor, notice_id: int, text: str, files: list, waive: bool = False,
                    received_on: date | None = None) -> PriorNotice:
    """A statement or waiver received on paper, recorded with the day it arrived (today unless said). One that arrived
    within the period is recorded even once the period is over, while the case is undecided: a letter received on
    its last day is entered the next working day, and the meeting must then weigh it (heard_from counts from the
    recording, so a meeting held before it cannot be recorded as the determination)."""
    notice = db.session.get(PriorNotice, notice_id)
    if notice is None:
        raise NotFound(_l("No such notice."))
    if not may_record_for_subject(actor, notice):
        raise PermissionDenied(_l("Only the determining body records statements received on paper."))
    return _answer(actor, notice, waive, text, files, "paper", received_on or clock.today_local())


def statement_recordable(notice: PriorNotice, case: Case) -> bool:
    """Whether a statement received on paper may be recorded: the subject has not answered and the case is undecided
    (after the period, one that arrived within it)."""
    return notice.state == OPEN and case.decision is None and case.closed_at is None


def heard_from(case: Case) -> date | None:
    """The first day a meeting may decide after hearing the subjects: the day of the last statement or waiver,
    or the day after a silent subject's period ended."""
    days = []
    for n in notices_of(case.id):
        days.append(clock.local_date(n.stated_at) if n.stated_at
                    else clock.local_date(n.statement_due_at) + timedelta(days=1))
    return max(days) if days else None


def stated_notices(case_id: int) -> list[PriorNotice]:
    """The notices whose subjects stated their case, in the order the determination form lists their answers."""
    return [n for n in notices_of(case_id) if n.state == STATED]


def unanswered(notices: list[PriorNotice], answer: str | None, answers: list | None) -> list[tuple[str, object]]:
    """What the determination lacks to answer the statements: one answer where one subject stated its case, one per
    subject where several did (each subject is served the answer to its own statement, not another's)."""
    if len(notices) < 2:
        return [("statement_answer", _l("Say how the subjects' statements were answered."))] if notices and not (answer or "").strip() else []
    if answers is None or len(answers) != len(notices):  # (a statement recorded since the form was opened)
        return [(None, _l("Answer each subject's statement (a statement may have been recorded since this "
                                          "page was opened)."))]
    return [(f"statement_answers-{i}", _l("Answer this subject's statement."))
            for i, a in enumerate(answers) if not (a or "").strip()]


def answer_statements(case: Case, answer: str, answers: list | None = None) -> dict:
    """At the determination: statements made must be answered (the decision records how), each subject's by its own
    answer where several stated their case. Returns the record."""
    notices = notices_of(case.id)
    stated = [n for n in notices if n.state == STATED]
    missing = unanswered(stated, answer, answers)
    if missing:
        raise DomainError(missing[0][1], errors=missing)
    given = [(answer or "").strip()] * len(stated) if len(stated) < 2 else [(a or "").strip() for a in answers]
    for i, text in enumerate(given):
        if len(text) > MAX_TEXT:
            raise DomainError(_l("At most %(n)s characters.", n=MAX_TEXT), "statement_answer" if len(stated) < 2 else f"statement_answers-{i}")
    for n, text in zip(stated, given):
        n.answer = text
    record = {"notices": len(notices), "stated": len(stated), "waived": sum(n.state == WAIVED for n in notices),
              "silent": sum(n.state == OPEN for n in notices), "statement_answer": given[0] if len(stated) == 1 else ""}
    if len(stated) > 1:
        record["statement_answers"] = {str(n.subject_id): text for n, text in zip(stated, given)}
    return record


# -- service of the decision (送达) ----------------------------------------------------------------------------
SERVICE_WAYS = ("portal", "post", "in_person", "other")


def services_of(case_id: int) -> list[DecisionService]:
    return list(db.session.scalars(
        select(DecisionService).options(joinedload(DecisionService.subject), joinedload(DecisionService.recorded_by))
        .where(DecisionService.case_id == case_id).order_by(DecisionService.id)))


def may_record_service(actor, case: Case) -> bool:
    """The units that serve the decision on the subjects (those that issue the access codes)."""
    return case.decision == "act" and case.kind == "punishment" and may_issue_codes(actor, case)


def record_service(actor, case_id: int, subject_id: int, way: str, served_on, note: str, proof: list) -> DecisionService:
    """Record how and when the decision reached a subject (flush); a later record for the same subject
    corrects the earlier one (both are on the timeline)."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound(_l("No such case."))
    if not may_record_service(actor, case):
        raise PermissionDenied(_l("Your unit does not serve this decision."))
    if subject_id not in {cs.subject_id for cs in case.subjects}:
        raise DomainError(_l("No such subject in this case."), "subject_id")
    if way not in SERVICE_WAYS:
        raise DomainError(_l("Choose how the decision was served."), "way")
    if not isinstance(served_on, date):
        raise DomainError(_l("Enter the date of service."), "served_on")
    decided = clock.local_date(case.decided_at) if case.decided_at else None
    if decided and served_on < decided:
        raise DomainError(_l("The decision cannot be served before it was made (%(d)s).", d=ShownDate(decided)), "served_on")
    if served_on > clock.today_local():
        raise DomainError(_l("The date of service cannot be in the future."), "served_on")
    note = (note or "").strip()
    if len(note) > 2000:
        raise DomainError(_l("At most %(n)s characters.", n=2000), "note")
    if way == "portal":
        opened = _portal_account_since(subject_id)
        if opened is None:
            raise DomainError(_l("The subject has no portal account yet: serve the decision another way (with the access code)."), "way")
        _not_before_account(served_on, opened)
    if way != "portal" and not proof:
        raise DomainError(_l("Attach the proof of service (the receipt or a scan)."), "proof")
    if way != "portal" and case.kind == CaseKind.PUNISHMENT and not _reaches_portal(case.id, subject_id):
        # (the decision tells the subject to object online with the access code served with it: without one, or an
        # account, its objection window would run while the portal stays closed to it)
        raise DomainError(_l("Issue the subject's access code first (on this page) and serve it with the decision: the "
                             "decision tells the subject to object online with it."), "way")
    attachments.validate_uploads(proof, "proof")
    stored = attachments.store(case.id, actor, proof, "service", "proof")
    row = db.session.scalar(select(DecisionService).where(DecisionService.case_id == case.id,
                                                          DecisionService.subject_id == subject_id))
    if row is None:
        row = DecisionService(case_id=case.id, subject_id=subject_id)
        db.session.add(row)
    row.way, row.served_on, row.note, row.recorded_by_id, row.recorded_at = way, served_on, note, actor.id, clock.now()
    row.proof_attachment_id = stored[0].id if stored else None
    listing = listing_of(case.id, subject_id)
    if listing is not None:
        listing.served_on = served_on  # the objection window counts from here
    db.session.flush()
    subject = next(cs.subject for cs in case.subjects if cs.subject_id == subject_id)
    events.record(case.id, EventType.DECISION_SERVED, actor, {
        "summary": f"{subject.name} · {served_on.isoformat()}", "way": way, "subject_id": subject_id, "note": note})
    return row
