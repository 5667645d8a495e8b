"""Changes of units (机构和职能调整, seed 001 二(一)1): a unit merged into another, renamed into a new one or
abolished hands its work to a successor named by an administrator. Its open tasks, unconfirmed pushes, the
measures it applies to listings in effect, the objections it has to answer and the catalog entries naming it
move to the successor; the successor becomes a party to its cases so it sees their history, and the history
still shows who did what at the time (timeline events keep their actor and unit). New tasks for the old unit
go to its successor (the case runtime follows the succession)."""
from sqlalchemy import select, update

from app import clock
from app.audit import services as audit
from app.auth.models import ADMIN, SpecialistGroup, Unit, User
from app.auth.permissions import require_role
from app.cases import events
from app.cases.models import CaseMeasure, CaseUnit, OpenTask
from app.catalog import admin as catalog_admin
from app.enums import EventType
from app.errors import DomainError
from app.extensions import db, lock_row
from app.i18n import lazy_gettext as _l
from app.listings.models import Listing, ListingUnit, Push

ACTIVE_LISTING = ("in_effect", "suspended")


def hand_over(actor, unit_id: int, successor_id: int, reason: str) -> dict:
    """Move the unit's work to its successor and deactivate it (flush). Returns what moved, counted."""
    require_role(actor, ADMIN)
    old, new = db.session.get(Unit, unit_id), db.session.get(Unit, successor_id or 0)
    if old is None:
        raise DomainError(_l("No such unit."))
    if new is None or new.id == old.id:
        raise DomainError(_l("Choose the unit that takes over its work."), "successor_id")
    # Two hand-overs of one unit at once (to two successors) both found it not yet handed over and split its work
    # between them; and a successor handing its own work over meanwhile would be left holding this unit's. Both rows
    # are held (in id order: two requests never wait on each other) and read again before the checks.
    for held in sorted((old.id, new.id)):
        lock_row(Unit, held)
    db.session.refresh(old, ["successor_id", "active"])
    db.session.refresh(new, ["successor_id", "active"])
    if not new.active or new.successor_id is not None:
        raise DomainError(_l("The successor must be an active unit."), "successor_id")
    if old.successor_id is not None:
        raise DomainError(_l("This unit has already handed its work over."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why (merger, renaming, abolition) and under which decision."), "reason")
    now = clock.now()
    moved = {}

    # Open tasks: claims by people outside the successor are released.
    tasks = db.session.scalars(select(OpenTask).where(OpenTask.unit_id == old.id)).all()
    outsiders = set(db.session.scalars(select(User.id).where(User.unit_id != new.id)))
    for ot in tasks:
        ot.unit_id = new.id
        if ot.claimed_by_id in outsiders:
            ot.claimed_by_id = None
    moved["tasks"] = len(tasks)
    # Pushes not yet confirmed; measures applied to listings still in effect.
    moved["pushes"] = db.session.execute(
        update(Push).where(Push.unit_id == old.id, Push.confirmed_at.is_(None), Push.superseded_at.is_(None))
        .values(unit_id=new.id)).rowcount
    active = select(Listing.id).where(Listing.status.in_(ACTIVE_LISTING))
    rows = db.session.scalars(select(ListingUnit).where(ListingUnit.unit_id == old.id, ListingUnit.listing_id.in_(active))).all()
    has_new = set(db.session.scalars(select(ListingUnit.listing_id).where(ListingUnit.unit_id == new.id)))
    for lu in rows:
        if lu.listing_id in has_new:  # the successor already applies measures to this listing: one row
            db.session.delete(lu)
        else:
            lu.unit_id, lu.updated_at = new.id, now
    moved["listings"] = len(rows)
    active_cases = select(Listing.case_id).where(Listing.status.in_(ACTIVE_LISTING), Listing.case_id.is_not(None))
    moved["measures"] = db.session.execute(
        update(CaseMeasure).where(CaseMeasure.unit_id == old.id, CaseMeasure.case_id.in_(active_cases))
        .values(unit_id=new.id)).rowcount
    # The successor becomes a party wherever the old unit was (it reads their history).
    parties = db.session.execute(select(CaseUnit.case_id, CaseUnit.relation).where(CaseUnit.unit_id == old.id)).all()
    present = set(db.session.execute(select(CaseUnit.case_id, CaseUnit.relation).where(CaseUnit.unit_id == new.id)).all())
    for case_id, relation in parties:
        if (case_id, relation) not in present:
            db.session.add(CaseUnit(case_id=case_id, unit_id=new.id, relation=relation))
    # Specialist groups it leads or belongs to.
    for g in db.session.scalars(select(SpecialistGroup)):
        if g.lead_unit_id == old.id:
            g.lead_unit_id = new.id
        if old in g.members:
            g.members = [m for m in g.members if m.id != old.id] + ([new] if new not in g.members else [])
    moved["entries"] = len(catalog_admin.reassign_unit(actor, old.id, new.id, reason))
    old.successor_id, old.active = new.id, False
    db.session.flush()
    for case_id in sorted({c for c, _r in parties}):
        events.record(case_id, EventType.UNIT_SUCCEEDED, actor, {"summary": f"{old.name} → {new.name}", "note": reason})
    audit.record(actor, "unit", old.name, "hand_over", {"active": True},
                 {"active": False, "successor": new.name, "moved": ", ".join(f"{k} {v}" for k, v in moved.items())}, reason)
    return moved

