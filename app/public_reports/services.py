"""Reports of dishonest behaviour from the public (seed 002 五(三) 「鼓励对失信行为的投诉举报」; seed 004 (二十四)
「联合受理查处本地区相关领域的失信投诉举报」), drawn in bpmn/public_report.bpmn.

Anyone may report without an account (the page is rate limited). The report names whom it is about as typed:
no subject record is looked up or created from public input, and the answer is the same whatever is named, so
the form cannot be used to learn whether a company or person is in the system. The reporter gets a number and
a random query code (only its hash is kept) to follow the outcome. The office assigns the report to the unit
responsible or declines it; the unit verifies it and files a trigger (linked by its number) or closes it."""
import hashlib
import hmac
import re
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.auth.models import APPLICANT, UNIT_COUNTY, UNIT_MEMBER, UNIT_OTHER, Unit, User
from app.cases import attachments, events, runtime
from app.cases.identifiers import normalise_code
from app.cases.models import REL_OFFICE, Case
from app.cases.services import add_case_unit, office_unit
from app.crypto import digest
from app.enums import JOINT_KINDS, CaseKind, CaseStatus, EventType
from app.errors import DomainError
from app.extensions import db
from app.i18n import in_default_language
from app.i18n import lazy_gettext as _l
from app.public_reports.models import PublicReport
from app.workdays.rules import current as current_rules

PROCESS_ID = "public_report"
PUBLIC_USERNAME = "public-reports"  # the account public reports are recorded under; it never logs in
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
# A telephone number or an e-mail address. The address's domain is read label by label (a label has no dot): a
# pattern whose parts could each take the dots tried every split of a long crafted address (quadratic time, on the
# anonymous form).
CONTACT = r"^([0-9+\-() ]{7,20}|[^@\s]+@(?:[^@\s.]+\.)+[^@\s.]+)\Z"
_CONTACT = re.compile(CONTACT)


def _hash(code: str) -> str:
    """Keyed (HMAC-SM3 under the lookup key kept outside the database)."""
    return digest("report-code:" + (code or "").strip().upper().replace("-", ""))


def _hashes(code: str) -> list[str]:
    """The keyed digest and, for reports sent before keyed digests, the plain SHA-256."""
    return [_hash(code), hashlib.sha256((code or "").strip().upper().replace("-", "").encode()).hexdigest()]


def public_user(create: bool = True) -> User | None:
    """The inactive service account that stands for 'the public' as the author of reports (created once; with
    create=False, None before the first report)."""
    user = db.session.scalar(select(User).where(User.username == PUBLIC_USERNAME))
    if user is None and create:
        try:
            with db.session.begin_nested():  # two first reports at once: one creates it, the other reads it
                user = User(username=PUBLIC_USERNAME, full_name=in_default_language(_l("The public (report)")), role=APPLICANT, active=False,
                            service_account=True, password_hash="!")
                db.session.add(user)
        except IntegrityError:
            user = db.session.scalar(select(User).where(User.username == PUBLIC_USERNAME))
    return user


def assignable_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.active.is_(True), Unit.kind.in_((UNIT_MEMBER, UNIT_COUNTY, UNIT_OTHER)))
                                   .order_by(Unit.name)))


def form_digest(submission_key: str) -> str:
    """What a report keeps of the form it was sent with (a keyed digest, 64 hex: the key itself, which the page that
    holds it would present, is not stored)."""
    return digest("report-form:" + submission_key)


def sent_with(submission_key: str | None) -> Case | None:
    """The report this form filed already, if it was sent before (a double click, a retry after a lost answer)."""
    if not submission_key:
        return None
    return db.session.scalar(select(Case).where(Case.submission_key == form_digest(submission_key),
                                                Case.kind == CaseKind.PUBLIC_REPORT))


def submit(subject_kind: str, subject_name: str, subject_code: str, content: str, contact_name: str, contact: str,
           uploads: list, submission_key: str | None = None) -> tuple[Case, str]:
    """A report from the public (flush). Returns the case and the query code (shown once: only its hash is kept)."""
    errors = []
    kind = "person" if subject_kind == "person" else "enterprise"
    name = (subject_name or "").strip()
    if not name or len(name) > 200:
        errors.append(("subject_name", _l("Name whom the report is about.")))
    code = (subject_code or "").strip()
    if code:
        try:  # the format only: whether such a subject is known is never looked up here
            code = normalise_code(kind, code, "subject_code")
        except DomainError as exc:
            errors.extend(exc.errors)
    content = (content or "").strip()
    if len(content) < 10:
        errors.append(("content", _l("Describe the behaviour you report (at least 10 characters).")))
    contact_name, contact = (contact_name or "").strip()[:80], (contact or "").strip()
    if not contact_name:
        errors.append(("contact_name", _l("Give your name so the unit can ask you.")))
    if not _CONTACT.match(contact):
        errors.append(("contact", _l("Give a telephone number or an e-mail address.")))
    if len(uploads) > 1:  # (the form has one file field; a crafted request sending more is refused, not stored)
        errors.append(("file", _l("Attach at most one file.")))
    else:
        attachments.validate_uploads(uploads, "file")
    if errors:
        raise DomainError(errors[0][1], errors=errors)
    author, office, now = public_user(), office_unit(), clock.now()
    case = Case(number=f"TMP-{now.timestamp()}-{secrets.token_hex(4)}", kind=CaseKind.PUBLIC_REPORT, process_id=PROCESS_ID,
                status=CaseStatus.REPORT_ASSIGNING, route="office", initiating_unit_id=office.id, created_by_id=author.id,
                title=str(_l("Report about %(name)s", name=name))[:200], facts=content[:8000], legal_basis="", created_at=now,
                rules=current_rules(),
                determination={"subject_kind": kind, "subject_name": name, "subject_code": code, "contact_name": contact_name,
                               "contact": contact}, submission_key=form_digest(submission_key) if submission_key else None)
    db.session.add(case)
    db.session.flush()
    case.number = f"JB-{clock.local_date(now).year}-{case.id:06d}"
    add_case_unit(case.id, office.id, REL_OFFICE)
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    query_code = "-".join(raw[i:i + 4] for i in range(0, 12, 4))
    db.session.add(PublicReport(case_id=case.id, code_hash=_hash(query_code)))
    events.record(case.id, EventType.REPORT_RECEIVED, None, {"summary": name})
    attachments.store(case.id, author, uploads, "report_evidence", field="file")
    runtime.start(case, PROCESS_ID, {"case_id": case.id, "office_unit_id": office.id}, None)
    return case, query_code


def track(number: str, code: str) -> Case | None:
    """The report with this number, if the code is its query code (one answer for a wrong number or code)."""
    row = db.session.execute(
        select(Case, PublicReport.code_hash).join(PublicReport, PublicReport.case_id == Case.id)
        .where(Case.number == (number or "").strip().upper(), Case.kind == CaseKind.PUBLIC_REPORT)
    ).first()
    stored = row.code_hash if row else "0" * 64
    ok = any([hmac.compare_digest(given, stored) for given in _hashes(code)])  # (both compared: same time either way)
    return row.Case if row and ok else None


def report_of(case_id: int) -> PublicReport | None:
    return db.session.scalar(select(PublicReport).where(PublicReport.case_id == case_id))


# -- the tasks ----------------------------------------------------------------------------------------------------
def assign(ctx) -> dict:
    """Task assign_report (the office): assign to the unit responsible, or decline with reasons."""
    choice = ctx.values.get("assignment")
    reasons = (ctx.values.get("reasons") or "").strip()
    if choice == "assign":
        unit_id = ctx.values.get("unit_id") or 0
        if unit_id not in {u.id for u in assignable_units()}:
            raise DomainError(_l("Choose the unit responsible."), "unit_id")
        add_case_unit(ctx.case.id, unit_id, "lead")
        ctx.case.determination = dict(ctx.case.determination or {}, responsible_unit_id=unit_id, instructions=reasons)
        events.record(ctx.case.id, EventType.REPORT_ASSIGNED, ctx.actor, {"unit_id": unit_id, "note": reasons})
        return {"report_assignment": "assign", "responsible_unit_id": unit_id}
    if choice != "decline":
        raise DomainError(_l("Assign the report or decline it."), "assignment")
    if not reasons:
        raise DomainError(_l("Say why the report is declined (the reporter sees it)."), "reasons")
    ctx.case.determination = dict(ctx.case.determination or {}, outcome="declined", reasons=reasons)
    events.record(ctx.case.id, EventType.REPORT_DECLINED, ctx.actor, {"reasons": reasons})
    return {"report_assignment": "decline"}


def verify(ctx) -> dict:
    """Task verify_report (the unit responsible): a trigger filed from it (by number), or closed with reasons."""
    outcome = ctx.values.get("outcome")
    reasons = (ctx.values.get("reasons") or "").strip()
    if not reasons:
        raise DomainError(_l("Say what was verified and why."), "reasons")
    if outcome == "filed":
        number = (ctx.values.get("trigger_number") or "").strip().upper()
        trigger = db.session.scalar(select(Case).where(Case.number == number)) if number else None
        if trigger is None or trigger.kind not in JOINT_KINDS or trigger.initiating_unit_id != ctx.task.unit_id:
            raise DomainError(_l("Give the number of a trigger your unit filed (file it first under “File a trigger”)."),
                              "trigger_number")
        if clock.as_utc(trigger.created_at) < clock.as_utc(ctx.case.created_at):
            raise DomainError(_l("That trigger was filed before the report: give the one filed from it."), "trigger_number")
        reported = (ctx.case.determination or {}).get("subject_code")
        if reported and reported not in {cs.subject.code for cs in trigger.subjects}:
            raise DomainError(_l("That trigger does not name the subject reported (%(code)s).", code=reported), "trigger_number")
        report = report_of(ctx.case.id)
        report.trigger_case_id = trigger.id
        details = {"reasons": reasons, "summary": f"{ctx.case.number} → {trigger.number}"}
        events.record(ctx.case.id, EventType.REPORT_FILED, ctx.actor, details)
        events.record(trigger.id, EventType.REPORT_FILED, ctx.actor, details)
    elif outcome == "closed":
        events.record(ctx.case.id, EventType.REPORT_CLOSED, ctx.actor, {"reasons": reasons})
    else:
        raise DomainError(_l("Give the conclusion of the verification."), "outcome")
    ctx.case.determination = dict(ctx.case.determination or {}, outcome=outcome, reasons=reasons)
    return {"report_outcome": outcome}


MAX_REWARD = 1_000_000  # yuan: a bound on typing errors, not a policy


def reward(ctx) -> dict:
    """Task decide_reward (the office): the reward of a confirmed report, its amount in yuan and reasons, or that none
    is due, with reasons (seed 002 五(三) 对举报人实行有偿奖励). The reporter reads it with its number and code; the reward
    is collected at the office (the reporter's contact details stay on the report, seen only by the staff)."""
    decision = ctx.values.get("reward")
    reasons = (ctx.values.get("reward_reasons") or "").strip()
    if decision not in ("reward", "none"):
        raise DomainError(_l("Decide whether the reporter is rewarded."), "reward")
    amount = ctx.values.get("amount")
    if decision == "reward":
        if not isinstance(amount, int) or not 1 <= amount <= MAX_REWARD:
            raise DomainError(_l("Give the reward in whole yuan (from 1 to %(max)s).", max=f"{MAX_REWARD:,}"), "amount")
    elif amount is not None:  # (an amount typed with "no reward": which was meant?)
        raise DomainError(_l("No reward is due: leave the amount empty."), "amount")
    if not reasons:
        raise DomainError(_l("Give the reasons of the decision (the reporter reads them)."), "reward_reasons")
    ctx.case.determination = dict(ctx.case.determination or {}, reward=decision, reward_amount=amount, reward_reasons=reasons,
                                  reward_decided_on=clock.today_local().isoformat())
    events.record(ctx.case.id, EventType.REPORT_REWARD_DECIDED, ctx.actor,
                  {"outcome": "rewarded" if amount else "not_rewarded", "amount": amount, "reasons": reasons},
                  bpmn_id=ctx.task.bpmn_id)
    return {"reward": decision}


TASKS = {"public_reports.assign": assign, "public_reports.verify": verify, "public_reports.reward": reward}
