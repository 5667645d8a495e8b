"""Read side of the applicant portal and the public lists."""
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app import clock, labels
from app.auth.models import Unit
from app.cases import hooks
from app.cases.models import Attachment, Case, CaseEntry, CaseEvent, CaseSubject, OpenTask
from app.credit import queries as credit_queries
from app.enums import JOINT_KINDS, CaseKind, EventType
from app.errors import NotFound
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.listings import queries as listing_queries
from app.listings import services as listing_services
from app.listings.models import Listing, PeriodSuspension
from app.listings.services import listing_of
from app.rights.objections import (
    applicant_case,
    handled_objection,
    objection_last_day,
    open_objection,
    open_to_objection,
    subject_cases_clause,
)
from app.rights.repair import open_repair

# Events an applicant is shown on their status pages (decisions and what concerns them, not deliberations).
APPLICANT_EVENTS = (
    "decision_recorded", "objection_filed", "objection_replied", "objection_reply_accepted", "complaint_filed",
    "complaint_decided", "punishment_suspended", "punishment_resumed", "determination_revoked", "case_closed",
    "timer_fired", "measure_applied", "repair_applied", "repair_reviewed", "repair_supplemented", "credit_repaired",
    "listing_started", "listing_expired", "measures_changed", "notice_issued", "statement_made", "statement_waived",
    "decision_served", "decision_issued",
)
# Timers of the units' own work the applicant is not told of (the periodic report round).
STAFF_ONLY_TIMERS = ("timer_report",)
# Attachments served to the subject: decision documents of the determination and of replies.
APPLICANT_DOCUMENT_PURPOSES = ("decision",)
# The steps an applicant is shown as "who must act, by when": those that decide on it or on its request (and any
# step that is its own). The units' own work — notices, pushes, meeting invitations, implementation and periodic
# reports, filing — read as if the punishment were still being set up or carried out (a repaired subject saw
# "定期报告实施情况" due), so a step is not shown unless it is named here.
SUBJECT_STEPS = ("pre_review", "determination", "reply_objection", "applicant_next", "applicant_next_partly",
                 "schedule_hearing", "decide_complaint", "review_repair", "supplement_repair", "verify_correction")


def checks_of_me(actor) -> list[tuple]:
    """Which units checked the applicant's subject in an approval, and when (not the matter numbers)."""
    return credit_queries.checks_of_subject(actor.subject_id) if actor.subject_id else []


def my_cases(actor):
    stmt = (
        select(Case).options(selectinload(Case.subjects).joinedload(CaseSubject.subject))
        .where(subject_cases_clause(actor)).order_by(Case.created_at.desc())
    )
    return list(db.session.scalars(stmt))


def own_listing_status(actor, cases) -> dict[int, str]:
    """{case id: the status of the applicant's own listing} (one query for the page)."""
    ids = [c.id for c in cases if c.kind in JOINT_KINDS]
    if not ids or actor.subject_id is None:
        return {}
    return dict(db.session.execute(select(Listing.case_id, Listing.status)
                                   .where(Listing.subject_id == actor.subject_id, Listing.case_id.in_(ids))).all())


def shown_status(case: Case, listing_status: str | None) -> str:
    """What the applicant reads as where its case is: the case's step, except that a case in effect says how the
    applicant's own punishment or reward stands (suspended by its objection, ended by repair, revoked)."""
    if case.status == "in_effect" and listing_status and listing_status != "in_effect":
        return str(labels.label(labels.LISTING_STATUS_LABELS, listing_status))
    if case.kind in JOINT_KINDS and case.decision == "act" and listing_status is None:
        return str(_l("Decided: no joint action is taken on you (the decision concerns other subjects of the case)"))
    if case.kind in JOINT_KINDS and case.status in labels.APPLICANT_STATUS_LABELS:
        return str(labels.APPLICANT_STATUS_LABELS[case.status])
    return str(labels.label(labels.STATUS_LABELS, case.status))


def left_out_of(case: Case, listing) -> bool:
    """The decision to act on the case took no action on this subject (it has no listing of it)."""
    return case.kind in JOINT_KINDS and case.decision == "act" and listing is None


def status_page(actor, case_id: int) -> dict:
    case = applicant_case(actor, case_id)
    parent = db.session.get(Case, case.parent_case_id) if case.parent_case_id else None
    listing = listing_of(case.id, actor.subject_id) if case.kind in JOINT_KINDS else (
        db.session.get(Listing, case.listing_id) if case.listing_id else None)
    rows = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.type.in_(APPLICANT_EVENTS)).order_by(CaseEvent.seq)
    ).all()
    # Several subjects can share a case: only what concerns this applicant's own listing. One the decision left out
    # has none: the units' reports of measures applied and the period's timers concern the others.
    own = listing.id if listing is not None else None
    left_out = left_out_of(case, listing)
    timeline = [ev for ev in rows if (ev.details or {}).get("listing_id") in (None, own)
                and (ev.details or {}).get("subject_id") in (None, actor.subject_id)
                and not (ev.type == "timer_fired" and ev.bpmn_id in STAFF_ONLY_TIMERS)
                and not (left_out and ev.type in ("measure_applied", "timer_fired"))]
    tasks = db.session.scalars(
        select(OpenTask).options(joinedload(OpenTask.unit)).where(
            OpenTask.case_id == case.id, or_(OpenTask.bpmn_id.in_(SUBJECT_STEPS), OpenTask.assignee_id == actor.id))
        .order_by(OpenTask.due_at)
    ).all()
    suspensions = db.session.scalars(
        select(PeriodSuspension).where(PeriodSuspension.listing_id == own).order_by(PeriodSuspension.id)
    ).all() if own else []
    requests = db.session.scalars(
        select(Case).join(CaseSubject, CaseSubject.case_id == Case.id)
        .where(Case.parent_case_id == case.id, CaseSubject.subject_id == actor.subject_id).order_by(Case.id)
    ).all()
    basis_case = parent if parent is not None else case
    entries = db.session.scalars(
        select(CaseEntry).options(joinedload(CaseEntry.catalog_version)).where(CaseEntry.case_id == basis_case.id)
        .order_by(CaseEntry.id)
    ).all()
    return {
        "entries": entries, "basis_case": basis_case, "deciding_body": deciding_body(basis_case),
        "documents": documents_for(actor, case),
        "shown_status": applicant_status(case, listing.status if listing is not None and case.kind in JOINT_KINDS else None,
                                         any(ev.type == EventType.COMPLAINT_FILED for ev in rows)),
        "case": case, "parent": parent, "timeline": timeline, "tasks": tasks, "suspensions": suspensions,
        "requests": requests, "listing": listing, "left_out": left_out,
        "open_objection": open_objection(case.id, actor.subject_id) if case.kind == CaseKind.PUNISHMENT else None,
        "handled_objection": handled_objection(case.id, actor.subject_id) if case.kind == CaseKind.PUNISHMENT else None,
        "effective_end": listing.period_end if listing is not None else None,
        # (the units whose measures still stand: one told to lift them — a partly founded objection — reads as lifting)
        "standing_units": listing_services.units_applying(listing) if listing is not None else set(),
        "suspended_now": listing is not None and listing.status == "suspended",
        # (as the objection itself counts it: a period run out counts from the decision where service was not recorded)
        "objection_last_day": (objection_last_day(case, listing, unserved_from_decision=listing is not None and listing.status == "expired")
                               if case.kind in JOINT_KINDS else None),
        # (a period run out leaves the determination on the record: open to objection within the time the decision states)
        "objectable": listing is not None and case.kind == CaseKind.PUNISHMENT and open_to_objection(listing, case),
        "today": clock.today_local(),
        # (its repair application being handled: the page shows it, not a form that would be refused)
        "pending_repair": open_repair(case.id, actor.subject_id) if case.kind == CaseKind.PUNISHMENT else None,
        **hooks.portal_sections(actor, case),  # e.g. the prior notice and the subject's statement
    }


def complained_of(cases) -> set[int]:
    """The applicant's objections with the office (or decided by it) on which it complained (one query for the list)."""
    ids = [c.id for c in cases if c.kind == CaseKind.OBJECTION and c.status in ("complaint", *_OFFICE_DECIDED)]
    if not ids:
        return set()
    return set(db.session.scalars(select(CaseEvent.case_id).where(CaseEvent.case_id.in_(ids),
                                                                  CaseEvent.type == EventType.COMPLAINT_FILED)))


def applicant_status(case: Case, listing_status: str | None, complained: bool) -> str:
    """What the applicant reads as its case's status, in the list as on the case's page."""
    return _with_office_why(case, complained) or shown_status(case, listing_status)


def _with_office_why(case: Case, complained: bool) -> str | None:
    """An objection with the office: because the subject complained, or because the unit did not reply in time (the
    staff's status names both); and an objection's reply told to the applicant, not of "the applicant"."""
    if case.kind == CaseKind.OBJECTION and case.status in _TO_APPLICANT:
        return str(_TO_APPLICANT[case.status])
    if case.kind != CaseKind.OBJECTION or case.status not in ("complaint", *_OFFICE_DECIDED):
        return None
    if case.status != "complaint":  # (decided by the office: on a complaint, or on the objection the unit left unanswered)
        return None if complained else str(_OFFICE_DECIDED[case.status])
    if complained:
        return str(_l("Your complaint is with the joint-meeting office, which handles it"))
    return str(_l("The deciding unit did not reply in time: the joint-meeting office now handles your objection"))


_TO_APPLICANT = {
    "objection_rejected": _l("Objection not upheld: you may accept the reply or complain to the joint-meeting office"),
    "objection_partly_open": _l("Objection partly upheld, measures changed: you may accept the reply or complain to the "
                                "joint-meeting office"),
}
# The office's decision on an objection the deciding unit did not answer in time: the subject never complained, so
# "投诉不成立" would misname it.
_OFFICE_DECIDED = {
    "complaint_upheld": _l("Decided by the joint-meeting office (the unit did not reply in time): objection upheld"),
    "complaint_rejected": _l("Decided by the joint-meeting office (the unit did not reply in time): objection not upheld, "
                             "the punishment resumes"),
    "complaint_partly": _l("Decided by the joint-meeting office (the unit did not reply in time): objection partly upheld, "
                           "measures changed"),
}


def deciding_body(case: Case) -> dict | None:
    """Who determined the case, in the words of the decision: the specialist group (and its member unit that
    recorded it) or the joint meeting through its office."""
    record = case.determination or {}
    if not case.decision:
        return None
    unit = db.session.get(Unit, record["deciding_unit_id"]) if record.get("deciding_unit_id") else None
    return {"group": case.group.name if case.group is not None and case.route == "group" else None,
            "unit": unit.name if unit is not None else None, "meeting_date": record.get("meeting_date")}


def _document_clause(actor, case: Case):
    # Documents served to the subject (decisions and replies), and what the applicant sent themselves.
    # A copy addressed to one subject is served to that subject only; a document addressed to no subject in particular
    # (a signed decision uploaded as it is) only where the case has no other subject, whose data it would carry.
    alone = db.session.scalar(select(func.count()).select_from(CaseSubject).where(CaseSubject.case_id == case.id)) <= 1
    mine = Attachment.subject_id == actor.subject_id
    served = Attachment.purpose.in_(APPLICANT_DOCUMENT_PURPOSES) & (or_(Attachment.subject_id.is_(None), mine) if alone else mine)
    return or_(served, Attachment.uploaded_by_id == actor.id)


def documents_for(actor, case: Case) -> list[Attachment]:
    return list(db.session.scalars(select(Attachment).where(Attachment.case_id == case.id, _document_clause(actor, case))
                                   .order_by(Attachment.id)))


def document(actor, case_id: int, attachment_id: int) -> Attachment:
    """One document of the applicant's case they may download (others are not found, whatever their id)."""
    case = applicant_case(actor, case_id)
    att = db.session.scalar(select(Attachment).where(Attachment.id == attachment_id, Attachment.case_id == case_id,
                                                     _document_clause(actor, case)))
    if att is None:
        raise NotFound(_l("No such file."))
    return att


def public_list(kind: str, q: str | None, page: int):
    """Black list (punishment), the serious-dishonesty list (part of it) or red list (reward): subjects under joint
    action now. Names, masked codes, the behaviour and the period — nothing else."""
    if kind == "serious":
        return listing_queries.public_list("punishment", q, page, serious=True)
    return listing_queries.public_list(kind, q, page)


def public_measures(listings) -> dict[int, list[str]]:
    """What each listed subject is subject to now, by unit (not measures lifted for it by a decision)."""
    return listing_queries.measures_of(listings)


def today():
    return clock.today_local()
