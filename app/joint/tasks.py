"""The tasks of bpmn/joint_punishment.bpmn: what completing each means for the case (found by the BPMN
form key, registered in create_app). A handler checks the domain rules, updates the case, records the
timeline and returns the data for the engine. The engine decides where the case goes next (gateways in
bpmn/); handlers never route."""
from datetime import date, timedelta

from sqlalchemy import bindparam, select

from app import clock
from app.auth.models import GROUP_LEAD, OFFICE, SpecialistGroup, Unit
from app.auth.services import current_unit_ids
from app.cases import attachments, events, hooks
from app.cases.models import REL_IMPLEMENTER, REL_LEAD, REL_NOTIFIED, Case, CaseMeasure
from app.cases.services import add_case_unit, office_unit
from app.cases.tasks import TaskContext
from app.cases.tasks import required as _required
from app.dates import ShownDate
from app.dueprocess import decision_document
from app.dueprocess import services as dueprocess
from app.enums import CaseKind, EventType
from app.errors import DomainError
from app.experts import convocation
from app.experts import services as experts
from app.extensions import db, expire_loaded, flush_for
from app.i18n import lazy_gettext as _l
from app.listings import queries as listing_queries
from app.listings import services as listings
from app.workdays.services import WorkCalendar

MAX_PERIOD_DAYS = 365 * 5


def pre_review(ctx: TaskContext) -> dict:
    outcome = ctx.values.get("outcome")
    if outcome not in ("accept", "return"):
        raise DomainError(_l("Choose accept or return."), "outcome")
    reasons = (ctx.values.get("reasons") or "").strip()
    if outcome == "return" and not reasons:
        raise DomainError(_l("Give the reasons for returning the trigger."), "reasons")
    events.record(
        ctx.case.id,
        EventType.PRE_REVIEW_ACCEPTED if outcome == "accept" else EventType.PRE_REVIEW_RETURNED,
        ctx.actor,
        {"reasons": reasons},
        bpmn_id=ctx.task.bpmn_id,
    )
    return {"review_outcome": outcome}


def amend_trigger(ctx: TaskContext) -> dict:
    facts = _required(ctx.values, "facts", _l("Describe the facts."))
    legal_basis = _required(ctx.values, "legal_basis", _l("Give the legal basis."))
    attachments.validate_uploads(ctx.files, "files")
    changed = [k for k, v in (("facts", facts), ("legal_basis", legal_basis)) if getattr(ctx.case, k) != v]
    ctx.case.facts, ctx.case.legal_basis = facts, legal_basis
    events.record(
        ctx.case.id,
        EventType.TRIGGER_RESUBMITTED,
        ctx.actor,
        {"changed": changed, "comment": (ctx.values.get("comment") or "").strip()},
        bpmn_id=ctx.task.bpmn_id,
    )
    attachments.store(ctx.case.id, ctx.actor, ctx.files, "evidence")
    return {}


def decide_route(ctx: TaskContext) -> dict:
    """A case spanning several groups, reported on by the receiving group: the office names the group that
    determines it, or records that the behaviour is major and determines it itself (seed 001 二(二)2)."""
    v = ctx.values
    outcome = v.get("outcome")
    groups = {ce.catalog_version.entry.group_id: ce.catalog_version.entry.group for ce in ctx.case.entries}
    if outcome == "major":
        reason = _required(v, "reason", _l("Say why the behaviour is major."))
        ctx.case.major, ctx.case.major_reason, ctx.case.route, ctx.case.group_id = True, reason, "office", None
        # (the office determines; the implementation is compiled by every group the case's entries belong to)
        # (the special meeting's decision goes to every group lead: determination, below)
        data = {"major": True, "determining_unit_id": office_unit().id, "determining_role": OFFICE,
                "compiling_units": sorted({g.lead_unit_id for g in groups.values()})}
        details = {"major": True, "reason": reason}
    elif outcome == "group":
        try:
            group = groups[int(v.get("group_id"))]
        except (TypeError, ValueError, KeyError):
            raise DomainError(_l("Choose one of the case's specialist groups."), "group_id") from None
        ctx.case.major, ctx.case.route, ctx.case.group_id = False, "group", group.id
        add_case_unit(ctx.case.id, group.lead_unit_id, REL_LEAD)
        # (the implementation is compiled by every group whose entries the case cites, not only the determining one:
        # seed 001 二(二)3 定期将联合奖惩实施情况汇总提交给各专项小组)
        data = {"major": False, "determining_unit_id": group.lead_unit_id, "determining_role": GROUP_LEAD,
                "compiling_units": sorted({g.lead_unit_id for g in groups.values()})}
        details = {"major": False, "group_id": group.id, "group": group.name}
    else:
        raise DomainError(_l("Name the determining body."), "outcome")
    events.record(ctx.case.id, EventType.ROUTE_DECIDED, ctx.actor, details, bpmn_id=ctx.task.bpmn_id)
    return data


def units_to_convene(case: Case) -> list[int]:
    """The units the case's information concerns (seed 001 二(二)2 召集奖惩信息涉及的成员单位…): the unit that reported the
    behaviour and those whose measures the cited entries name, as they are now: a unit merged or abolished since is
    replaced by the unit that took over its work (one no longer in use, with no successor, is left out: it cannot be
    convened)."""
    named = {m["unit_id"] for _k, m, _v in measure_choices(case)} | {case.initiating_unit_id}
    now = current_unit_ids(named)
    active = set(db.session.scalars(select(Unit.id).where(Unit.id.in_(set(now.values())), Unit.active.is_(True))))
    return sorted({u for u in now.values() if u in active})


def measure_choices(case: Case) -> list[tuple[str, dict, object]]:
    """(key, measure, catalog version) for every measure of every catalog version the case cites."""
    out = []
    for ce in case.entries:
        v = ce.catalog_version
        for m in v.measures:
            out.append((f"{v.id}:{m['code']}", m, v))
    return out


def default_period_days(case: Case) -> int:
    return max((ce.catalog_version.default_period_days for ce in case.entries), default=365)


def intended_decision(case: Case) -> str:
    """The notice's draft of the intended decision: the catalog's measures with their units, and the period."""
    # (each measure once: two entries of a case may give the same unit the same measure)
    lines = list(dict.fromkeys(m["text"] for _k, m, _v in measure_choices(case)))
    return "\n".join(lines + [str(_l("Period: %(days)s days from the day the decision is issued.", days=default_period_days(case)))])


def issue_notice(ctx: TaskContext) -> dict:
    """Tell each subject the intended determination, its grounds and basis and its rights (告知), before the
    meeting decides. The statement period runs from now until each notice's service is recorded, then from that day
    (bpmn: the timer asks statement_period_end; statement_due_at is kept as the period counted from issue)."""
    v = ctx.values
    notice = dueprocess.issue(ctx.case, ctx.actor, ctx.task.unit_id, v.get("intended"), v.get("grounds"), v.get("legal_basis"))
    return {"statement_due_at": clock.as_utc(notice.statement_due_at).isoformat()}


MAX_MEETING_AHEAD_DAYS = 90


def _meeting_date_problem(ctx: TaskContext, meeting_date) -> object | None:
    """What is wrong with the date a meeting is scheduled for (None if nothing)."""
    v = ctx.values
    if not isinstance(meeting_date, date):
        return _l("Enter the meeting date.")
    if meeting_date < clock.today_local():
        return _l("The meeting date cannot be in the past.")
    heard = dueprocess.heard_from(ctx.case)
    if heard and meeting_date < heard:
        # The subjects told of the intended determination may still state their case: a meeting before that would
        # decide without hearing them (the determination refuses it, so the experts would be drawn for nothing).
        return _l("The subjects may state their case until %(last)s: schedule the meeting on %(d)s or later.",
                  last=ShownDate(heard - timedelta(days=1)), d=ShownDate(heard))
    latest = max(clock.today_local(), heard or clock.today_local()) + timedelta(days=MAX_MEETING_AHEAD_DAYS)
    if meeting_date > latest:  # (experts are drawn and units convened for that day: months ahead, none could promise it)
        return _l("Schedule the meeting within %(n)s days (by %(d)s): the drawn experts and the convened units "
                  "are asked to keep that day.", n=MAX_MEETING_AHEAD_DAYS, d=ShownDate(latest))
    if not v.get("day_off") and not WorkCalendar(meeting_date, meeting_date).is_workday(meeting_date):
        # (the experts and the convened units are told this date: a day off is a choice made knowingly)
        return _l("%(date)s is a day off. Choose a working day, or tick that the meeting is held on a day off.",
                  date=ShownDate(meeting_date))
    return None


def schedule_meeting(ctx: TaskContext) -> dict:
    """Schedule the determination (or special) meeting and draw its experts at random (seed 001 二(二)2). Every
    problem of the form is said at once (the date, the numbers of experts, a unit left out or an expert excluded
    without a reason): a secretary met them one submission at a time."""
    v = ctx.values
    meeting_date = v.get("meeting_date")
    errors = []
    problem = _meeting_date_problem(ctx, meeting_date)
    if problem is not None:
        errors.append(("meeting_date", problem))
    legal = industry = reserves = 0
    try:
        legal, industry, reserves = (int(v.get(k)) for k in ("legal_count", "industry_count", "reserves"))
    except (TypeError, ValueError):
        errors.append(("legal_count", _l("Give the numbers of experts as whole numbers.")))
    else:
        # Seed 001 二(二)2: experts of the industries concerned and of law are drawn onto the meeting: at least one
        # of law and one of each industry of the case.
        if legal < 1:
            errors.append(("legal_count", _l("Draw at least one legal expert onto the meeting.")))
        if industry < 1 and experts.case_fields(ctx.case):
            errors.append(("industry_count", _l("Draw at least one expert of each industry of the case.")))
    fields = {"legal": legal, **{f: industry for f in experts.case_fields(ctx.case)}}
    # Seed 001 二(二)2 召集奖惩信息涉及的成员单位…共同审查和认定: the units whose measures the cited entries name are
    # convened (the form ticks them); one left out needs the meeting organiser's written reason, kept with the case.
    chosen = [int(u) for u in v.get("convened_unit_ids") or []]
    concerned = sorted(set(units_to_convene(ctx.case)) - {ctx.task.unit_id})
    left_out = [u for u in concerned if u not in chosen]
    convening_reason = (v.get("convening_reason") or "").strip()
    if left_out and not convening_reason:
        names = "、".join(db.session.scalars(select(Unit.name).where(Unit.id.in_(left_out)).order_by(Unit.name)))
        errors.append(("convened_unit_ids", _l("Convene the units whose measures the cited entries name (not convened: "
                                               "%(units)s), or say why they are not.", units=names)))
    excluded = [int(i) for i in v.get("excluded_expert_ids") or []]
    reason = (v.get("exclusion_reason") or "").strip()
    if excluded and not reason:
        errors.append(("exclusion_reason", _l("Give a written reason for every manual exclusion.")))
    if errors:
        raise DomainError(errors[0][1], errors=errors)
    draw = experts.draw(
        ctx.actor, ctx.case, meeting_date, {"fields": fields, "reserves": reserves},
        manual={i: reason for i in excluded}, purpose="determination",
    )
    experts.invite_members(ctx.actor, draw, ctx.case)
    convened = convocation.convene(ctx.actor, ctx.case, meeting_date, chosen)
    record = dict(ctx.case.determination or {})
    record.update(scheduled_meeting_date=meeting_date.isoformat(), draw_id=draw.id, convened_unit_ids=[c.unit_id for c in convened])
    if left_out:
        record.update(not_convened_unit_ids=left_out, convening_reason=convening_reason)
    ctx.case.determination = record
    details = {"meeting_date": meeting_date.isoformat(), "draw_id": draw.id}
    if left_out:
        details["reasons"] = convening_reason
    events.record(ctx.case.id, EventType.MEETING_SCHEDULED, ctx.actor, details, bpmn_id=ctx.task.bpmn_id)
    return {"meeting_date": meeting_date.isoformat(), "draw_id": draw.id}


def _unanswered(ctx: TaskContext) -> list[tuple[str, object]]:
    """Every required answer the determination form lacks, found at once: the checks below stop at the first, and a
    meeting's secretary met them one submission at a time (the statement answer, then the reason, then the measures)."""
    v, out = ctx.values, []
    if not (v.get("minutes") or "").strip():
        out.append(("minutes", _l("Enter the minutes of the meeting.")))
    if not v.get("attending_unit_ids"):
        out.append(("attending_unit_ids", _l("Choose the units that attended.")))
    decision = v.get("decision")
    if decision not in ("act", "no_action"):
        out.append(("decision", _l("Choose the decision.")))
    out += dueprocess.unanswered(dueprocess.stated_notices(ctx.case.id), v.get("statement_answer"), v.get("statement_answers"))
    if decision == "act":
        if not v.get("measures"):
            out.append(("measures", _l("Choose at least one measure from the catalog entry.")))
        given = {str(s) for s in v.get("subject_ids") or []}
        if given and {str(cs.subject_id) for cs in ctx.case.subjects} - given and not (v.get("subjects_reason") or "").strip():
            out.append(("subjects_reason", _l("Say why the meeting takes no action on the subjects left out (as in the minutes).")))
    return out


def _reward_only_for_the_honest(case, acted: list[int]) -> None:
    """A joint reward is not decided for a subject a joint punishment has come to stand against since the filing (seed
    002 五(一) 对诚实守信者): the meeting leaves it out, with its reason, or decides no joint action."""
    if case.kind != CaseKind.REWARD:
        return
    punished = listing_queries.punished_now(acted)
    names = [cs.subject.name for cs in case.subjects if cs.subject_id in punished]
    if names:
        raise DomainError(_l("A joint punishment now stands against %(names)s: a joint reward is for the honest (资府办发〔2017〕7号 "
                             "五(一)). Leave the subject out, with the reason, or decide no joint action.",
                             names="、".join(names)), "decision")


def determination(ctx: TaskContext) -> dict:
    v = ctx.values
    missing = _unanswered(ctx)
    if len(missing) > 1:  # (one alone is raised by its own check below, with the same words)
        raise DomainError(_l("Complete the marked fields: %(n)s are missing.", n=len(missing)), errors=missing)
    meeting_date = v.get("meeting_date")
    if not isinstance(meeting_date, date):
        raise DomainError(_l("Enter the meeting date."), "meeting_date")
    if meeting_date > clock.today_local():
        raise DomainError(_l("The meeting date cannot be in the future: record a meeting that took place."), "meeting_date")
    minutes = _required(v, "minutes", _l("Enter the minutes of the meeting."))
    attending = list(dict.fromkeys(int(u) for u in v.get("attending_unit_ids") or []))
    if not attending:
        raise DomainError(_l("Choose the units that attended."), "attending_unit_ids")
    decision = v.get("decision")
    if decision not in ("act", "no_action"):
        raise DomainError(_l("Choose the decision."), "decision")
    experts_attended = experts.check_quorum(ctx.case, v.get("attending_expert_ids") or [])
    scheduled = (ctx.case.determination or {}).get("scheduled_meeting_date")
    if scheduled and meeting_date < date.fromisoformat(scheduled):
        # The convened units and the drawn experts were told that day: a meeting before it is not the one they were
        # convened to (a later day is a postponement).
        raise DomainError(_l("The meeting was scheduled for %(d)s, the day the convened units and the drawn experts were "
                             "told: record a meeting held on or after that day.", d=ShownDate(date.fromisoformat(scheduled))),
                          "meeting_date")
    heard = dueprocess.heard_from(ctx.case)
    if heard and meeting_date < heard:
        raise DomainError(_l("The meeting must be held after the subjects were heard: not before %(d)s.", d=ShownDate(heard)),
                          "meeting_date")
    statements = dueprocess.answer_statements(ctx.case, v.get("statement_answer"), v.get("statement_answers"))
    attachments.validate_uploads(attachments.of_field(ctx.files, "files"), "files")
    attachments.validate_uploads(attachments.of_field(ctx.files, "decision_files"), "decision_files")
    choices = {key: (m, ver) for key, m, ver in measure_choices(ctx.case)}
    chosen = list(dict.fromkeys(v.get("measures") or []))
    record = {
        "meeting_date": meeting_date.isoformat(),
        "attending_unit_ids": attending,
        "attending_experts": experts_attended,
        "minutes": minutes,
        "decision": decision,
        "measures": [],
        "period_days": None,
        "deciding_unit_id": ctx.task.unit_id,
        "statements": statements,
    }
    data = {"decision": decision, "implementing_units": [], "reporting_units": []}
    if decision == "act":
        acted, left_out, why_not = _acted_subjects(ctx.case, v)
        _reward_only_for_the_honest(ctx.case, acted)
        record["subject_ids"] = acted
        for cs in ctx.case.subjects:
            cs.not_acted = cs.subject_id in left_out
        if left_out:
            record.update(not_acted=[{"subject_id": cs.subject_id, "name": cs.subject.name} for cs in ctx.case.subjects
                                     if cs.subject_id in left_out], not_acted_reason=why_not[:2000])
        if not chosen:
            raise DomainError(_l("Choose at least one measure from the catalog entry."), "measures")
        unknown = [k for k in chosen if k not in choices]
        if unknown:
            raise DomainError(_l("A chosen measure is not in the catalog entry the case cites."), "measures")
        # Seed 001 二(一)1 (目录清单之外…不得实施联合惩戒): an entry retired since the case was filed is no basis any more.
        retired = sorted({ver.entry.code for key in chosen for _m, ver in [choices[key]] if ver.entry.retired_at is not None})
        if retired:
            raise DomainError(_l("Catalog entry %(codes)s was retired after the case was filed: its measures are no longer "
                                 "in the catalog and cannot be decided. Choose measures of an entry in force, or decide no "
                                 "joint action.", codes="、".join(retired)), "measures")
        # The period starts on the day the decision is issued to the units (印发): recording it issues it.
        period_start = clock.today_local()
        try:
            days = int(v.get("period_days"))
        except (TypeError, ValueError):
            raise DomainError(_l("The period must be a whole number of days."), "period_days")
        if not 1 <= days <= MAX_PERIOD_DAYS:
            raise DomainError(_l("The period must be between 1 and %(max)s days.", max=MAX_PERIOD_DAYS), "period_days")
        # Seed 001 二(三)1 (the catalog sets each behaviour's period), 二(二)3 (by the catalog and the minutes): a
        # period other than the catalog's is the meeting's to decide, with its reason on record.
        catalog_days = default_period_days(ctx.case)
        period_reason = (v.get("period_reason") or "").strip()
        if days != catalog_days and not period_reason:
            raise DomainError(_l("The period differs from the catalog's %(n)s days: record why the meeting set it (as in the minutes).",
                                 n=catalog_days), "period_reason")
        period_end = period_start + timedelta(days=days - 1)
        units = []
        for key in chosen:
            m, ver = choices[key]
            db.session.add(
                CaseMeasure(
                    case_id=ctx.case.id, catalog_version_id=ver.id, measure_code=m["code"], text=m["text"], unit_id=m["unit_id"]
                )
            )
            if m["unit_id"] not in units:
                units.append(m["unit_id"])
            add_case_unit(ctx.case.id, m["unit_id"], REL_IMPLEMENTER)
        ctx.case.period_start, ctx.case.period_end, ctx.case.period_days = period_start, period_end, days
        record.update(measures=chosen, period_days=days, period_start=period_start.isoformat(), period_end=period_end.isoformat(),
                      catalog_period_days=catalog_days)
        if days != catalog_days:
            record["period_reason"] = period_reason[:2000]
        data.update(implementing_units=units, reporting_units=units)
    previous = ctx.case.determination or {}
    record.update({k: previous[k] for k in ("scheduled_meeting_date", "draw_id") if k in previous})
    # Closing the meeting ends open invitations; the opinions' vote count is recorded with the decision.
    record["votes"] = experts.close_meeting(ctx.actor, ctx.case, "determination")
    ctx.case.determination = record
    ctx.case.decision = decision
    ctx.case.decided_at = clock.now()
    if ctx.case.major:
        # The special meeting's decision, to act or not, goes to every group lead (会议决定印发专项小组各牵头单位: the
        # notify_groups step), who reads the case from now on.
        leads = sorted(set(db.session.scalars(select(SpecialistGroup.lead_unit_id))))
        for uid in leads:
            add_case_unit(ctx.case.id, uid, REL_NOTIFIED)
        data["concerned_lead_units"] = leads
    events.record(ctx.case.id, EventType.DECISION_RECORDED, ctx.actor, record, bpmn_id=ctx.task.bpmn_id)
    decision_document.issue(ctx.case, ctx.actor)  # numbered, one copy per subject, to the units and the office
    hooks.publish(hooks.DECISION_RECORDED, case=ctx.case, actor=ctx.actor)
    # The minutes stay internal; the decision document is what the subjects are served and may download.
    attachments.store(ctx.case.id, ctx.actor, attachments.of_field(ctx.files, "files"), "minutes")
    attachments.store(ctx.case.id, ctx.actor, attachments.of_field(ctx.files, "decision_files"), "decision", "decision_files")
    return data


def _acted_subjects(case: Case, v: dict) -> tuple[list[int], list[int], str]:
    """The subjects a decision to act applies to, those left out and why. Seed 001 二(二)2 共同审查和认定是否实施: each
    subject was told of the intended decision and heard on its own, so the meeting decides for each; one it does not act
    on gets no listing, and its copy of the decision says so with the reason. (Not given: every subject.)"""
    everyone = [cs.subject_id for cs in case.subjects]
    given = v.get("subject_ids")
    if given is None:
        return everyone, [], ""
    try:
        chosen = {int(s) for s in given}
    except (TypeError, ValueError):
        raise DomainError(_l("A chosen subject is not a subject of this case."), "subject_ids")
    if chosen - set(everyone):
        raise DomainError(_l("A chosen subject is not a subject of this case."), "subject_ids")
    if not chosen:
        raise DomainError(_l("Choose the subjects the decision to act applies to, or decide on no joint action."), "subject_ids")
    left_out = [s for s in everyone if s not in chosen]
    why_not = (v.get("subjects_reason") or "").strip()
    if left_out and not why_not:
        raise DomainError(_l("Say why the meeting takes no action on the subjects left out (as in the minutes)."),
                          "subjects_reason")
    return [s for s in everyone if s in chosen], left_out, why_not


def acknowledge(ctx: TaskContext) -> dict:
    note = (ctx.values.get("note") or "").strip()
    kind = EventType.DECISION_FILED if ctx.task.bpmn_id in ("file_decision", "file_no_action") else EventType.DECISION_RECEIVED
    events.record(ctx.case.id, kind, ctx.actor, {"note": note, "unit_id": ctx.task.unit_id}, bpmn_id=ctx.task.bpmn_id)
    return {}


_M = CaseMeasure.__table__
_REPORT_MEASURES = (  # (built once: three units report on every case)
    _M.update().where(_M.c.case_id == bindparam("b_case"), _M.c.unit_id == bindparam("b_unit"))
    .values(status=bindparam("status"), report=bindparam("report"), reported_at=bindparam("reported_at"))
    .returning(_M.c.measure_code))


def implement(ctx: TaskContext) -> dict:
    outcome = ctx.values.get("outcome")
    if outcome not in ("applied", "cannot"):
        raise DomainError(_l("Say whether the measures were applied."), "outcome")
    report = _required(ctx.values, "report", _l("Write a short report."))
    reasons = (ctx.values.get("reasons") or "").strip()
    if outcome == "cannot" and not reasons:
        raise DomainError(_l("Give the reasons why the measures cannot be applied."), "reasons")
    attachments.validate_uploads(ctx.files, "files")
    now = clock.now()
    # One UPDATE … RETURNING (the codes go into the event), not a SELECT and an UPDATE; loaded measures it changed
    # are read again.
    flush_for(CaseMeasure)
    codes = db.session.connection().execute(_REPORT_MEASURES, {
        "b_case": ctx.case.id, "b_unit": ctx.task.unit_id, "status": outcome,
        "report": report + (f"\n{reasons}" if reasons else ""), "reported_at": now}).scalars().all()
    case_id, unit_id = ctx.case.id, ctx.task.unit_id
    expire_loaded(CaseMeasure, lambda m: m.get("case_id") == case_id and m.get("unit_id") == unit_id,
                  ("status", "report", "reported_at"))
    events.record(
        ctx.case.id,
        EventType.MEASURE_APPLIED if outcome == "applied" else EventType.MEASURE_NOT_APPLIED,
        ctx.actor,
        {"unit_id": ctx.task.unit_id, "report": report, "reasons": reasons, "measures": list(codes),
         "periodic": ctx.task.bpmn_id == "periodic_report"},
        bpmn_id=ctx.task.bpmn_id,
    )
    attachments.store(ctx.case.id, ctx.actor, ctx.files, "implementation")
    listings.record_implementation(ctx.case, ctx.task.unit_id, outcome)
    return {}


def compile_feedback(ctx: TaskContext) -> dict:
    """A specialist group compiles the units' implementation. Several groups compiling one case (the office determined
    it) each keep their own latest summary, named by their unit."""
    summary = _required(ctx.values, "summary", _l("Write the compiled feedback."))
    record = dict(ctx.case.determination or {})
    by_unit = dict(record.get("feedback_by_unit") or {})
    by_unit[str(ctx.task.unit_id)] = summary
    if len(by_unit) > 1:
        names = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_([int(u) for u in by_unit]))).all())
        ctx.case.feedback_summary = "\n".join(f"{names.get(int(u), u)}：{s}" for u, s in sorted(by_unit.items(), key=lambda i: int(i[0])))
    else:
        ctx.case.feedback_summary = summary
    record["feedback_by_unit"] = by_unit
    ctx.case.determination = record
    events.record(ctx.case.id, EventType.FEEDBACK_COMPILED, ctx.actor, {"summary": summary, "unit_id": ctx.task.unit_id},
                  bpmn_id=ctx.task.bpmn_id)
    return {}


TASKS = {
    "joint_punishment.pre_review": pre_review,
    "joint_punishment.decide_route": decide_route,
    "joint_punishment.amend_trigger": amend_trigger,
    "joint_punishment.issue_notice": issue_notice,
    "joint_punishment.schedule_meeting": schedule_meeting,
    "joint_punishment.determination": determination,
    "joint_punishment.acknowledge": acknowledge,
    "joint_punishment.implement": implement,
    "joint_punishment.compile_feedback": compile_feedback,
}
