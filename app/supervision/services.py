"""SLA over the open tasks (aggregated in SQL) and notices/summons to slow units, which stay on the
timelines of the cases concerned."""
import hashlib
import re
import unicodedata
from datetime import date

from flask import current_app
from sqlalchemy import distinct, func, select, text
from sqlalchemy.orm import joinedload, selectinload

from app import clock
from app.audit import services as audit
from app.auth.models import ADMIN, GROUP_LEAD, OFFICE, SUPERVISOR, Unit
from app.auth.permissions import require_role
from app.cases import events
from app.cases.access import case_visibility_clause
from app.cases.identifiers import mask_person, valid_as
from app.cases.models import Case, CaseSubject, OpenTask, Subject
from app.enums import JOINT_KINDS, CaseKind, EventType, ListingStatus, SubjectKind
from app.errors import DomainError
from app.extensions import db, defer_insert, lock_row
from app.i18n import lazy_gettext as _l
from app.invisible import strip_invisible
from app.labels import step
from app.listings import queries as listing_queries
from app.listings.models import Listing
from app.supervision.models import Notice, StepRecord, TypicalCase, notice_case
from app.supervision.monitoring import (
    QUOTA_PER_QUARTER,
    Period,
    on_time_by_unit,
    previous_quarter,
    quarter_bounds,
    quarter_of,
    typical_quota,
)
from app.workdays.services import working_days_ago

VIEWERS = (SUPERVISOR, OFFICE, ADMIN)
# The monitoring figures and reports (aggregates, no case): also the specialist groups' leads, who monitor their work
# with the office (seed 001 二(二)1 「联席会议办公室和专项小组…实时监测，定期出具监测报告」).
MONITORS = (*VIEWERS, GROUP_LEAD)


def record_step(case, open_task, actor, at) -> None:
    """A completed task as a step record (time per step, on-time rate) for the monitoring figures."""
    due = clock.as_utc(open_task.due_at)
    opened = clock.as_utc(open_task.created_at)
    defer_insert(StepRecord.__table__, dict(  # (written with the flush's other rows; nothing reads its id)
        case_id=case.id, bpmn_id=open_task.bpmn_id, unit_id=open_task.unit_id, opened_at=opened, completed_at=at,
        hours=round((at - opened).total_seconds() / 3600, 2), on_time=(at <= due) if due else None,
    ))


def overdue_by_unit(actor):
    require_role(actor, *VIEWERS)
    now = clock.now()
    return db.session.execute(
        select(Unit.id, Unit.name, func.count(OpenTask.id).label("tasks"), func.count(distinct(OpenTask.case_id)).label("cases"),
               func.min(OpenTask.due_at).label("oldest"))
        .join(Unit, Unit.id == OpenTask.unit_id)
        .where(OpenTask.due_at < now)
        .group_by(Unit.id, Unit.name)
        .order_by(func.count(OpenTask.id).desc(), Unit.name)
    ).all()


def unserved_decisions(actor) -> list:
    """Decisions to punish not served on their subject within the service period (《行政处罚法》第六十一条)."""
    require_role(actor, *VIEWERS)
    return listing_queries.unserved_decisions(clock.today_local(), current_app.config["DECISION_SERVICE_DAYS"])


def overdue_by_step(actor):
    require_role(actor, *VIEWERS)
    now = clock.now()
    return db.session.execute(
        select(OpenTask.bpmn_id, func.min(OpenTask.name).label("name"), func.count(OpenTask.id).label("tasks"),
               func.min(OpenTask.due_at).label("oldest"))
        .where(OpenTask.due_at < now)
        .group_by(OpenTask.bpmn_id)
        .order_by(func.count(OpenTask.id).desc())
    ).all()


def issue(actor, unit_id: int, kind: str, text: str, on_date: date | None) -> Notice:
    """The office or a supervisor notifies (通报) or summons (约谈) a unit about its overdue work
    (seed 001 四(三): 联席会议办公室……通报、约谈)."""
    require_role(actor, SUPERVISOR, OFFICE)
    if kind not in ("notice", "summons"):
        raise DomainError(_l("Choose notice or summons."), "kind")
    if not (text or "").strip():
        raise DomainError(_l("Write the text of the notice."), "text")
    if on_date is None:
        raise DomainError(_l("Enter the date."), "on_date")
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise DomainError(_l("No such unit."), "unit_id")
    lock_row(Unit, unit_id)  # (the form sent twice, or from two sessions at once: the second finds the first)
    if db.session.scalar(select(Notice.id).where(Notice.unit_id == unit_id, Notice.kind == kind, Notice.on_date == on_date,
                                                 Notice.text == text.strip())):
        raise DomainError(_l("This notice has been issued already (the same unit, kind, date and text): the form was sent "
                             "twice."), "text")
    case_ids = list(db.session.scalars(
        select(OpenTask.case_id).where(OpenTask.unit_id == unit_id, OpenTask.due_at < clock.now()).distinct()
    ))
    notice = Notice(kind=kind, unit_id=unit_id, text=text.strip(), on_date=on_date, issued_by_id=actor.id,
                    addressed_to_id=unit.liaison_id)
    notice.cases = list(db.session.scalars(select(Case).where(Case.id.in_(case_ids)))) if case_ids else []
    db.session.add(notice)
    db.session.flush()
    for cid in case_ids:
        events.record(cid, EventType.UNIT_NOTICED, actor, {"notice_id": notice.id, "kind": kind, "unit_id": unit_id,
                                                         "text": text.strip(), "on_date": on_date.isoformat()})
    return notice


def notices_for_unit(actor):
    require_role(actor, "caseworker", "group_lead", OFFICE)
    return list(db.session.scalars(select(Notice).where(Notice.unit_id == actor.unit_id).order_by(Notice.issued_at.desc())))


def all_notices(actor) -> list[tuple[Notice, list[Case]]]:
    """The latest notices and summons, each with the cases it names that the reader may see. A notice naming only cases
    the reader may not see is left out (the administrator and a public report: a notice issued by rule names the
    report's number in its text too)."""
    require_role(actor, *VIEWERS)
    notices = list(db.session.scalars(select(Notice).options(selectinload(Notice.cases))
                                      .order_by(Notice.issued_at.desc()).limit(200)))
    visible = case_visibility_clause(actor, notice_case.c.case_id)
    if visible is None or not notices:
        return [(n, n.cases) for n in notices]
    hidden = set(db.session.scalars(select(notice_case.c.case_id).where(
        notice_case.c.notice_id.in_([n.id for n in notices]), ~visible)))
    out = []
    for n in notices:
        shown = [c for c in n.cases if c.id not in hidden]
        if shown or not n.cases:
            out.append((n, shown))
    return out


def acknowledge(actor, notice_id: int) -> Notice:
    """The unit notified acknowledges it (its own staff: not a supervisor who happens to share the unit)."""
    require_role(actor, "caseworker", "group_lead", OFFICE)
    notice = db.session.get(Notice, notice_id) if notice_id is not None else None
    if notice is None or notice.unit_id != actor.unit_id:
        raise DomainError(_l("No such notice for your unit."))
    if notice.acknowledged_at is None:
        notice.acknowledged_at, notice.acknowledged_by_id = clock.now(), actor.id
    return notice


def register_typical(actor, case_number: str, summary: str, title: str = ""):
    """A unit submits a typical reward or punishment case of this quarter: one of its own decided cases, or a
    case described freely (a county's credit office reports its county's; seed 004 (十九))."""
    require_role(actor, "caseworker", "group_lead", OFFICE)
    if actor.unit_id is None:
        raise DomainError(_l("Your role may not do this."))
    summary, title, number = (summary or "").strip(), (title or "").strip(), (case_number or "").strip().upper()
    case = None
    if number:
        case = db.session.scalar(select(Case).where(Case.number == number))
        if case is None or case.initiating_unit_id != actor.unit_id or case.kind not in (*JOINT_KINDS, CaseKind.DEPARTMENT_LIST):
            raise DomainError(_l("No such case of your unit."), "case_number")
        # (a department's own red or black list counts too: 对"红黑名单"对象落实联合奖惩…形成联合奖惩案例, seed 000 十)
        if case.kind != CaseKind.DEPARTMENT_LIST and case.decision != "act":
            raise DomainError(_l("Only decided cases of joint action can be typical cases."), "case_number")
        statuses = _listing_statuses(case.id)
        if statuses and all(st == ListingStatus.REVOKED for st in statuses):
            raise DomainError(_l("This case's decision was revoked (an objection or a review found it wrong): it cannot be "
                                 "a typical case."), "case_number")
        title = title or case.title
    if not title or len(title) > 200:
        raise DomainError(_l("Give the typical case a title (at most 200 characters)."), "title")
    if len(summary) < 20 or len(summary) > 8000:
        raise DomainError(_l("Describe the case: what was done and to what effect (20 to 8000 characters)."), "summary")
    quarter = quarter_of(clock.today_local())
    lock_row(Unit, actor.unit_id)  # (the form sent twice, or from two sessions at once: the second finds the first)
    if db.session.scalar(select(TypicalCase.id).where(TypicalCase.unit_id == actor.unit_id, TypicalCase.quarter == quarter,
                                                      TypicalCase.title == title, TypicalCase.summary == summary)):
        raise DomainError(_l("This typical case has been submitted already this quarter (the same title and text): the "
                             "form was sent twice."), "summary")
    if case and db.session.scalar(select(TypicalCase.id).where(TypicalCase.unit_id == actor.unit_id, TypicalCase.case_id == case.id,
                                                               TypicalCase.quarter == quarter)):
        raise DomainError(_l("This case is already registered for this quarter."), "case_number")
    t = TypicalCase(unit_id=actor.unit_id, case_id=case.id if case else None, quarter=quarter, title=title, summary=summary,
                    registered_by_id=actor.id)
    db.session.add(t)
    db.session.flush()
    if case:
        events.record(case.id, EventType.TYPICAL_REGISTERED, actor, {"quarter": quarter, "summary": title})
    return t


# Identity numbers, mobile and landline numbers (with the area code: 0 and 9 to 11 digits) and e-mail addresses must
# not reach the public page.
# (an address is tried only where a word starts: tried at every character of a long word it cost quadratic time)
# (the full-width ＠ and ．, common in text pasted from documents, count as @ and .)
_PERSONAL = re.compile(r"\d{17}[\dXx]|\d{15}|1[3-9]\d{9}|(?<!\d)0\d{9,11}(?!\d)|(?<![^@＠\s])[^@＠\s]+[@＠][^@＠\s]+[.．]\w+")


_CN_DIGITS = str.maketrans("〇零一二三四五六七八九壹贰叁肆伍陆柒捌玖", "00123456789123456789")
_VALID_ONLY = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])|(?<!\d)1[3-9]\d{9}(?!\d)")


def _disguised(text: str) -> list[str]:
    """Identity and mobile numbers written in Chinese numerals (五一〇四〇二…) or split by slashes, long dashes, commas or
    enumeration commas (138/1234/5678, 138—1234—5678, 138，1234，5678).
    Dates and ranges written so would read as long numbers too, so only a number that is one is reported: an identity
    number whose check character holds, a mobile number of exactly eleven digits."""
    t = re.sub(r"(?<=\d)[\s\-－_＿.·()（）/／—–―~～，,、；;:：]+(?=[\dXx])", "", text.translate(_CN_DIGITS))
    return [m for m in _VALID_ONLY.findall(t) if len(m) == 11 or valid_as("person", m)]


def _listing_statuses(case_id: int, now: dict | None = None) -> list[str]:
    """The statuses of a case's listings; `now`: {listing id: status} of listings changed in memory, not yet written."""
    now = now or {}
    return [now.get(i, st) for i, st in db.session.execute(select(Listing.id, Listing.status).where(Listing.case_id == case_id))]


# Why a typical case of a case is not (or no longer) shown: a listing of the case in this state.
_NOT_IN_FORCE = {
    ListingStatus.SUSPENDED: _l("a punishment of its case is suspended while an objection or complaint is handled"),
    ListingStatus.REVOKED: _l("a decision of its case was revoked"),
    ListingStatus.REPAIRED: _l("a subject of its case has repaired its credit"),
    ListingStatus.EXPIRED: _l("a punishment or reward of its case has ended"),
}
_PUNISHED_SINCE = _l("a joint punishment now stands against a subject of its reward (seed 002 五(一): the incentives are "
                     "for the honest)")


def not_in_force_reason(case_id: int | None, now: dict | None = None):
    """Why a typical case of this case may not be public now (seed 003 33① exposes the dishonest while they are
    punished: not a subject whose punishment is suspended by an objection, revoked or over), or None."""
    if case_id is None:
        return None
    statuses = _listing_statuses(case_id, now)
    for st in (ListingStatus.SUSPENDED, ListingStatus.REVOKED, ListingStatus.REPAIRED):
        if st in statuses:  # (a subject under objection, cleared, or repaired is not exposed)
            return _NOT_IN_FORCE[st]
    if statuses and ListingStatus.IN_EFFECT not in statuses:  # (one subject's period over, the others' running: still)
        return _NOT_IN_FORCE[ListingStatus.EXPIRED]
    if _rewarded_subjects_punished(case_id):  # (not held up as honest while found dishonest)
        return _PUNISHED_SINCE
    return None


def _rewarded_subjects_punished(case_id: int) -> bool:
    subjects = db.session.scalars(select(Listing.subject_id).where(Listing.case_id == case_id, Listing.kind == "reward")).all()
    return bool(listing_queries.punished_now(subjects))


def incentives_withheld(listing, **_kw) -> None:
    """A joint punishment now stands against a subject of a reward: the typical cases of the reward's case come off the
    public page at once, recorded (a 守信 example is not one while its subject is found dishonest)."""
    for t in db.session.scalars(select(TypicalCase).where(TypicalCase.case_id == listing.case_id,
                                                         TypicalCase.published_at.is_not(None),
                                                         TypicalCase.withdrawn_at.is_(None))):
        _withdraw(t, str(_PUNISHED_SINCE))


def _natural_persons(case_id: int) -> list[str]:
    """The names of natural persons a case names: its subjects who are persons and the legal representatives."""
    rows = db.session.execute(select(Subject.kind, Subject.name, Subject.legal_representative)
                              .join(CaseSubject, CaseSubject.subject_id == Subject.id).where(CaseSubject.case_id == case_id))
    names = set()
    for kind, name, representative in rows:
        if kind == SubjectKind.PERSON and name:
            names.add(name.strip())
        if representative:
            names.add(representative.strip())
    return sorted((n for n in names if len(n) >= 2), key=len, reverse=True)  # (longest first: 王小明 before 王小)


def publish_typical(actor, typical_id: int, title: str, text: str) -> tuple[TypicalCase, list[str]]:
    """The office publishes a typical case on the public page, in a text it has cleared of personal data; natural
    persons its case names are shown as the public lists show them (王某). Returns the case and the names masked."""
    require_role(actor, OFFICE)
    t = db.session.get(TypicalCase, typical_id)
    if t is None:
        raise DomainError(_l("No such typical case."))
    title, text = (title or "").strip(), (text or "").strip()
    if not title or len(title) > 200:
        raise DomainError(_l("Give the typical case a title (at most 200 characters)."), "title")
    if len(text) < 20:
        raise DomainError(_l("Write the text to publish (at least 20 characters)."), "text")
    why = not_in_force_reason(t.case_id)
    if why is not None:
        raise DomainError(_l("This typical case cannot be published now: %(why)s.", why=why), "text")
    # Digits split by spaces, dashes, underscores, dots or brackets, or by invisible characters, still make an identity
    # or telephone number. (Not slashes, long dashes or 、: dates, ranges and lists such as 2026/01/01—2026/12/31 or
    # 第13、14项 would read as numbers; numbers split by slashes or written in Chinese numerals: _disguised.)
    title, text = strip_invisible(title), strip_invisible(text)
    # (full-width digits and letters, １３８… or ＩＤ numbers typed in a Chinese input method, read as half-width ones)
    plain = unicodedata.normalize("NFKC", title + "\n" + text)
    joined = re.sub(r"(?<=\d)[\s\-－_＿.·()（）]+(?=[\dXx])", "", plain)
    found = list(dict.fromkeys(_PERSONAL.findall(joined) + _disguised(plain)))  # (each number once)
    if found:
        raise DomainError(_l("Remove personal data before publishing (identity or telephone numbers, e-mail): %(found)s",
                             found="、".join(found[:3])), "text")
    masked = []
    for name in _natural_persons(t.case_id) if t.case_id else []:
        if name in title or name in text:
            masked.append(name)
            title, text = title.replace(name, mask_person(name)), text.replace(name, mask_person(name))
    before = ({"title": t.published_title, "text": t.published_text,
               "withdrawn": t.withdrawn_at.isoformat() if t.withdrawn_at else None} if t.published_at else None)
    t.published_title, t.published_text, t.published_at, t.published_by_id = title, text, clock.now(), actor.id
    t.withdrawn_at = t.withdrawn_reason = t.withdrawn_by_id = None
    # (who published what, and what it replaced: the public page shows only the latest text)
    audit.record(actor, "typical_case", t.id, "publish", before, {"title": title, "text": text})
    if t.case_id:
        events.record(t.case_id, EventType.TYPICAL_PUBLISHED, actor, {"summary": title})
    return t, masked


def withdraw_typical(actor, typical_id: int, reason: str) -> TypicalCase:
    """The office takes a published typical case off the public page, with its reason."""
    require_role(actor, OFFICE)
    t = db.session.get(TypicalCase, typical_id)
    if t is not None:  # (taken down from several sessions at once: the first does it, the others find it done)
        lock_row(TypicalCase, t.id)
        db.session.refresh(t, ["published_at", "withdrawn_at"])
    if t is None or t.published_at is None:
        raise DomainError(_l("No such published typical case."))
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 500:
        raise DomainError(_l("Say why it is taken off the public page (2 to 500 characters)."), "reason")
    if t.withdrawn_at is not None:
        raise DomainError(_l("This typical case has already been taken off the public page."))
    _withdraw(t, reason, actor)
    return t


def _withdraw(t: TypicalCase, reason: str, actor=None) -> None:
    t.withdrawn_at, t.withdrawn_reason, t.withdrawn_by_id = clock.now(), reason, actor.id if actor else None
    if actor is not None:  # (taken off by the system: its case's timeline says so)
        audit.record(actor, "typical_case", t.id, "withdraw", {"published_at": t.published_at.isoformat()}, None, reason)
    if t.case_id:
        events.record(t.case_id, EventType.TYPICAL_WITHDRAWN, actor, {"summary": t.published_title, "reason": reason})


def listing_changed(listing, status: str, **_kw) -> None:
    """A listing stopped being in force (suspended, revoked, repaired; or ended, the last of its case): the typical cases
    of its case come off the public page at once, recorded; the office may publish one again once its case is in force
    again."""
    if status not in _NOT_IN_FORCE:
        return
    reason = not_in_force_reason(listing.case_id, {listing.id: status})  # (its new status is not written yet)
    if reason is None:
        return
    for t in db.session.scalars(select(TypicalCase).where(TypicalCase.case_id == listing.case_id,
                                                         TypicalCase.published_at.is_not(None),
                                                         TypicalCase.withdrawn_at.is_(None))):
        _withdraw(t, str(reason))


def published_typical(page: int = 1, per_page: int = 20):
    stmt = (select(TypicalCase).options(joinedload(TypicalCase.unit), joinedload(TypicalCase.case))
            .where(TypicalCase.published_at.is_not(None), TypicalCase.withdrawn_at.is_(None))
            .order_by(TypicalCase.published_at.desc(), TypicalCase.id.desc()))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def typical_of_quarter(quarter: str) -> list[TypicalCase]:
    return list(db.session.scalars(select(TypicalCase).options(joinedload(TypicalCase.unit), joinedload(TypicalCase.case))
                                   .where(TypicalCase.quarter == quarter).order_by(TypicalCase.unit_id, TypicalCase.id)))


def typical_quota_notices(today: date | None = None) -> int:
    """Reminders in the last two weeks of a quarter to units below the typical-case quota, and once the quarter
    is over a notice (通报) to those that stayed below it; each once per unit and quarter. Returns how many."""
    today = today or clock.today_local()
    quarter = quarter_of(today)
    first, last = quarter_bounds(quarter)
    made = 0
    if (last - today).days < REMIND_TYPICAL_DAYS:
        made += _quota_notices(quarter, "typical_reminder", first)
    if (today - first).days < SHORTFALL_NOTICE_DAYS:  # early in the next quarter, once
        made += _quota_notices(previous_quarter(quarter), "typical_shortfall", first)
        made += quarterly_notices(previous_quarter(quarter), first)
    return made


def quarterly_notices(quarter: str, since: date) -> int:
    """The quarterly notice (季度通报, seed 004 (二十五)) reaches each unit it rates, with the unit's own figures: steps done
    in the quarter and on time, steps left past their deadline, typical cases against the quota. Once per unit and
    quarter (issued from `since`, the next quarter's first day). Returns how many."""
    rates = {r["unit"]: r for r in on_time_by_unit(Period.quarter(quarter))}
    quota = {r["unit_id"]: r for r in typical_quota(quarter)["rows"]}
    names = dict(db.session.execute(select(Unit.name, Unit.id).where(Unit.active.is_(True))).all())
    rated = sorted({*quota, *(names[n] for n in rates if n in names)})
    if not rated:
        return 0
    _serialise(f"quarterly notices {quarter}")  # (two schedulers: the second waits, then sees the first's notices)
    told = set(db.session.scalars(select(Notice.unit_id).where(Notice.reason == "quarterly_notice", Notice.on_date >= since)))
    made = 0
    for unit_id in rated:
        if unit_id in told:
            continue
        name = next(n for n, i in names.items() if i == unit_id)
        r = rates.get(name, {"steps": 0, "on_time": 0, "overdue_open": 0, "rate": None})
        auto_notice(unit_id, "quarterly_notice", [], quarter=quarter, steps=r["steps"], on_time=r["on_time"],
                    rate="—" if r["rate"] is None else f"{r['rate']}%", overdue=r["overdue_open"],
                    typical=quota[unit_id]["count"] if unit_id in quota else 0, quota=QUOTA_PER_QUARTER)
        made += 1
    return made


def _quota_notices(quarter: str, reason: str, since: date) -> int:
    below = typical_quota(quarter)["below"]
    if not below:
        return 0
    _serialise(f"quota notices {reason} {quarter}")  # (two schedulers: the second waits, then sees the first's notices)
    told = set(db.session.scalars(select(Notice.unit_id).where(Notice.reason == reason, Notice.on_date >= since)))
    made = 0
    for row in below:
        if row["unit_id"] in told:
            continue
        auto_notice(row["unit_id"], reason, [], quarter=quarter, count=row["count"], quota=QUOTA_PER_QUARTER)
        made += 1
    return made


def _serialise(name: str) -> None:
    """One transaction at a time past this point (PostgreSQL: a transaction-scoped advisory lock on the name; SQLite
    has one writer and one scheduler process)."""
    if db.session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def typical_of_unit(actor):
    if actor.unit_id is None:
        return []
    return list(db.session.scalars(select(TypicalCase).where(TypicalCase.unit_id == actor.unit_id).order_by(TypicalCase.registered_at.desc())))


REMIND_TYPICAL_DAYS = 14  # reminders in the last two weeks of the quarter
SHORTFALL_NOTICE_DAYS = 15  # notices about the quarter just ended go out in the first days of the next

AUTO_TEXT = {
    "typical_reminder": _l("Your unit has registered %(count)s typical cases for %(quarter)s; at least %(quota)s are due before "
                           "the quarter ends (安政办发〔2017〕64号 (十九))."),
    "typical_shortfall": _l("Your unit registered %(count)s typical cases for %(quarter)s, fewer than the %(quota)s due "
                            "(安政办发〔2017〕64号 (十九)); this is counted in the quarterly notice."),
    "objection_reply_late": _l("The unit did not reply to the objection %(number)s within the set time; the matter went to "
                               "the joint-meeting office at once (攀办函〔2017〕36号 二(三)2)."),
    "overdue_escalation": _l("The step %(step)s of case %(number)s is overdue beyond the escalation period."),
    "quarterly_notice": _l("Quarterly notice %(quarter)s (安政办发〔2017〕64号 (二十五)): your unit completed %(steps)s steps, "
                           "%(on_time)s on time (%(rate)s); %(overdue)s were left past their deadline; it registered "
                           "%(typical)s typical cases (at least %(quota)s are due)."),
}


def auto_notice(unit_id: int, reason: str, cases: list[Case], **text_values) -> Notice:
    """A notice (通报) the system issues by rule, on the timelines of the cases concerned."""
    text = str(AUTO_TEXT[reason] % text_values) if text_values else str(AUTO_TEXT[reason])
    notice = Notice(kind="notice", unit_id=unit_id, text=text, on_date=clock.today_local(), issued_by_id=None, reason=reason,
                    addressed_to_id=db.session.scalar(select(Unit.liaison_id).where(Unit.id == unit_id)))
    notice.cases = list(cases)
    db.session.add(notice)
    db.session.flush()
    for c in cases:
        events.record(c.id, EventType.UNIT_NOTICED, None, {"notice_id": notice.id, "kind": "notice", "unit_id": unit_id,
                                                         "text": text, "on_date": notice.on_date.isoformat(), "reason": reason})
    return notice


def late_reply_notice(payload: dict, case: Case, actor) -> None:
    """Routed from bpmn/objection.bpmn: the deciding unit let the reply deadline pass."""
    cases = [case] + ([db.session.get(Case, case.parent_case_id)] if case.parent_case_id else [])
    auto_notice(int(payload["unit_id"]), payload.get("reason", "objection_reply_late"), cases, number=case.number)


def escalate_overdue(now, after_days: int, limit: int = 500) -> int:
    """Open tasks overdue for more than `after_days` working days: their units are notified once."""
    from_due = working_days_ago(now, after_days)
    rows = db.session.scalars(
        select(OpenTask).where(OpenTask.escalated.is_(False), OpenTask.breached.is_(True), OpenTask.due_at < from_due,
                               OpenTask.unit_id.is_not(None))
        .order_by(OpenTask.due_at).limit(limit).with_for_update(skip_locked=True)
    ).all()
    for ot in rows:
        ot.escalated = True
        auto_notice(ot.unit_id, "overdue_escalation", [ot.case], number=ot.case.number, step=step(ot.bpmn_id, ot.name))
    return len(rows)
