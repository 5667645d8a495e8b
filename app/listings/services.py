"""Each subject's own punishment or reward: created when a decision is issued, then moved only by
messages to its process (bpmn/listing.bpmn) — suspended by its own objection or complaint, resumed from the
day of rejection, revoked, repaired, expired — and every change pushed to the units that apply its measures
(bpmn/measure_push.bpmn), which confirm. Services flush; the edge commits."""
from datetime import date, datetime, timedelta

from sqlalchemy import and_, bindparam, case, exists, select
from sqlalchemy.orm import joinedload

from app import clock
from app.cases import events, hooks, runtime
from app.cases.models import Case, CaseMeasure
from app.enums import EventType
from app.extensions import db, expire_loaded, flush_for, hold, lock_row
from app.listings import queries
from app.listings.models import ACTIVE, LIFTED_BY_DECISION, WITHDRAWN, Listing, ListingUnit, PeriodSuspension, Push
from app.listings.period import is_suspended_on, period_end
from app.workdays.services import add_working_days

LISTING_PROCESS = "listing"
PUSH_PROCESS = "measure_push"
ENDED = ("expired", "revoked", "repaired")
FAR_FUTURE = "9999-12-31T15:59:59+00:00"
# What a unit's measures become once it confirms a push.
STATE_AFTER = {"suspend": "suspended", "resume": "applied", "lift": "lifted", "apply": "applied"}  # a "correct" push leaves the state


# -- the period clock -----------------------------------------------------------------------------------
def suspensions(listing_id: int) -> list[tuple[date, date | None]]:
    return suspensions_of([listing_id]).get(listing_id, [])


def suspensions_of(listing_ids) -> dict[int, list[tuple[date, date | None]]]:
    """{listing id: its suspensions in order} for many listings at once (a page of a department's list)."""
    out: dict[int, list] = {}
    ids = list(listing_ids)
    if not ids:
        return out
    for lid, a, b in db.session.execute(
            select(PeriodSuspension.listing_id, PeriodSuspension.start, PeriodSuspension.end)
            .where(PeriodSuspension.listing_id.in_(ids)).order_by(PeriodSuspension.id)):
        out.setdefault(lid, []).append((a, b))
    return out


def effective_end(listing: Listing) -> date | None:
    return period_end(listing.period_start, listing.period_days, suspensions(listing.id))


def is_suspended(listing: Listing, day: date | None = None) -> bool:
    return is_suspended_on(day or clock.today_local(), suspensions(listing.id))


def open_suspension(listing_id: int) -> PeriodSuspension | None:
    return db.session.scalar(
        select(PeriodSuspension).where(PeriodSuspension.listing_id == listing_id, PeriodSuspension.end.is_(None)).limit(1)
    )


# -- functions BPMN expressions call (registered with the engine) -------------------------------------------
def listing_end_at(listing_id: int) -> str:
    """The expiry timer's due time: end of the last day of the period in Shanghai (tz-aware UTC string)."""
    listing = db.session.get(Listing, listing_id)
    end = effective_end(listing)
    return clock.end_of_local_day(end).isoformat() if end else FAR_FUTURE


def listings_active(case_id: int, besides: Listing | None = None) -> bool:
    """Whether a listing of the case is still in effect or suspended. `besides`: one of them whose new status may
    be only in memory yet; it is judged from memory and the others from the database (no flush for its one row)."""
    flush_for(Listing, besides=besides)
    if besides is not None and besides.status in ACTIVE:
        return True
    with db.session.no_autoflush:
        if besides is None:
            return bool(db.session.connection().execute(_ACTIVE_OF_CASE, {"case_id": case_id}).scalar())
        return bool(db.session.connection().execute(_ACTIVE_OF_CASE_BESIDES, {"case_id": case_id, "besides": besides.id}).scalar())


# (built once: the end of every case's implementation asks)
_ACTIVE_OF_CASE = select(exists().where(Listing.case_id == bindparam("case_id"), Listing.status.in_(ACTIVE)))
_ACTIVE_OF_CASE_BESIDES = select(exists().where(Listing.case_id == bindparam("case_id"), Listing.status.in_(ACTIVE),
                                                Listing.id != bindparam("besides")))


def next_report_at(case_id: int) -> str:
    """When the implementing units next report (rule report_interval, as copied onto the case): the first of the
    points counted from the start of the period (start + n intervals) that is after today, so that a late report or
    compilation does not move the later ones (seed 001 二(二)3 定期: a fixed rhythm, not one counted from each report)."""
    case = db.session.get(Case, case_id)
    rule = runtime.deadline_rule_of(case, "report_interval") or {"days": 90}
    today, days = clock.today_local(), max(int(rule["days"]), 1)
    flush_for(Listing)  # (the case's own pending writes, the compilation's summary and events, wait for the one flush)
    day = db.session.connection().execute(_FIRST_PERIOD_START, {"case_id": case_id}).scalar() or today
    while day <= today:
        day = add_working_days(day, days)[0] if rule.get("day_kind") == "working" else day + timedelta(days=days)
    return clock.end_of_local_day(day).isoformat()


# (built once: every compilation of feedback asks)
_FIRST_PERIOD_START = (select(Listing.period_start).where(Listing.case_id == bindparam("case_id"))
                       .order_by(Listing.period_start).limit(1))


SCRIPT_FUNCTIONS = {"listing_end_at": listing_end_at, "listings_active": listings_active, "next_report_at": next_report_at}


# -- creation at the decision's issue -------------------------------------------------------------------------
def create_for_decision(case: Case, actor) -> list[Listing]:
    """A decision to act, issued today (印发): one listing per subject it acts on, each with its own process. The units
    that apply the decided measures are those the listing pushes to."""
    if case.decision != "act" or case.kind not in ("punishment", "reward"):
        return []
    today = clock.today_local()
    det = case.determination or {}
    # The entry the listing is under: a serious-dishonesty entry before the others (the subject is on the serious list
    # whichever order the entries were ticked in), then by catalog code.
    version = min((ce.catalog_version for ce in case.entries),
                  key=lambda v: (not (case.kind == "punishment" and v.serious), v.entry.code))
    units = sorted(set(db.session.scalars(select(CaseMeasure.unit_id).where(CaseMeasure.case_id == case.id))))
    acted = det.get("subject_ids")  # (the subjects the meeting acted on; a record made before it decided per subject: all)
    out = []
    for cs in case.subjects:
        if acted is not None and cs.subject_id not in acted:
            continue
        listing = Listing(
            subject_id=cs.subject_id, kind=case.kind, source="case", case_id=case.id, catalog_version_id=version.id,
            deciding_unit_id=det["deciding_unit_id"], decision_no=case.decision_no, grounds=version.grounds,
            legal_basis=case.legal_basis, serious=case.kind == "punishment" and version.serious,
            decided_on=today, period_start=case.period_start or today, period_days=case.period_days,
            status="in_effect",
        )
        listing.period_end = listing.period_start + timedelta(days=listing.period_days - 1)
        db.session.add(listing)
        db.session.flush()
        for unit_id in units:
            db.session.add(ListingUnit(listing_id=listing.id, unit_id=unit_id, state="pending", updated_at=clock.now()))
            hooks.publish(hooks.MEASURE_CHANGED, listing=listing, unit_id=unit_id, action="apply", reason="decided")
        loaded = runtime.start(case, LISTING_PROCESS, {"listing_id": listing.id, "case_id": case.id, "listing_source": "case"}, actor)
        listing.instance_id = loaded.instance.id
        events.record(case.id, EventType.LISTING_STARTED, actor, {
            "listing_id": listing.id, "subject": cs.subject.name, "period_start": listing.period_start.isoformat(),
            "period_end": listing.period_end.isoformat(), "period_days": listing.period_days,
        })
        out.append(listing)
    db.session.flush()
    if case.kind == "punishment":
        touch_rewards_of([lst.subject_id for lst in out], actor)
    return out


# Reasons of the pushes to the units granting a reward whose subject a joint punishment now stands against, or no
# longer does (seed 002 五(一): the incentives are for the honest; seed 001 二(一)2 信息推送).
SUBJECT_PUNISHED, PUNISHMENT_ENDED = "subject_punished", "punishment_ended"


def touch_rewards_of(subject_ids: list[int], actor=None, now: dict | None = None) -> None:
    """A punishment of these subjects began or changed status (`now`: {listing id: status} changed in memory, not yet
    written): their red-list entries in effect go into the exchange's changes feed (incentives_withheld), by one
    UPDATE; and the units granting their incentives are told to withhold them while a punishment stands (in effect,
    or suspended during an objection: the determination stands) and to grant them again once none does."""
    if not subject_ids:
        return
    ids = set(subject_ids)
    # (the rewards it touched are the ones whose units may be told: none, the usual case, costs no further query)
    touched = db.session.connection().execute(_TOUCH_REWARDS, {"subject_ids": sorted(ids), "updated_at": clock.now()}).scalars().all()
    if not touched:
        return
    expire_loaded(Listing, lambda lst: lst.get("kind") == "reward" and lst.get("subject_id") in ids, ("updated_at",))
    rewards = db.session.scalars(select(Listing).where(Listing.id.in_(touched), Listing.case_id.is_not(None))
                                 .order_by(Listing.id)).all()
    standing = queries.punished_now(ids, now)
    for red in rewards:
        withheld = red.subject_id in standing
        push({"listing_id": red.id, "action": "suspend" if withheld else "resume",
              "reason": SUBJECT_PUNISHED if withheld else PUNISHMENT_ENDED}, red.case, actor)
        if withheld:
            hooks.publish(hooks.INCENTIVES_WITHHELD, listing=red)


def withhold_new_rewards(rewards: list[Listing], actor) -> None:
    """Red-list entries just made (a department's imported list) for subjects a joint punishment already stands
    against: their units are told at once to withhold the incentives, as when the punishment comes after."""
    standing = queries.punished_now({red.subject_id for red in rewards}) if rewards else frozenset()
    for red in rewards:
        if red.subject_id in standing:
            push({"listing_id": red.id, "action": "suspend", "reason": SUBJECT_PUNISHED}, red.case, actor)
            hooks.publish(hooks.INCENTIVES_WITHHELD, listing=red)


def on_decision(case: Case, actor) -> None:
    create_for_decision(case, actor)


_LU = ListingUnit.__table__
_REPORT_UNIT = (  # (built once: three units report on every case)
    _LU.update()
    .where(_LU.c.listing_id.in_(select(Listing.id).where(Listing.case_id == bindparam("b_case"))),
           # (each report, the first or a periodic one, is where the unit stands now: not a suspended or lifted measure)
           _LU.c.unit_id == bindparam("b_unit"), _LU.c.state.in_(("pending", "applied", "cannot")))
    # A measure reported applied on a subject whose punishment is suspended meanwhile (its objection being handled)
    # stands suspended: seed 001 二(三)2 措施暂停执行; the resumption's push tells the unit to apply it.
    .values(state=case((and_(bindparam("state") == "applied",
                             select(Listing.status).where(Listing.id == _LU.c.listing_id).scalar_subquery() == "suspended"),
                        "suspended"), else_=bindparam("state")),
            updated_at=bindparam("updated_at")))
_L = Listing.__table__
_TOUCH_REWARDS = (_L.update().where(_L.c.subject_id.in_(bindparam("subject_ids", expanding=True)), _L.c.kind == "reward",
                                    _L.c.status == "in_effect").values(updated_at=bindparam("updated_at")).returning(_L.c.id))
_TOUCH_LISTINGS = (  # (the case's listings, each asked whether the unit applies it: by the unique (listing, unit) index)
    _L.update()
    .where(_L.c.case_id == bindparam("b_case"),
           select(_LU.c.id).where(_LU.c.listing_id == _L.c.id, _LU.c.unit_id == bindparam("b_unit")).exists())
    .values(updated_at=bindparam("updated_at")))


def record_implementation(case: Case, unit_id: int, outcome: str) -> None:
    """A unit reported that it applied (or cannot apply) the measures: its listings of the case say so. One UPDATE
    (the task's other writes go out together at the end); the unit's loaded rows are read again."""
    flush_for(Listing, ListingUnit)
    now = clock.now()
    conn = db.session.connection()
    conn.execute(_REPORT_UNIT, {"b_case": case.id, "b_unit": unit_id, "updated_at": now,
                                "state": "applied" if outcome == "applied" else "cannot"})
    # (the exchange's changes feed carries each unit's implementation result: seed 003 8① 实施结果…实时反馈)
    conn.execute(_TOUCH_LISTINGS, {"b_case": case.id, "b_unit": unit_id, "updated_at": now})
    expire_loaded(ListingUnit, lambda lu: lu.get("unit_id") == unit_id, ("state", "updated_at"))
    expire_loaded(Listing, lambda lst: lst.get("case_id") == case.id, ("updated_at",))


# -- changes, each told to the listing's process --------------------------------------------------------------
def _deliver(listing: Listing, message: str, actor, payload: dict | None = None) -> bool:
    return runtime.deliver(listing.case, message, actor, payload, instance_id=listing.instance_id)


def _details(listing: Listing, **extra) -> dict:
    return {"listing_id": listing.id, "subject": listing.subject.name, **extra}


def _source_number(payload: dict) -> str | None:
    source = db.session.get(Case, payload["source_case_id"]) if payload.get("source_case_id") else None
    return source.number if source else None


def suspend(payload: dict, case: Case, actor) -> None:
    """The subject's objection or complaint is being handled: its punishment is suspended from the day it arrived
    (`since`: an objection received on paper is registered later; the days between do not count towards the period),
    else from today. (The row is held: a repair approved at the same moment ends it first or finds it suspended.)"""
    listing = locked(payload["listing_id"])
    if listing.status != "in_effect" or open_suspension(listing.id) is not None:
        return  # ended, or already suspended
    start = _suspended_since(payload.get("since"), listing)
    db.session.add(PeriodSuspension(case_id=listing.case_id, listing_id=listing.id, start=start,
                                    reason=payload.get("reason", "objection"), source_case_id=payload.get("source_case_id")))
    db.session.flush()
    listing.period_end = None
    events.record(listing.case_id, EventType.PUNISHMENT_SUSPENDED, actor,
                  _details(listing, reason=payload.get("reason"), source=_source_number(payload), **{"from": start.isoformat()}))
    _deliver(listing, "listing_suspend", actor)


def _suspended_since(since, listing: Listing) -> date:
    """The local day a suspension starts: the day the request arrived, never before the listing's period nor after
    today."""
    today = clock.today_local()
    try:
        day = clock.local_date(datetime.fromisoformat(since)) if since else today
    except (TypeError, ValueError):
        day = today
    return min(today, max(day, listing.period_start or day))


def _close_suspensions(listing: Listing, on: date | None = None) -> None:
    on = on or clock.today_local()
    closed = False
    for s in db.session.scalars(select(PeriodSuspension).where(PeriodSuspension.listing_id == listing.id,
                                                                PeriodSuspension.end.is_(None))):
        s.end, closed = max(on, s.start), True
    if closed:  # (the period's end is counted from the suspensions next: effective_end reads them)
        db.session.flush()


def resume(payload: dict, case: Case, actor) -> None:
    """Rejected: the period counts again from the day of rejection (其联合惩戒时限从驳回之日起继续计算): today, or
    (`since`) the day a reply on paper was served, which the unit records once it has been (not before the suspension
    began, not after today)."""
    listing = db.session.get(Listing, payload["listing_id"])
    if listing.status != "suspended":
        return
    on = _suspended_since(payload.get("since"), listing) if payload.get("since") else clock.today_local()
    # (partly upheld: the units whose measures the decision lifts next are not told to resume them first)
    lift = sorted({int(u) for u in payload.get("lift_units") or []} & {lu.unit_id for lu in listing.units})
    if lift:
        listing.pending_lift_units = lift
    _close_suspensions(listing, on)
    listing.period_end = effective_end(listing)
    events.record(listing.case_id, EventType.PUNISHMENT_RESUMED, actor,
                  _details(listing, source=_source_number(payload), **{"from": on.isoformat()}))
    _deliver(listing, "listing_resume", actor)


def _end(listing: Listing, reason: str, suspended: bool = True) -> None:
    """suspended=False: the listing is known not to be suspended (its period ran out: listing.bpmn's expiry timer
    waits only while it is in effect), so there is no open suspension to close."""
    if suspended:
        _close_suspensions(listing)
    today = clock.today_local()
    listing.period_end = min(listing.period_end or today, today)
    listing.ended_on, listing.end_reason = today, reason


def revoke(payload: dict, case: Case, actor) -> None:
    """Upheld: this subject's listing is revoked (不再对该主体采取惩戒措施); other subjects keep theirs. One whose period
    ran out while the objection was handled (its process ended with it, its measures lifted then) is marked revoked on
    the record here: nothing is left to push."""
    listing = locked(payload["listing_id"])
    if listing.status == "expired":
        listing.status, listing.end_reason = "revoked", "revoked"
        events.record(listing.case_id, EventType.DETERMINATION_REVOKED, actor,
                      _details(listing, source=_source_number(payload), reasons=payload.get("reasons", ""), after_expiry=True))
        return
    if listing.status not in ACTIVE:
        return
    # (a reward withdrawn from today, its subject no longer qualifying, stays on the lists of the days before)
    _end(listing, WITHDRAWN if payload.get("withdrawn") else "revoked")
    basis = {"basis_retired": payload["basis_retired"]} if payload.get("basis_retired") else {}  # (listings.retired_basis)
    if payload.get("withdrawn"):
        basis["withdrawn"] = True
    events.record(listing.case_id, EventType.DETERMINATION_REVOKED, actor,
                  _details(listing, source=_source_number(payload), reasons=payload.get("reasons", ""), **basis))
    _deliver(listing, "listing_revoke", actor)


def locked(listing_id: int) -> Listing:
    """The listing, its row held until the transaction ends and its status read afresh: two ends at once (an objection
    upheld while the deciding body revokes) record one."""
    lock_row(Listing, listing_id)
    listing = db.session.get(Listing, listing_id)
    db.session.refresh(listing, ["status"])
    return listing


def repaired(payload: dict, case: Case, actor) -> None:
    listing = locked(payload["listing_id"])
    if listing.status not in ACTIVE:
        return
    _end(listing, "repaired")
    events.record(listing.case_id, EventType.CREDIT_REPAIRED, actor,
                  _details(listing, repair_case=_source_number(payload), reasons=payload.get("reasons", "")))
    _deliver(listing, "listing_repaired", actor)


def change_measures(payload: dict, case: Case, actor) -> None:
    """Partly upheld: the measures of some units are lifted for this subject; the listing stays."""
    listing = db.session.get(Listing, payload["listing_id"])
    lift = sorted({int(u) for u in payload.get("lift_units") or []} & {lu.unit_id for lu in listing.units})
    if listing.status != "in_effect" or not lift:
        return
    listing.pending_lift_units = lift
    events.record(listing.case_id, EventType.MEASURES_CHANGED, actor, _details(listing, lift_units=lift,
                                                                             source=_source_number(payload)))
    _deliver(listing, "listing_changed", actor)


# -- pushes to the units ------------------------------------------------------------------------------------
def _open_pushes(listing_id: int) -> dict[int, Push]:
    """Unconfirmed, not superseded pushes of a listing that change the measure, by unit (corrections of the
    subject's data stand apart)."""
    rows = db.session.scalars(select(Push).where(Push.listing_id == listing_id, Push.confirmed_at.is_(None),
                                                 Push.superseded_at.is_(None), Push.action != "correct"))
    return {p.unit_id: p for p in rows}


def push_correction(subject_id: int, actor, reason: str = "corrected") -> list[Push]:
    """A subject's data was corrected: every unit applying a measure to it (listings in effect or suspended)
    confirms that it has updated its records."""
    out = []
    for listing in db.session.scalars(select(Listing).where(Listing.subject_id == subject_id,
                                                            Listing.status.in_(("in_effect", "suspended")),
                                                            Listing.case_id.is_not(None)).order_by(Listing.id)):
        out += push({"listing_id": listing.id, "action": "correct", "reason": reason}, listing.case, actor)
    return out


def units_applying(listing: Listing, open_pushes: dict[int, Push] | None = None) -> set[int]:
    """The units whose measures of the listing still stand: not lifted, nor told to lift (a lift not yet confirmed
    by the unit is as final as a confirmed one: a later suspension or resumption must not bring the measure back).
    `open_pushes`: the listing's, as _open_pushes read them (if the caller has)."""
    open_pushes = _open_pushes(listing.id) if open_pushes is None else open_pushes
    lifting = {u for u, p in open_pushes.items() if p.action == "lift"}
    return {lu.unit_id for lu in listing.units if lu.state != "lifted" and lu.unit_id not in lifting}


def _push_targets(listing: Listing, action: str, open_pushes: dict[int, Push]) -> list[ListingUnit]:
    if action == "lift":
        return [lu for lu in listing.units if lu.state != "lifted"]
    if action == "apply":  # a department's list: each unit starts applying its measures (a new listing: nothing lifted)
        return [lu for lu in listing.units if lu.state == "pending"]
    standing = units_applying(listing, open_pushes)
    units = [lu for lu in listing.units if lu.unit_id in standing]
    if action == "suspend":  # (told already, not yet confirmed: not told again)
        told = {u for u, p in open_pushes.items() if p.action == "suspend"}
        return [lu for lu in units if lu.state in ("pending", "applied") and lu.unit_id not in told]
    if action == "resume":  # those suspended, and those told to suspend who have not yet confirmed it
        told = {u for u, p in open_pushes.items() if p.action == "suspend"}
        lifting = set(listing.pending_lift_units or [])  # (a partly upheld objection's units: lifted next, not resumed)
        return [lu for lu in units if (lu.state == "suspended" or lu.unit_id in told) and lu.unit_id not in lifting]
    if action == "correct":
        return units
    if action == "change":
        lift = set(listing.pending_lift_units or [])
        return [lu for lu in units if lu.unit_id in lift]
    return []


def push(payload: dict, case: Case, actor) -> list[Push]:
    """The listing's process says what changed: each unit concerned gets a task to confirm it."""
    listing = db.session.get(Listing, payload["listing_id"])
    action = payload["action"]
    reason = payload.get("reason") or {"change": LIFTED_BY_DECISION}.get(action, action)
    # A newer change of the measure replaces one the unit has not yet confirmed; a correction of the subject's
    # data neither replaces nor is replaced (the unit must see both).
    open_pushes = _open_pushes(listing.id)
    earlier = {} if action == "correct" else open_pushes
    targets = _push_targets(listing, action, open_pushes)
    for lu in targets:
        if lu.unit_id in earlier:  # the newer change replaces the one the unit has not yet confirmed
            old = earlier[lu.unit_id]
            old.superseded_at = clock.now()
            runtime.deliver(listing.case, "push_superseded", actor, instance_id=old.instance_id)
    # The units' tasks first, all written at once, then the pushes that name them (a task handler finds its push by
    # the instance).
    started = runtime.start_many(listing.case, PUSH_PROCESS, [{"push_unit_id": lu.unit_id, "case_id": listing.case_id}
                                                              for lu in targets], actor)
    out = []
    for lu, loaded in zip(targets, started, strict=True):
        p = Push(listing_id=listing.id, unit_id=lu.unit_id, action="lift" if action == "change" else action, reason=reason,
                 instance_id=loaded.instance.id, created_at=clock.now())
        db.session.add(p)
        events.record(listing.case_id, EventType.PUSH_SENT, None,
                      _details(listing, unit_id=lu.unit_id, action=p.action, reason=reason))
        hooks.publish(hooks.MEASURE_CHANGED, listing=listing, unit_id=lu.unit_id, action=p.action, reason=reason, push=p)
        out.append(p)
    if action == "change":
        listing.pending_lift_units = None
    db.session.flush()
    return out


def push_for_instance(instance_id: int) -> Push:
    return db.session.scalar(select(Push).where(Push.instance_id == instance_id))


def confirm_push(actor, push_row: Push, note: str, cannot: bool = False) -> None:
    """The unit suspended, resumed or lifted its measure for this subject, or applied it; `cannot`: told to apply it, the
    unit cannot, for the reasons in `note` (seed 000 十 对执行情况进行全面准确登记; seed 001 二(一)2 执行反馈)."""
    push_row.confirmed_at, push_row.confirmed_by_id, push_row.note = clock.now(), actor.id, note
    lu = db.session.scalar(select(ListingUnit).where(ListingUnit.listing_id == push_row.listing_id,
                                                     ListingUnit.unit_id == push_row.unit_id))
    lu.state = "cannot" if cannot and push_row.action == "apply" else STATE_AFTER.get(push_row.action, lu.state)
    lu.updated_at = clock.now()
    push_row.listing.updated_at = lu.updated_at  # (the exchange's changes feed carries the unit's confirmation)
    events.record(push_row.listing.case_id, EventType.PUSH_CONFIRMED, actor,
                  _details(push_row.listing, unit_id=push_row.unit_id, action=push_row.action, note=note,
                           **({"cannot": True} if lu.state == "cannot" else {})))


# -- the listing's process says where it stands --------------------------------------------------------------
def listing_saved(instance, case: Case, saved, waiting: list[dict]) -> None:
    # (with its subject: what the listing's process does next, an event or a push, names it)
    # (and its units: a push to them is what the process throws next, most often)
    listing = db.session.scalars(select(Listing).options(joinedload(Listing.subject), joinedload(Listing.units))
                                 .where(Listing.instance_id == instance.id)).unique().one_or_none()
    if listing is None:
        return
    hold(listing)  # (what the process throws next, a push to the units, reads it again by id)
    props = saved.end_properties if saved.completed else next((w for w in waiting if w.get("listing_status")), {})
    status = props.get("listing_status")
    if status and status != listing.status:
        listing.status = status
        if status == "expired":
            _end(listing, "expired", suspended=False)
            events.record(listing.case_id, EventType.LISTING_EXPIRED, None, _details(listing))
        hooks.publish(hooks.LISTING_STATUS_CHANGED, listing=listing, status=status)
        if listing.kind == "punishment":
            touch_rewards_of([listing.subject_id], None, {listing.id: status})
    # (its new status is judged from memory: the runtime saves without autoflush, and its row goes out later)
    if saved.newly_completed and not listings_active(case.id, besides=listing):
        # Every listing of the case has ended: the procedure may close (if it waits for that now; if not, its
        # gateway asks listings_active when it gets there).
        runtime.deliver(case, "case_listings_ended")


# -- reading ---------------------------------------------------------------------------------------------------
def listings_of_case(case_id: int) -> list[Listing]:
    return list(db.session.scalars(select(Listing).where(Listing.case_id == case_id).order_by(Listing.id)))


def listing_of(case_id: int, subject_id: int) -> Listing | None:
    return db.session.scalar(select(Listing).where(Listing.case_id == case_id, Listing.subject_id == subject_id))


def pushes_of_case(case_id: int) -> list[Push]:
    return list(db.session.scalars(
        select(Push).join(Listing, Listing.id == Push.listing_id).where(Listing.case_id == case_id).order_by(Push.id)
    ))
