"""Expert draws and meetings as a service any flow can call (determination meetings, the office's special
meetings, and later complaint hearings): draw with recorded inputs, invite, replace decliners and the
silent from reserves (or by a top-up draw with the same method), collect opinions, close the meeting."""
import math
from collections import Counter
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import clock
from app.auth.models import ADMIN, EXPERT, OFFICE, SUPERVISOR, SpecialistGroup, User
from app.auth.services import current_unit_id
from app.cases import events, runtime
from app.cases.models import Case, CaseEvent, CaseSubject
from app.cases.services import office_unit
from app.enums import CaseKind, EventType
from app.errors import DomainError
from app.experts import convocation
from app.experts.draw import ALGORITHM, compute_picks, inputs_digest, new_seed
from app.experts.models import LEGAL, Draw, Expert, Invitation, Opinion
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.labels import FIELD_LABELS

INVITATION_PROCESS = "expert_invitation"
SAT_STATUSES = ("confirmed", "opinion", "closed")  # took part (closed: confirmed, meeting ended)

REASONS = {
    "initiating_unit": _l("affiliated with the initiating unit"),
    "deciding_unit": _l("affiliated with the determining body"),
    "implementing_unit": _l("affiliated with an implementing unit"),
    "subject": _l("affiliated with the subject"),
    "unavailable": _l("unavailable on the meeting date"),
    "earlier_case": _l("sat on an earlier case about the same subject"),
    "no_account": _l("has no active system account"),
    "already_drawn": _l("already drawn for this meeting"),
    "manual": _l("excluded by the convener"),
}


def active_experts() -> list[Expert]:
    return list(db.session.scalars(select(Expert).where(Expert.active.is_(True)).order_by(Expert.id)))


# -- inputs ----------------------------------------------------------------------------------------
def case_fields(case: Case) -> list[str]:
    """Industry fields of a case: the domains of the specialist groups of the catalog entries it cites."""
    return sorted({ce.catalog_version.entry.group.domain for ce in case.entries})


def default_request(case: Case) -> dict:
    d = current_app.config["DRAW_DEFAULTS"]
    fields = {LEGAL: d["legal"]}
    for f in case_fields(case):
        fields[f] = d["industry"]
    return {"fields": fields, "reserves": d["reserves"]}


def pool_snapshot() -> list[dict]:
    """Every active expert as the database has them now, in canonical order (by id)."""
    experts = db.session.scalars(select(Expert).where(Expert.active.is_(True)).order_by(Expert.id)).all()
    logins = dict(
        db.session.execute(
            select(User.expert_id, User.id).where(User.role == EXPERT, User.active.is_(True), User.expert_id.is_not(None))
        ).all()
    )
    return [
        {
            "id": e.id,
            "name": e.name,
            "fields": sorted(e.fields),
            "affiliation": e.affiliation,
            "affiliated_unit_id": e.affiliated_unit_id,
            "affiliated_subject_code": e.affiliated_subject_code,
            "unavailable": [[u.start.isoformat(), u.end.isoformat()] for u in e.unavailable],
            "user_id": logins.get(e.id),
        }
        for e in experts
    ]


def _exclusions(pool: list[dict], case: Case, meeting_date: date, manual: dict[int, str], already: set[int]) -> list[dict]:
    subject_codes = {cs.subject.code for cs in case.subjects}
    implementing = {m["unit_id"] for ce in case.entries for m in ce.catalog_version.measures}
    deciding = _determining_unit_id(case)
    deciding = {deciding, current_unit_id(deciding)} if deciding else set()  # (and the unit that took over its work)
    earlier = _experts_who_sat_on_other_cases_about(case)
    out = []
    for c in pool:
        reasons = []
        if c["id"] in already:
            reasons.append(("already_drawn", ""))
        if c["affiliated_unit_id"] and c["affiliated_unit_id"] == case.initiating_unit_id:
            reasons.append(("initiating_unit", ""))
        if c["affiliated_unit_id"] and c["affiliated_unit_id"] in implementing:
            reasons.append(("implementing_unit", ""))
        if c["affiliated_unit_id"] and c["affiliated_unit_id"] in deciding:
            reasons.append(("deciding_unit", ""))
        if c["affiliated_subject_code"] and c["affiliated_subject_code"] in subject_codes:
            reasons.append(("subject", c["affiliated_subject_code"]))
        if any(date.fromisoformat(a) <= meeting_date <= date.fromisoformat(b) for a, b in c["unavailable"]):
            reasons.append(("unavailable", ""))
        if c["id"] in earlier:
            reasons.append(("earlier_case", earlier[c["id"]]))
        if not c["user_id"]:
            reasons.append(("no_account", ""))
        if c["id"] in manual:
            reasons.append(("manual", manual[c["id"]]))
        for code, detail in reasons:
            out.append({"expert_id": c["id"], "reason": code, "detail": detail})
    return out


class HearingDraw:
    """A complaint hearing's draw: the punished case's facts decide the exclusions (its subjects, the units that
    filed, decided and apply it, the experts who sat on it), the draw is recorded on the complaint."""

    def __init__(self, parent: Case, complaint: Case):
        self._parent, self.id = parent, complaint.id

    def __getattr__(self, name):
        return getattr(self._parent, name)


def _draw_basis(case: Case):
    """What a draw for this case excludes by: for a complaint (an objection case), the determination complained of."""
    if isinstance(case, Case) and case.kind == CaseKind.OBJECTION and case.parent_case_id:
        parent = db.session.get(Case, case.parent_case_id)
        if parent is not None:
            return HearingDraw(parent, case)
    return case


def _determining_unit_id(case: Case) -> int | None:
    """The body whose meeting the experts advise (the group's lead unit, or the office for a special meeting): its own
    staff give no independent opinion on its determination. For a complaint hearing, the unit that made the
    determination complained of."""
    det = case.determination or {}
    if det.get("deciding_unit_id"):
        return det["deciding_unit_id"]
    if case.parent_case_id:  # (an objection's hearing: the determination it is about)
        parent = db.session.get(Case, case.parent_case_id)
        return _determining_unit_id(parent) if parent is not None and parent.id != case.id else None
    if case.route == "group" and case.group_id:
        return db.session.scalar(select(SpecialistGroup.lead_unit_id).where(SpecialistGroup.id == case.group_id))
    if case.route == "office":
        return office_unit().id
    return None


def _experts_who_sat_on_other_cases_about(case: Case) -> dict[int, str]:
    subject_ids = [cs.subject_id for cs in case.subjects]
    rows = db.session.execute(
        select(Invitation.expert_id, Case.number)
        .join(Case, Case.id == Invitation.case_id)
        .join(CaseSubject, CaseSubject.case_id == Case.id)
        .where(CaseSubject.subject_id.in_(subject_ids), Case.id != case.id, Invitation.status.in_(SAT_STATUSES))
    ).all()
    return {expert_id: number for expert_id, number in rows}


# -- the draw ---------------------------------------------------------------------------------------
def draw(
    actor, case: Case, meeting_date: date, request: dict, manual: dict[int, str] | None = None,
    purpose: str = "determination", parent: Draw | None = None,
) -> Draw:
    """Draw experts for a meeting and record everything needed to verify it. Refuses, recording nothing,
    when a field cannot be filled, naming per field the exclusions that caused the shortfall."""
    manual = manual or {}
    for eid, reason in manual.items():
        if not (reason or "").strip():
            raise DomainError(_l("Give a written reason for every manual exclusion."), "exclusion_reason")
    if not request.get("fields") or any(int(n) < 0 for n in request["fields"].values()):
        raise DomainError(_l("Ask for at least one expert."), "fields")
    already = _already_drawn(case, purpose)
    pool = pool_snapshot()
    exclusions = _exclusions(pool, case, meeting_date, manual, already)
    seed = new_seed()
    picks, shortfalls = compute_picks(pool, exclusions, request, seed)
    if shortfalls:
        raise DomainError(_l("The draw cannot be filled."), errors=[(None, _shortfall_message(s, pool, exclusions)) for s in shortfalls])
    digest = inputs_digest(pool, exclusions, request, seed, ALGORITHM)
    d = Draw(
        case_id=case.id, purpose=purpose, meeting_date=meeting_date, request=request, pool=pool,
        exclusions=exclusions, seed=seed, algorithm=ALGORITHM, picks=picks, inputs_digest=digest,
        parent_draw_id=parent.id if parent else None, created_by_id=actor.id if actor else None,
    )
    db.session.add(d)
    db.session.flush()
    events.record(
        case.id, EventType.EXPERT_DRAW, actor,
        {"draw_id": d.id, "inputs_digest": digest, "picks": [[p["expert_id"], p["field"], p["role"]] for p in picks],
         "request": request, "members": sum(p["role"] == "member" for p in picks),
         "reserves": sum(p["role"] == "reserve" for p in picks), "excluded": len({e["expert_id"] for e in exclusions}),
         "top_up": parent is not None, "meeting_date": meeting_date.isoformat()},
    )
    return d


def _shortfall_message(s, pool, exclusions) -> str:
    having = {c["id"] for c in pool if s.field in c["fields"]}
    reasons = Counter(REASONS[e["reason"]] for e in exclusions if e["expert_id"] in having)
    why = "、".join(f"{r} ×{n}" for r, n in reasons.items()) or str(_l("none"))
    return str(
        _l(
            "Field %(field)s: %(needed)s needed, %(eligible)s eligible (%(total)s in the database; excluded: %(why)s).",
            field=field_label(s.field), needed=s.needed, eligible=s.eligible, total=len(having), why=why,
        )
    )


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def _already_drawn(case: Case, purpose: str) -> set[int]:
    ids = set()
    for d in db.session.scalars(select(Draw).where(Draw.case_id == case.id, Draw.purpose == purpose, Draw.closed_at.is_(None))):
        ids.update(p["expert_id"] for p in d.picks)
    return ids


def may_verify(actor, draw_row: Draw) -> bool:
    """The office, supervisors and administrators; an expert once they have confirmed they attend (as with the case
    itself): the record names who sits on the meeting and who was excluded and why, which reserves and experts only
    invited do not see."""
    if actor.role in (OFFICE, SUPERVISOR, ADMIN):
        return True
    return actor.role == EXPERT and db.session.scalar(select(Invitation.id).where(
        Invitation.draw_id == draw_row.id, Invitation.expert_id == actor.expert_id,
        Invitation.status.in_(SAT_STATUSES))) is not None


def draws_sat_on(actor, case_id: int) -> list[Draw]:
    """The draws of a case by which this expert sits on its meeting (confirmed), oldest first."""
    if actor.role != EXPERT or actor.expert_id is None:
        return []
    sat = select(Invitation.id).where(Invitation.draw_id == Draw.id, Invitation.expert_id == actor.expert_id,
                                      Invitation.status.in_(SAT_STATUSES))
    return list(db.session.scalars(select(Draw).where(Draw.case_id == case_id, sat.exists()).order_by(Draw.id)))


def was_invited(actor, draw_row: Draw) -> bool:
    """An expert invited by this draw (who knows of it, whether or not they may verify it yet)."""
    return actor.role == EXPERT and db.session.scalar(select(Invitation.id).where(
        Invitation.draw_id == draw_row.id, Invitation.expert_id == actor.expert_id).limit(1)) is not None


def verify(draw_row: Draw) -> tuple[bool, list[dict]]:
    """Recompute from the stored inputs: the picks must equal the recorded picks, and the inputs must
    hash to the digest recorded at draw time — on the draw row and, for a stored draw, in the case's
    hash-chained timeline (so rewriting the row alone does not pass). Returns (ok, recomputed picks)."""
    try:
        picks, shortfalls = compute_picks(draw_row.pool, draw_row.exclusions, draw_row.request, draw_row.seed, draw_row.algorithm)
        digest = inputs_digest(draw_row.pool, draw_row.exclusions, draw_row.request, draw_row.seed, draw_row.algorithm)
    except (ValueError, KeyError, TypeError):
        return False, []
    ok = not shortfalls and picks == draw_row.picks and digest == draw_row.inputs_digest
    if ok and draw_row.id is not None:
        ok = digest == _digest_on_timeline(draw_row)
    return ok, picks


def _digest_on_timeline(draw_row: Draw) -> str | None:
    for details in db.session.scalars(
        select(CaseEvent.details).where(CaseEvent.case_id == draw_row.case_id, CaseEvent.type == EventType.EXPERT_DRAW)
    ):
        if details.get("draw_id") == draw_row.id:
            return details.get("inputs_digest")
    return None


# -- invitations ------------------------------------------------------------------------------------
def invite_members(actor, d: Draw, case: Case) -> list[Invitation]:
    return [invite(actor, d, case, p) for p in d.picks if p["role"] == "member"]


def invite(actor, d: Draw, case: Case, pick: dict) -> Invitation:
    entry = next(c for c in d.pool if c["id"] == pick["expert_id"])
    now = clock.now()
    # The case's own copy of the rule, as the expert's task shows it (one source for both).
    respond_by = runtime.case_deadline(case, "expert_response", now).due_at
    inv = Invitation(
        draw_id=d.id, case_id=case.id, expert_id=pick["expert_id"], field=pick["field"], status="invited",
        invited_at=now, respond_by=respond_by,
    )
    db.session.add(inv)
    db.session.flush()
    loaded = runtime.start(
        case, INVITATION_PROCESS,
        {"invitation_id": inv.id, "expert_user_id": entry["user_id"], "respond_by": respond_by.isoformat()},
        actor,
    )
    inv.instance_id = loaded.instance.id
    events.record(
        case.id, EventType.EXPERT_INVITED, actor,
        {"invitation_id": inv.id, "expert": entry["name"], "field": pick["field"], "role": pick["role"],
         "respond_by": respond_by.isoformat()},
    )
    return inv


def invitation_for_instance(instance_id: int) -> Invitation:
    return db.session.scalar(select(Invitation).where(Invitation.instance_id == instance_id))


def invitation_ended(inst, case: Case, props: dict) -> None:
    """When an invitation process ends (registered in create_app): record how it ended; replace a decliner or a silent expert."""
    inv = invitation_for_instance(inst.id)
    if inv is None:
        return
    status = props.get("invitation_status")
    if status == "expired":
        inv.status = "expired"
        events.record(case.id, EventType.EXPERT_NO_ANSWER, None, {"invitation_id": inv.id, "expert": inv.expert.name})
    elif status == "closed":
        inv.status = "closed" if inv.status == "confirmed" else "closed_unanswered"
    if status in ("expired", "declined"):
        replace(inv, case)


def replace(inv: Invitation, case: Case) -> Invitation | None:
    """Invite the next reserve of the same field; with none left, draw a top-up with the same method."""
    d = inv.draw
    if d.closed_at is not None:
        return None
    invited = set(db.session.scalars(select(Invitation.expert_id).where(Invitation.case_id == case.id)))
    chain = db.session.scalars(
        select(Draw).where(Draw.case_id == case.id, Draw.purpose == d.purpose, Draw.closed_at.is_(None)).order_by(Draw.id)
    ).all()
    for dr in chain:
        for p in sorted(dr.picks, key=lambda p: p["rank"]):
            if p["field"] == inv.field and p["role"] == "reserve" and p["expert_id"] not in invited:
                events.record(case.id, EventType.EXPERT_REPLACED, None, {"invitation_id": inv.id, "by_reserve": True})
                return invite(None, dr, case, p)
    try:
        top = draw(None, _draw_basis(case), d.meeting_date, {"fields": {inv.field: 1}, "reserves": d.request.get("reserves", 0)},
                   purpose=d.purpose, parent=d)
    except DomainError as exc:
        events.record(case.id, EventType.EXPERT_DRAW_SHORT, None, {"field": inv.field, "messages": [str(m) for _f, m in exc.errors]})
        return None
    events.record(case.id, EventType.EXPERT_REPLACED, None, {"invitation_id": inv.id, "by_reserve": False, "draw_id": top.id})
    return invite_members(None, top, case)[0]


def respond(actor, inv: Invitation, answer: str, reason: str) -> None:
    if inv.status != "invited":
        raise DomainError(_l("This invitation has already been answered."))
    if answer == "decline" and not reason.strip():
        raise DomainError(_l("Give a reason for declining."), "reason")
    inv.status = "confirmed" if answer == "confirm" else "declined"
    inv.answered_at, inv.reason = clock.now(), reason.strip()
    events.record(
        inv.case_id, EventType.EXPERT_CONFIRMED if answer == "confirm" else EventType.EXPERT_DECLINED, actor,
        {"invitation_id": inv.id, "expert": inv.expert.name, "reason": reason.strip()},
    )


def submit_opinion(actor, inv: Invitation, vote: str, reasons: str) -> Opinion:
    if inv.status != "confirmed":
        raise DomainError(_l("Only a confirmed expert can give an opinion, once."))
    if vote not in ("support", "oppose", "abstain"):
        raise DomainError(_l("Choose your vote."), "vote")
    if not reasons.strip():
        raise DomainError(_l("Write your opinion."), "reasons")
    op = Opinion(invitation_id=inv.id, case_id=inv.case_id, expert_id=inv.expert_id, vote=vote, reasons=reasons.strip())
    db.session.add(op)
    inv.status = "opinion"
    events.record(inv.case_id, EventType.EXPERT_OPINION, actor, {"invitation_id": inv.id, "expert": inv.expert.name, "vote": vote})
    return op


def _open_draws(case_id: int, purpose: str) -> list[Draw]:
    return list(db.session.scalars(
        select(Draw).where(Draw.case_id == case_id, Draw.purpose == purpose, Draw.closed_at.is_(None)).order_by(Draw.id)
    ))


def confirmed_experts(case_id: int, purpose: str = "determination") -> list[Invitation]:
    """Experts of the open meeting who confirmed (and may have given an opinion): who can take part."""
    draw_ids = [d.id for d in _open_draws(case_id, purpose)]
    if not draw_ids:
        return []
    return list(db.session.scalars(
        select(Invitation).where(Invitation.draw_id.in_(draw_ids), Invitation.status.in_(("confirmed", "opinion")))
        .order_by(Invitation.id)
    ))


def check_quorum(case: Case, attended_expert_ids: list[int], purpose: str = "determination") -> list[dict]:
    """The drawn experts must take part: of the seats drawn (members requested; a top-up fills a seat), at
    least the configured share attended. Returns [{expert_id, name, field}] of those who attended, or raises
    DomainError saying how many are needed."""
    draws = _open_draws(case.id, purpose)
    seats = sum(int(n) for d in draws if d.parent_draw_id is None for n in d.request["fields"].values())
    confirmed = {inv.expert_id: inv for inv in confirmed_experts(case.id, purpose)}
    attended = [confirmed[i] for i in dict.fromkeys(int(x) for x in attended_expert_ids) if int(i) in confirmed]
    needed = math.ceil(seats * current_app.config["EXPERT_QUORUM"])
    if seats == 0 or len(attended) < needed:
        raise DomainError(_l("The drawn experts must take part: %(needed)s of %(seats)s seats needed, %(n)s of the "
                             "confirmed experts marked as attending.", needed=needed, seats=seats, n=len(attended)),
                          "attending_expert_ids")
    return [{"expert_id": inv.expert_id, "name": inv.expert.name, "field": inv.field} for inv in attended]


def close_meeting(actor, case: Case, purpose: str) -> dict:
    """Close the meeting: no more opinions or replacements; open invitations end. Returns the vote count."""
    draws = db.session.scalars(select(Draw).where(Draw.case_id == case.id, Draw.purpose == purpose, Draw.closed_at.is_(None))).all()
    now = clock.now()
    if purpose in ("determination", "complaint"):
        convocation.close(actor, case)  # the units' open invitations end too
    for d in draws:
        d.closed_at = now
    draw_ids = [d.id for d in draws]
    votes = vote_count(case.id, draw_ids)
    if not draw_ids:
        return votes
    open_invitations = db.session.scalars(
        select(Invitation).where(Invitation.draw_id.in_(draw_ids), Invitation.status.in_(("invited", "confirmed")))
    ).all()
    for inv in open_invitations:
        loaded = runtime.load(inv.instance_id, lock=True)
        loaded.engine.deliver_message("meeting_closed")
        runtime.save(loaded, case, actor)
    return votes


def vote_count(case_id: int, draw_ids: list[int] | None = None) -> dict:
    stmt = select(Opinion.vote).join(Invitation, Invitation.id == Opinion.invitation_id).where(Opinion.case_id == case_id)
    if draw_ids is not None:
        stmt = stmt.where(Invitation.draw_id.in_(draw_ids))
    counts = Counter(db.session.scalars(stmt))
    return {v: counts.get(v, 0) for v in ("support", "oppose", "abstain")}


def meeting_view(case_id: int, purpose: str = "determination") -> dict:
    """Draws, invitations and opinions of a case's meeting, for the convener's pages."""
    draws = db.session.scalars(select(Draw).where(Draw.case_id == case_id, Draw.purpose == purpose).order_by(Draw.id)).all()
    invitations = db.session.scalars(
        select(Invitation).options(joinedload(Invitation.expert)).where(Invitation.case_id == case_id).order_by(Invitation.id)
    ).all()
    opinions = db.session.scalars(select(Opinion).options(joinedload(Opinion.expert)).where(Opinion.case_id == case_id)
                                  .order_by(Opinion.id)).all()
    return {"draws": draws, "invitations": invitations, "opinions": opinions,
            "votes": vote_count(case_id, [d.id for d in draws if d.closed_at is None] or None)}

