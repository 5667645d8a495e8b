"""Calls the system publishes again each month or quarter (seed 004 (二十五) 在每季末向市信用办书面报送工作进展情况;
seed 003 5 月通报): the office publishes a call once and ticks how often it repeats; on each period's day the scheduler
publishes a copy of it — title with the period, instructions, columns, template, the units still in use, deadline —
in the name of the office user who set it up, until the office stops it."""
from datetime import date

from sqlalchemy import select

from app import clock
from app.auth.models import OFFICE, User
from app.auth.permissions import require_role
from app.blobs import store as blobs
from app.cases import events
from app.cases.attachments import Upload
from app.cases.models import Attachment, Case
from app.data_calls import services
from app.data_calls.models import DataCallRepeat, DataSubmission
from app.enums import CaseKind, EventType
from app.errors import DomainError
from app.extensions import db, lock_row
from app.i18n import lazy_gettext as _l

EVERY = ("month", "quarter")


def issue_day(every: str, after: date) -> date:
    """The first day after `after` on which a repeated call is published: the 1st of each month, or of each quarter's
    last month (1 March, 1 June, 1 September, 1 December: the report falls due at the quarter's end, 每季末)."""
    year, month = after.year, after.month + 1
    while True:
        if month > 12:
            year, month = year + 1, 1
        if every == "month" or month % 3 == 0:
            return date(year, month, 1)
        month += 1


def period_label(every: str, day: date) -> str:
    """The period a copy published on `day` reports on: a monthly one (on the 1st) the month just ended, a quarterly
    one (in the quarter's last month, due at its end) its own quarter."""
    if every == "month":
        year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
        return f"{year}年{month}月"
    return f"{day.year}年第{(day.month - 1) // 3 + 1}季度"


def start(actor, case: Case, every: str) -> DataCallRepeat:
    """The call just published repeats from the next period on (flush)."""
    require_role(actor, OFFICE)
    if every not in EVERY:
        raise DomainError(_l("Choose how often the call repeats."), "repeat")
    row = DataCallRepeat(source_case_id=case.id, every=every, next_on=issue_day(every, clock.today_local()),
                         created_by_id=actor.id, created_at=clock.now(), active=True)
    db.session.add(row)
    db.session.flush()
    events.record(case.id, EventType.DATA_CALL_REPEAT_SET, actor, {"every": every, "next_on": row.next_on.isoformat()})
    return row


def stop(actor, repeat_id: int) -> DataCallRepeat:
    require_role(actor, OFFICE)
    row = db.session.get(DataCallRepeat, repeat_id) if repeat_id is not None else None
    if row is None:
        raise DomainError(_l("No such repeated call."))
    lock_row(DataCallRepeat, row.id)
    db.session.refresh(row)
    if row.active:
        row.active, row.stopped_at, row.stopped_by_id = False, clock.now(), actor.id
        events.record(row.source_case_id, EventType.DATA_CALL_REPEAT_STOPPED, actor, {"every": row.every})
    return row


def active_repeats() -> list[tuple[DataCallRepeat, Case]]:
    return list(db.session.execute(select(DataCallRepeat, Case).join(Case, Case.id == DataCallRepeat.source_case_id)
                                   .where(DataCallRepeat.active.is_(True)).order_by(DataCallRepeat.next_on, DataCallRepeat.id)))


def due_ids(today: date) -> list[int]:
    return list(db.session.scalars(select(DataCallRepeat.id).where(DataCallRepeat.active.is_(True),
                                                                   DataCallRepeat.next_on <= today).order_by(DataCallRepeat.id)))


def issue(repeat_id: int, today: date) -> Case | None:
    """Publish the repeated call due today (flush; the caller commits each on its own). Held while it is published:
    two scheduler processes publish it once. A day missed (the scheduler stopped) publishes one copy, not one per
    period missed."""
    lock_row(DataCallRepeat, repeat_id)
    row = db.session.get(DataCallRepeat, repeat_id)
    db.session.refresh(row)
    if not row.active or row.next_on > today:
        return None
    source = db.session.get(Case, row.source_case_id)
    actor = db.session.get(User, row.created_by_id)
    if actor is None or not actor.active or actor.role != OFFICE:
        # (published in the name of the office user who set it up: gone, the office sets it up again)
        row.active, row.stopped_at = False, clock.now()
        events.record(source.id, EventType.DATA_CALL_REPEAT_STOPPED, None, {"every": row.every, "reason": "no_owner"})
        return None
    columns = "\n".join(c["name"] + ("#" if c.get("numeric") else "") for c in (source.determination or {}).get("columns", []))
    units = [u.id for u in services.callable_units()]
    called = [uid for uid in db.session.scalars(select(DataSubmission.unit_id).where(DataSubmission.case_id == source.id))
              if uid in units]
    template = db.session.scalar(select(Attachment).where(Attachment.case_id == source.id,
                                                          Attachment.purpose == "data_call_template").limit(1))
    upload = Upload(template.filename, blobs.read(template.sha256), "template") if template is not None else None
    title = f"{source.title}（{period_label(row.every, row.next_on)}）"[:200]
    try:
        with db.session.begin_nested():
            case = services.publish(actor, title, source.facts if source.facts != source.title else "", columns, called,
                                    (source.determination or {}).get("days"), upload)
    except DomainError as exc:  # (e.g. none of its units is in use any more: the office sets it up again)
        row.active, row.stopped_at = False, clock.now()
        events.record(source.id, EventType.DATA_CALL_REPEAT_STOPPED, None,
                      {"every": row.every, "reason": "cannot_publish", "reasons": str(exc.message)})
        return None
    events.record(case.id, EventType.DATA_CALL_REPEATED, actor, {"source": source.number, "every": row.every})
    row.last_case_id, row.next_on = case.id, issue_day(row.every, today)
    return case


def of_case(case: Case) -> DataCallRepeat | None:
    """The repeat a call is the source of, active or not (for its page)."""
    if case.kind != CaseKind.DATA_CALL:
        return None
    return db.session.scalar(select(DataCallRepeat).where(DataCallRepeat.source_case_id == case.id)
                             .order_by(DataCallRepeat.id.desc()).limit(1))
