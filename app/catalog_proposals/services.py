"""Catalog entries proposed by member units (seed 001 二(一)1 「按照“谁主管、谁负责”的原则，……各成员单位……梳理……联合
激励和惩戒事项，由联席会议办公室整理汇总」; seed 003 1., 2.), drawn in bpmn/catalog_proposal.bpmn.

A unit drafts a new entry of its own field or a revision of an entry it administers (the entry's 认定单位 is the
unit); the draft is checked as the catalog checks entries. The office reviews it within the set time and publishes
it (a new entry, or a new version citing the proposal), returns it with reasons for the unit to amend, or does
not adopt it."""
from dataclasses import asdict

from sqlalchemy import select

from app import clock
from app.auth.models import ADMIN, CASEWORKER, GROUP_LEAD, OFFICE, Unit
from app.auth.permissions import require_role
from app.cases import events, runtime
from app.cases.models import REL_OFFICE, Case
from app.cases.services import add_case_unit, office_unit
from app.catalog import admin as catalog
from app.catalog.models import CatalogEntry, CatalogVersion
from app.enums import CaseKind, CaseStatus, EventType
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db, lock_row
from app.i18n import lazy_gettext as _l
from app.workdays.rules import current as current_rules

PROCESS_ID = "catalog_proposal"
PROPOSERS = (CASEWORKER, GROUP_LEAD)


def entries_of_unit(unit_id: int) -> list[CatalogEntry]:
    """Entries in use that the unit administers (it may propose revisions of these)."""
    rows = db.session.scalars(select(CatalogEntry).where(CatalogEntry.retired_at.is_(None)).order_by(CatalogEntry.code))
    return [e for e in rows if e.current_version and e.current_version.admin_unit_id == unit_id]


def _draft(actor, e: catalog.EntryIn, entry: CatalogEntry | None) -> dict:
    unit = db.session.get(Unit, actor.unit_id)
    if (e.admin_unit or "").strip() != unit.name:
        raise DomainError(_l("A unit proposes entries of its own field: the administrative unit is your unit."), "admin_unit")
    catalog.check_entry(e, entry)  # DomainError naming the fields
    return asdict(e)


def propose(actor, entry_id: int | None, e: catalog.EntryIn, reason: str, submission_key: str | None = None) -> Case:
    """A new entry (entry_id None) or a revision of one the unit administers (flush)."""
    require_role(actor, *PROPOSERS)
    entry = None
    if entry_id:
        entry = db.session.get(CatalogEntry, entry_id)
        if entry is None or entry.retired_at is not None:
            raise NotFound(_l("No such catalog entry in use."))
        if entry.current_version.admin_unit_id != actor.unit_id:
            raise PermissionDenied(_l("Your unit may propose revisions of the entries it administers only."))
        lock_row(CatalogEntry, entry.id)  # (the same form sent at once from two sessions: the second finds the first)
        pending = [c for c in db.session.scalars(select(Case).where(
            Case.kind == CaseKind.CATALOG_PROPOSAL, Case.status.in_((CaseStatus.PROPOSAL_REVIEW, CaseStatus.PROPOSAL_RETURNED))))
            if (c.determination or {}).get("entry_id") == entry.id]
        if pending:
            raise DomainError(_l("A proposal for this entry is open already (%(number)s): amend that one.", number=pending[0].number),
                              "reason")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why: the law, decision or change behind the proposal."), "reason")
    draft = _draft(actor, e, entry)
    now, office = clock.now(), office_unit()
    title = (_l("Revision of catalog entry %(code)s: %(b)s", code=entry.code, b=draft["behaviour"]) if entry
             else _l("New catalog entry proposed: %(b)s", b=draft["behaviour"]))
    case = Case(number=f"TMP-{now.timestamp()}-{actor.id}", kind=CaseKind.CATALOG_PROPOSAL, process_id=PROCESS_ID,
                status=CaseStatus.PROPOSAL_REVIEW, route="office", initiating_unit_id=actor.unit_id, created_by_id=actor.id,
                title=str(title)[:200], facts=reason[:8000], legal_basis=draft["legal_basis"][:4000], created_at=now,
                rules=current_rules(), determination={"entry_id": entry.id if entry else None, "draft": draft},
                submission_key=submission_key)
    db.session.add(case)
    db.session.flush()
    case.number = f"ML-{clock.local_date(now).year}-{case.id:06d}"
    add_case_unit(case.id, actor.unit_id, "initiator")
    add_case_unit(case.id, office.id, REL_OFFICE)
    events.record(case.id, EventType.PROPOSAL_FILED, actor, {"summary": case.title, "note": reason})
    runtime.start(case, PROCESS_ID, {"case_id": case.id, "office_unit_id": office.id, "proposer_unit_id": actor.unit_id}, actor)
    return case


def proposals_of(actor) -> list[Case]:
    stmt = select(Case).where(Case.kind == CaseKind.CATALOG_PROPOSAL).order_by(Case.created_at.desc()).limit(200)
    if actor.role not in (OFFICE, ADMIN):
        stmt = stmt.where(Case.initiating_unit_id == actor.unit_id)
    return list(db.session.scalars(stmt))


def draft_entry(case: Case) -> catalog.EntryIn:
    return catalog.EntryIn(**(case.determination or {}).get("draft", {}))


# -- the tasks ----------------------------------------------------------------------------------------------------
def review(ctx) -> dict:
    """Task review_proposal (the office): publish, return with reasons, or do not adopt."""
    outcome = ctx.values.get("outcome")
    reasons = (ctx.values.get("reasons") or "").strip()
    det = dict(ctx.case.determination or {})
    if outcome == "publish":
        why = str(_l("Proposed by %(unit)s (%(number)s): %(reason)s", unit=ctx.case.initiating_unit.name,
                     number=ctx.case.number, reason=ctx.case.facts))[:2000]
        if det.get("entry_id"):
            entry = db.session.get(CatalogEntry, det["entry_id"])
            if entry is None or entry.retired_at is not None:
                raise DomainError(_l("The entry was retired meanwhile: the proposal cannot be published."), "outcome")
            version = catalog.revise(ctx.actor, entry, draft_entry(ctx.case), why)
        else:
            code = (ctx.values.get("code") or "").strip()
            if not code:
                raise DomainError(_l("Give the new entry its code."), "code")
            created = catalog.create(ctx.actor, code, draft_entry(ctx.case), why)
            version = db.session.get(CatalogVersion, created.current_version_id)
        det.update(outcome="publish", reasons=reasons, published_version_id=version.id,
                   published=f"{version.entry.code} v{version.version_no}")
        events.record(ctx.case.id, EventType.PROPOSAL_PUBLISHED, ctx.actor, {"summary": det["published"], "note": reasons})
    elif outcome in ("return", "reject"):
        if not reasons:
            raise DomainError(_l("Give the reasons (the unit sees them)."), "reasons")
        det.update(outcome=outcome, reasons=reasons)
        events.record(ctx.case.id, EventType.PROPOSAL_RETURNED if outcome == "return" else EventType.PROPOSAL_REJECTED,
                      ctx.actor, {"reasons": reasons})
    else:
        raise DomainError(_l("Publish the proposal, return it or do not adopt it."), "outcome")
    ctx.case.determination = det
    return {"proposal_outcome": outcome}


def amend(ctx) -> dict:
    """Task amend_proposal (the proposing unit): the draft as changed, sent back to the office."""
    v = ctx.values
    e = catalog.EntryIn(v.get("kind"), v.get("group"), v.get("behaviour"), v.get("admin_unit"), v.get("grounds"),
                        v.get("legal_basis"), v.get("measures"), v.get("measure_content") or "", v.get("required_evidence") or "",
                        v.get("default_period_days"), v.get("source") or "national", v.get("source_document") or "",
                        bool(v.get("serious")))
    unit = db.session.get(Unit, ctx.task.unit_id)
    if (e.admin_unit or "").strip() != unit.name:
        raise DomainError(_l("A unit proposes entries of its own field: the administrative unit is your unit."), "admin_unit")
    entry_id = (ctx.case.determination or {}).get("entry_id")
    catalog.check_entry(e, db.session.get(CatalogEntry, entry_id) if entry_id else None)
    note = (v.get("reason") or "").strip()
    ctx.case.determination = dict(ctx.case.determination or {}, draft=asdict(e), outcome=None)
    events.record(ctx.case.id, EventType.PROPOSAL_AMENDED, ctx.actor, {"note": note})
    return {"proposal_outcome": None}


TASKS = {"catalog_proposals.review": review, "catalog_proposals.amend": amend}


def proposed_changes(case: Case) -> list[dict]:
    """The proposal field by field beside the entry it would change (the catalog's own comparison of two versions:
    each field, whether it changed, its lines): the office sees what it approves. A new entry: every field, as
    proposed. Empty when the draft no longer reads as an entry (its review refuses it anyway)."""
    det = case.determination or {}
    try:
        data = catalog.check_entry(draft_entry(case))
    except DomainError:
        return []
    proposed = CatalogVersion(**{k: data[k] for k in catalog.VERSIONED})
    entry = db.session.get(CatalogEntry, det["entry_id"]) if det.get("entry_id") else None
    current = entry.current_version if entry is not None else CatalogVersion(measures=[])
    return catalog.diff(current, proposed)
