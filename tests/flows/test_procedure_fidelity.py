"""Procedure fidelity (issue 15), each finding through the real BPMN, services and database: each subject's
own punishment, pushes to the units, listing from the decision's issue, routing as seed 001 二(二) says,
escalation, quorum, periodic feedback."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import clock as app_clock
from app.auth.models import SpecialistGroup, User
from app.cases import queries as case_queries
from app.cases import tasks
from app.cases.models import Case, CaseEvent
from app.enums import EventType
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.joint.tasks import measure_choices
from app.listings.models import Push
from app.rights import accounts, objections, queries, repair
from app.scheduler.jobs import escalate_overdue, sweep_deadlines, sweep_timers
from app.supervision.models import Notice
from tests.conftest import user
from tests.helpers import (
    COMPANY,
    COMPANY2,
    PDF,
    PERSON,
    WHO,
    applicant_for,
    complete,
    determine,
    do,
    event_types,
    experts_confirm,
    file_case,
    heard,
    implement_all,
    in_effect_case,
    issue_codes,
    listing_for,
    listings_of,
    main_instance,
    only_task,
    open_tasks,
    schedule,
    task_of,
    unit_id,
)


def _applicants(case, codes):
    out = {}
    for cs in case.subjects:
        s = cs.subject
        out[s.code] = accounts.register(s.kind, s.code, codes[s.id], f"app-{s.code[-4:]}", "A-long-passw0rd", "")
    db.session.commit()
    return out


def _confirm_pushes(case_id: int) -> int:
    n = 0
    for t in open_tasks(case_id, "confirm_push"):
        name = next(n for n in WHO if unit_id(n) == t.unit_id)
        complete(WHO[name], t, {"done": True, "note": "已调整"})
        n += 1
    return n


def test_two_subjects_each_their_own_punishment_through_interleaved_objections_revocation_and_repair(org, clock):
    case, codes = in_effect_case(days=365, subjects=(COMPANY, COMPANY2))
    assert case.route == "group" and not case.multi_group  # two subjects in one group stay with the group
    apps = _applicants(case, codes)
    a, b = apps[COMPANY[2]], apps[COMPANY2[2]]
    clock.move_to("2026-11-25T02:00:00+00:00")
    obj_a = objections.file_objection(a, case.id, "A 的异议。", [])
    db.session.commit()
    assert listing_for(case.id, COMPANY[2]).status == "suspended"
    assert listing_for(case.id, COMPANY2[2]).status == "in_effect"  # A's objection does not move B
    clock.move_to("2026-11-26T02:00:00+00:00")
    obj_b = objections.file_objection(b, case.id, "B 的异议。", [])
    db.session.commit()
    clock.move_to("2026-11-27T02:00:00+00:00")
    # Rejecting A's objection resumes A only: B's own objection is still open.
    do(user("market_lead"), task_of(obj_a.id, "reply_objection"), {"outcome": "rejected", "reasons": "不成立"})
    la, lb = listing_for(case.id, COMPANY[2]), listing_for(case.id, COMPANY2[2])
    assert la.status == "in_effect" and lb.status == "suspended"
    # A's period resumed from the day of rejection (suspended 25, 26 Nov: 2 days) -> ends 2 days later.
    assert la.period_end == date(2027, 11, 24)
    # Upholding B's objection revokes B only.
    do(user("market_lead"), task_of(obj_b.id, "reply_objection"), {"outcome": "upheld", "reasons": "成立"})
    la, lb = listing_for(case.id, COMPANY[2]), listing_for(case.id, COMPANY2[2])
    assert la.status == "in_effect" and lb.status == "revoked"
    assert queries.public_list("punishment", None, 1).total == 1  # A still listed, B removed
    # A repairs its credit: A's listing ends; B could apply for nothing (revoked), and B's revocation stands.
    clock.move_to("2027-03-01T02:00:00+00:00")
    rep = repair.apply(a, case.id, "已整改。", True, [PDF], [])
    db.session.commit()
    do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "approve", "reasons": "准予"})
    la, lb = listing_for(case.id, COMPANY[2]), listing_for(case.id, COMPANY2[2])
    assert (la.status, la.ended_on) == ("repaired", date(2027, 3, 1)) and lb.status == "revoked"
    with pytest.raises(DomainError):
        repair.apply(b, case.id, "也想修复。", True, [PDF], [])
    db.session.rollback()
    # Every change reached each unit applying a measure to that subject, and nobody else's.
    pushes = db.session.scalars(select(Push).order_by(Push.id)).all()
    by_listing = {}
    for p in pushes:
        by_listing.setdefault(p.listing_id, []).append(p.action)
    assert by_listing[la.id] == ["suspend"] * 3 + ["resume"] * 3 + ["lift"] * 3
    assert by_listing[lb.id] == ["suspend"] * 3 + ["lift"] * 3
    # Nobody confirmed in between: each newer push replaced the older one in the unit's inbox.
    assert len(open_tasks(case.id, "confirm_push")) == 6
    assert sum(1 for p in pushes if p.superseded_at is not None) == 9
    # The quarterly report fell due on the way (21 Feb); once compiled, nothing is in effect: the procedure ends.
    for t in open_tasks(case.id, "periodic_report"):
        complete(WHO[next(n for n in WHO if unit_id(n) == t.unit_id)], t, {"outcome": "applied", "report": "已解除"})
    complete("market_lead", only_task(case.id, "compile_periodic"), {"summary": "均已终止"})
    assert db.session.get(Case, case.id).status == "closed"


def test_partly_upheld_objection_lifts_some_units_measures_and_records_which(org, clock):
    case, codes = in_effect_case()
    a = _applicants(case, codes)[COMPANY[2]]
    obj = objections.file_objection(a, case.id, "部分措施不当。", [])
    db.session.commit()
    _confirm_pushes(case.id)  # suspended everywhere
    finance = unit_id("市财政局")
    do(user("market_lead"), task_of(obj.id, "reply_objection"),
       {"outcome": "partly", "reasons": "政府采购限制不适用", "lift_units": [finance]})
    listing = listing_for(case.id, COMPANY[2])
    assert listing.status == "in_effect"
    # The finance bureau is told to lift its measure, not first to resume it (one push, its measure named).
    assert {(p.unit_id, p.action) for p in db.session.scalars(select(Push).where(Push.confirmed_at.is_(None)))} == {
        (unit_id("市住房城乡建设局"), "resume"), (unit_id("市市场监管局"), "resume"), (finance, "lift")}
    _confirm_pushes(case.id)
    states = {lu.unit_id: lu.state for lu in listing_for(case.id, COMPANY[2]).units}
    assert states[finance] == "lifted" and states[unit_id("市市场监管局")] == "applied"
    assert event_types(case.id).count(EventType.MEASURES_CHANGED) == 1


def _partly_upheld(case, codes):
    """COMPANY objects; the deciding unit finds it partly founded and lifts the finance bureau's measure for it."""
    a = _applicants(case, codes)[COMPANY[2]]
    obj = objections.file_objection(a, case.id, "部分措施不当。", [])
    db.session.commit()
    do(user("market_lead"), task_of(obj.id, "reply_objection"),
       {"outcome": "partly", "reasons": "政府采购限制不适用", "lift_units": [unit_id("市财政局")]})
    return a, obj


def test_a_partly_upheld_objection_may_be_complained_of_to_the_office(client, org, clock):
    """Seed 001 二(三)2: a subject who finds the reply insufficient may complain to the office. A partly upheld reply
    leaves measures in place, so its subject gets the same choice as after a rejection, in the same window."""
    case, codes = in_effect_case()
    a, obj = _partly_upheld(case, codes)
    choice = task_of(obj.id, "applicant_next_partly")
    assert db.session.get(Case, obj.id).status == "objection_partly_open"
    from tests.conftest import login

    login(client, a.username)  # (the choice is told to the subject, not of "the applicant")
    mine = client.get("/portal/").get_data(as_text=True)
    assert "异议部分成立，措施已调整：您可以接受答复，或向联席会议办公室投诉" in mine and "申请人可" not in mine
    assert choice.assignee_id == a.id and choice.deadline_rule == "complaint_window" and choice.due_at is not None
    assert listing_for(case.id, COMPANY[2]).status == "in_effect"
    do(a, choice, {"next_step": "complain", "grounds": "其余措施依据不客观。"})
    assert db.session.get(Case, obj.id).status == "complaint"
    assert listing_for(case.id, COMPANY[2]).status == "suspended"  # suspended again while the office handles it
    # (the subject reads that its complaint is with the office, not that the unit was late: in its list as on the page)
    mine = client.get("/portal/").get_data(as_text=True)
    assert "您的投诉已提交联席会议办公室，正在处理" in mine and "投诉或单位逾期未答复" not in mine
    status = client.get(f"/portal/cases/{obj.id}").get_data(as_text=True).split("当前状态")[1][:120]
    assert "您的投诉已提交联席会议办公室，正在处理" in status
    parent = client.get(f"/portal/cases/{case.id}").get_data(as_text=True)
    assert "联席会议办公室正在处理" in parent and "您的异议正在处理中" not in parent
    # The finance bureau's measure, lifted by the reply, is not told to suspend: it reads as being lifted.
    measures = parent.split("<h2 class=\"h6 mt-3\">措施</h2>")[1].split("</ul>")[0]
    finance = next(li for li in measures.split("<li>") if "市财政局" in li)
    assert "解除中" in finance and "暂停执行" not in finance, finance
    assert "暂停执行，已通知该单位，待其确认" in measures  # (the others are told to suspend)
    do(user("office1"), task_of(obj.id, "schedule_hearing"), {"attending_unit_ids": [unit_id("市市场监管局")], "draw_experts": False})
    do(user("office1"), task_of(obj.id, "decide_complaint"), {**heard(), "outcome": "upheld", "reasons": "成立"})
    assert listing_for(case.id, COMPANY[2]).status == "revoked"


def test_a_measure_lifted_by_the_reply_stays_lifted_through_the_complaint_before_its_unit_confirms(org, clock, app):
    """The reply lifts the finance bureau's measure; nobody has confirmed anything when the subject complains. The
    complaint suspends, and its partial decision resumes, only the measures still standing: the finance bureau is
    not told to resume, and the public list, the exchange and its own check all say it applies nothing."""
    from app.credit import services as credit
    from app.listings import queries as listing_queries

    case, codes = in_effect_case()
    a, obj = _partly_upheld(case, codes)
    finance, housing, market = unit_id("市财政局"), unit_id("市住房城乡建设局"), unit_id("市市场监管局")
    do(a, task_of(obj.id, "applicant_next_partly"), {"next_step": "complain", "grounds": "其余措施依据不客观。"})
    open_actions = lambda: {(p.unit_id, p.action) for p in db.session.scalars(  # noqa: E731
        select(Push).where(Push.confirmed_at.is_(None), Push.superseded_at.is_(None)))}
    assert open_actions() == {(finance, "lift"), (housing, "suspend"), (market, "suspend")}
    do(user("office1"), task_of(obj.id, "schedule_hearing"), {"attending_unit_ids": [market], "draw_experts": False})
    # Lifting the measures of every unit still standing would leave a listing in force with no measure: refused.
    with pytest.raises(DomainError) as refused:
        tasks.complete(user("office1"), task_of(obj.id, "decide_complaint").task_id,
                       {**heard(), "outcome": "partly", "reasons": "部分成立", "lift_units": [housing, market]})
    db.session.rollback()
    assert refused.value.errors[0][0] == "lift_units"
    do(user("office1"), task_of(obj.id, "decide_complaint"), {**heard(), "outcome": "partly", "reasons": "部分成立", "lift_units": [market]})
    assert open_actions() == {(finance, "lift"), (housing, "resume"), (market, "lift")}
    listing = listing_for(case.id, COMPANY[2])
    assert listing.status == "in_effect"
    assert [m.rsplit("（", 1)[1] for m in listing_queries.measures_of([listing])[listing.id]] == ["市住房城乡建设局）"]
    db.session.commit()
    answer = credit.check(credit.Requester(unit_id=finance), COMPANY[2], "licence", "XK-9")
    assert answer.verdict == "punished" and answer.findings[0].my_measures == []
    body = app.test_client().get("/public/?list=punishment").get_data(as_text=True)
    assert "（市住房城乡建设局）" in body and "（市财政局）" not in body and "（市市场监管局）" not in body


def test_a_partly_upheld_objection_not_complained_of_in_time_closes_as_partly_upheld(org, clock):
    case, codes = in_effect_case()
    _a, obj = _partly_upheld(case, codes)
    due = task_of(obj.id, "applicant_next_partly").due_at
    clock.move_to(due + timedelta(minutes=1))
    sweep_timers()
    assert open_tasks(obj.id) == [] and db.session.get(Case, obj.id).status == "objection_partly"
    assert listing_for(case.id, COMPANY[2]).status == "in_effect"


def test_measures_lifted_for_one_subject_leave_its_published_and_exchanged_measures(org, clock, app):
    """Partly upheld for one subject: the public black list and the exchange API stop naming the lifted unit's
    measure for that subject (from the decision, before the unit confirms), and keep it for the other subject."""
    from app.listings import queries as listing_queries

    case, codes = in_effect_case(subjects=(COMPANY, COMPANY2))
    _partly_upheld(case, codes)
    one, other = listing_for(case.id, COMPANY[2]), listing_for(case.id, COMPANY2[2])
    measures = listing_queries.measures_of([one, other])
    assert measures[one.id] and not [m for m in measures[one.id] if m.endswith("（市财政局）")]
    assert [m for m in measures[other.id] if m.endswith("（市财政局）")]
    assert [m for m in measures[one.id]] == [m for m in measures[other.id] if not m.endswith("（市财政局）")]
    html = app.test_client().get("/public/?list=punishment").get_data(as_text=True)
    assert one.status == other.status == "in_effect" and COMPANY[1] in html and COMPANY2[1] in html
    assert html.count("（市财政局）") == 1


def test_a_desk_restricts_only_by_a_measure_of_its_own_unit_still_applied(org, clock):
    """Seed 001 二(一)1, 二(二)3: each unit applies the measures of the catalog and the decision within its duties. A
    desk of a unit with no measure of the listing, or whose measure a partly upheld objection lifted (the listing
    stays), is offered only to approve, and a refusal it sends all the same is refused."""
    from app.credit import services as credit

    case, codes = in_effect_case(subjects=(COMPANY, COMPANY2))
    _partly_upheld(case, codes)  # the finance bureau's measure lifted for COMPANY, kept for COMPANY2
    db.session.commit()
    for unit, code, has in (("市财政局", COMPANY[2], False), ("市财政局", COMPANY2[2], True),
                            ("市住房城乡建设局", COMPANY[2], True), ("市税务局", COMPANY[2], False)):
        desk = credit.Requester(unit_id=unit_id(unit))
        answer = credit.check(desk, code, "licence", "XK-1")
        db.session.commit()
        [finding] = answer.findings
        assert answer.verdict == "punished" and bool(finding.my_measures) is has, (unit, code)
        offered = credit.allowed_actions(finding.kind, finding.status, finding.my_measures)
        assert offered == (("refused", "restricted", "approved") if has else ("approved",)), (unit, code)
        if not has:
            with pytest.raises(DomainError):
                credit.record_application(desk, answer.check_id, finding.listing_id, "refused")
            db.session.rollback()
        assert credit.record_application(desk, answer.check_id, finding.listing_id, "refused" if has else "approved")
        db.session.commit()


def test_pushes_are_tasks_with_deadlines_overdue_to_supervisors_and_confirmed_by_the_units(org, clock):
    case, codes = in_effect_case()
    a = _applicants(case, codes)[COMPANY[2]]
    objections.file_objection(a, case.id, "异议。", [])
    db.session.commit()
    pushes = open_tasks(case.id, "confirm_push")
    assert len(pushes) == 3 and all(p.deadline_rule == "push_confirm" and p.due_at is not None for p in pushes)
    clock.move_to("2026-12-01T02:00:00+00:00")  # 3 working days from Mon 23 Nov ended on Thu 26 Nov
    sweep_deadlines()
    assert all(t.breached for t in open_tasks(case.id, "confirm_push"))  # on the supervisors' pages too
    from app.supervision import services as supervision

    by_unit = {row.id: row.tasks for row in supervision.overdue_by_unit(user("supervisor1"))}
    assert by_unit[unit_id("市财政局")] == 1
    assert _confirm_pushes(case.id) == 3
    assert {lu.state for lu in listing_for(case.id, COMPANY[2]).units} == {"suspended"}
    assert event_types(case.id).count(EventType.PUSH_CONFIRMED) == 3


def test_black_list_from_the_decisions_issue_not_from_feedback(org, clock):
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    assert queries.public_list("punishment", None, 1).total == 0
    determine("market_lead", only_task(case.id, "schedule_meeting"), days=30)
    # Issued: listed today, while the units are still implementing and the office has not yet filed.
    assert open_tasks(case.id, "implement") and only_task(case.id, "file_decision")
    page = queries.public_list("punishment", None, 1)
    assert page.total == 1 and page.items[0].period_start == date(2026, 11, 23)


def test_a_unit_files_only_behaviour_in_its_own_field(org, clock):
    with pytest.raises(DomainError) as exc:
        file_case(username="court_cw", entries=("SC-P-001",))  # administered by the market regulator
    db.session.rollback()
    assert exc.value.errors[0][0] == "entry_ids"
    assert db.session.scalar(select(Case.id)) is None


def test_multi_group_case_is_reported_on_to_the_office_which_names_the_determining_group(org, clock):
    case = file_case(username="tax_cw", subjects=(COMPANY, PERSON), entries=("SC-P-002", "FIN-P-002"))
    assert case.multi_group and case.group.name == "市场监管专项小组"  # the group the tax bureau belongs to receives it
    # whatever order the entries were ticked in
    again = file_case(username="tax_cw", subjects=(COMPANY2,), entries=("FIN-P-002", "SC-P-002"))
    assert again.group.name == "市场监管专项小组"
    pre = only_task(case.id, "pre_review")
    assert pre.unit_id == unit_id("市市场监管局")
    complete("market_lead", pre, {"outcome": "accept"})
    assert db.session.get(Case, case.id).status == "routing"
    route = only_task(case.id, "decide_route")
    assert route.role == "office"
    finance = db.session.get(Case, case.id).entries[1].catalog_version.entry.group
    with pytest.raises(DomainError):
        tasks.complete(user("office1"), route.task_id, {"outcome": "major", "reason": " "})
    db.session.rollback()
    complete("office1", route, {"outcome": "group", "group_id": finance.id})
    case = db.session.get(Case, case.id)
    assert case.route == "group" and case.group_id == finance.id and not case.major
    sched = only_task(case.id, "schedule_meeting")
    assert (sched.role, sched.unit_id) == ("group_lead", unit_id("人民银行市分行"))
    determine("pbc_lead", sched, days=100)
    assert open_tasks(case.id, "notify_groups") == []  # a group's decision: no special-meeting notices
    assert {listing.deciding_unit_id for listing in listings_of(case.id)} == {unit_id("人民银行市分行")}
    assert EventType.ROUTE_DECIDED in event_types(case.id)
    # The implementation is compiled by each group whose entries the case cites, not only the one that determined it
    # (seed 001 二(二)3 定期将联合奖惩实施情况汇总提交给各专项小组).
    complete("office1", only_task(case.id, "file_decision"), {})
    implement_all(case.id)
    compiling = open_tasks(case.id, "compile_feedback")
    assert sorted(t.unit_id for t in compiling) == sorted({unit_id("人民银行市分行"), unit_id("市市场监管局")})


def test_major_multi_group_case_is_determined_by_the_office_and_sent_to_every_group_lead(org, clock):
    case = file_case(username="tax_cw", subjects=(PERSON,), entries=("SC-P-002", "FIN-P-002"))
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    complete("office1", only_task(case.id, "decide_route"), {"outcome": "major", "reason": "跨领域、金额特别巨大"})
    case = db.session.get(Case, case.id)
    assert case.major and case.major_reason == "跨领域、金额特别巨大" and case.route == "office"
    sched = only_task(case.id, "schedule_meeting")
    assert sched.role == "office"
    every_lead = sorted(set(db.session.scalars(select(SpecialistGroup.lead_unit_id))))
    lead = next(u for u in every_lead if u not in (unit_id("市市场监管局"), unit_id("人民银行市分行")))
    reader = db.session.scalar(select(User).where(User.unit_id == lead, User.role == "group_lead"))
    with pytest.raises((NotFound, PermissionDenied)):  # (not party to the case until the decision is sent to it)
        case_queries.case_page(reader, case.id)
    determine("office1", sched, days=100)
    notices = open_tasks(case.id, "notify_groups")
    assert len(every_lead) == 3 and sorted(t.unit_id for t in notices) == every_lead  # (not only the groups it cites)
    assert all(t.role == "group_lead" for t in notices)
    # the lead of a group the case does not cite reads the case it is sent
    assert case_queries.case_page(reader, case.id)["case"].id == case.id


def test_a_special_meetings_decision_not_to_act_also_goes_to_every_group_lead(org, clock):
    case = file_case(username="tax_cw", subjects=(PERSON,), entries=("SC-P-002", "FIN-P-002"))
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    complete("office1", only_task(case.id, "decide_route"), {"outcome": "major", "reason": "跨领域"})
    determine("office1", only_task(case.id, "schedule_meeting"), decision="no_action", measures=[])
    assert db.session.get(Case, case.id).status == "closed_no_action" and listings_of(case.id) == []
    notices = open_tasks(case.id, "notify_groups")
    assert sorted(t.unit_id for t in notices) == sorted(set(db.session.scalars(select(SpecialistGroup.lead_unit_id))))
    assert [t.bpmn_id for t in open_tasks(case.id) if t.bpmn_id != "notify_groups"] == ["file_no_action"]
    for t in notices:
        complete(next(u.username for u in db.session.scalars(select(User).where(User.unit_id == t.unit_id,
                                                                                  User.role == "group_lead"))), t, {})
    complete("office1", only_task(case.id, "file_no_action"), {})
    assert open_tasks(case.id) == [] and db.session.get(Case, case.id).status == "closed_no_action"


def test_major_case_within_one_group_stays_with_that_group(org, clock):
    case = file_case(subjects=(COMPANY, COMPANY2))
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    assert open_tasks(case.id, "decide_route") == []
    assert only_task(case.id, "schedule_meeting").unit_id == unit_id("市市场监管局")


def test_a_late_reply_sends_the_objection_to_the_office_at_once_and_notifies_the_unit(client, org, clock):
    case, codes = in_effect_case()
    a = _applicants(case, codes)[COMPANY[2]]
    obj = objections.file_objection(a, case.id, "异议。", [])  # Mon 23 Nov: reply due end of Mon 30 Nov
    db.session.commit()
    clock.move_to("2026-11-30T15:59:00+00:00")
    sweep_timers()
    assert only_task(obj.id, "reply_objection")
    clock.move_to("2026-11-30T16:00:01+00:00")
    sweep_timers()
    assert open_tasks(obj.id, "reply_objection") == []
    hearing = only_task(obj.id, "schedule_hearing")
    assert hearing.role == "office"
    assert db.session.get(Case, obj.id).status == "complaint"
    assert listing_for(case.id, COMPANY[2]).status == "suspended"  # still suspended: nothing was decided
    notice = db.session.scalar(select(Notice).where(Notice.reason == "objection_reply_late"))
    assert notice.unit_id == unit_id("市市场监管局") and notice.issued_by_id is None
    assert {c.id for c in notice.cases} == {obj.id, case.id}
    assert EventType.UNIT_NOTICED in event_types(obj.id)
    # The applicant reads why its objection is with the office (it did not complain): the time limit, by name.
    from tests.conftest import login

    login(client, a.username)
    html = client.get(f"/portal/cases/{obj.id}").get_data(as_text=True)
    assert "时限已到: 逾期未答复" in html
    assert "认定单位未在期限内答复，您的异议已转由联席会议办公室处理" in html.split("当前状态")[1][:120]
    do(user("office1"), hearing, {"attending_unit_ids": [unit_id("市市场监管局")], "draw_experts": False})
    do(user("office1"), task_of(obj.id, "decide_complaint"), {**heard(), "outcome": "rejected", "reasons": "不成立"})
    assert listing_for(case.id, COMPANY[2]).status == "in_effect"
    # It never complained: the office's decision is told as one on its objection, not "投诉不成立".
    status = client.get(f"/portal/cases/{obj.id}").get_data(as_text=True).split("当前状态")[1][:120]
    assert "联席会议办公室已处理（认定单位逾期未答复）：异议不成立，恢复执行惩戒" in status and "投诉" not in status


def test_a_determination_needs_the_drawn_experts(org, clock):
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    schedule("market_lead", only_task(case.id, "schedule_meeting"))
    ot = only_task(case.id, "determination")
    values = {"meeting_date": date(2026, 11, 23), "attending_unit_ids": [unit_id("市市场监管局")], "minutes": "m",
              "decision": "act", "measures": [], "period_days": 30, "period_reason": "纪要所定", "attending_expert_ids": []}
    with pytest.raises(DomainError) as exc:
        tasks.complete(user("market_lead"), ot.task_id, values)
    db.session.rollback()
    assert exc.value.errors[0][0] == "attending_expert_ids"
    assert only_task(case.id, "determination").id == ot.id and listings_of(case.id) == []


def test_the_decision_is_recorded_for_the_meeting_on_or_after_its_scheduled_day(org, clock):
    """The convened units and the drawn experts were told the scheduled day: a meeting recorded before it is not
    the one they were convened to; a later day (postponed) is recorded as held."""
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    scheduled = app_clock.today_local() + timedelta(days=7)
    schedule("market_lead", only_task(case.id, "schedule_meeting"), meeting_date=scheduled)
    ot = only_task(case.id, "determination")
    attended = experts_confirm(case.id)
    values = {"meeting_date": app_clock.today_local(), "attending_unit_ids": [unit_id("市市场监管局")], "minutes": "m", "decision": "act",
              "measures": [k for k, _m, _v in measure_choices(db.session.get(Case, case.id))], "period_days": 30, "period_reason": "纪要所定",
              "attending_expert_ids": attended}
    with pytest.raises(DomainError) as exc:
        tasks.complete(user("market_lead"), ot.task_id, values)
    db.session.rollback()
    assert exc.value.errors[0][0] == "meeting_date" and listings_of(case.id) == []
    clock.shift(timedelta(days=9))  # held two days after the scheduled day
    complete("market_lead", only_task(case.id, "determination"), {**values, "meeting_date": scheduled + timedelta(days=2)})
    assert db.session.get(Case, case.id).determination["meeting_date"] == (scheduled + timedelta(days=2)).isoformat()


def test_long_periods_get_periodic_implementation_reports_until_the_listings_end(org, clock):
    case, codes = in_effect_case(days=200)

    def queries_timeline(case):
        return queries.status_page(applicant_for(case, codes, "report_reader"), case.id)["timeline"]

    assert open_tasks(case.id, "periodic_report") == []
    clock.shift(timedelta(days=91))
    sweep_timers()
    reports = open_tasks(case.id, "periodic_report")
    assert sorted(t.unit_id for t in reports) == sorted([unit_id("市财政局"), unit_id("市住房城乡建设局"), unit_id("市市场监管局")])
    clock.shift(timedelta(days=44))  # the round is done six weeks late (8 April)
    for t in reports:
        name = next(n for n in WHO if unit_id(n) == t.unit_id)
        complete(WHO[name], t, {"outcome": "applied", "report": "本季度持续实施。"})
    complete("market_lead", only_task(case.id, "compile_periodic"), {"summary": "本季度汇总。"})
    assert db.session.get(Case, case.id).status == "in_effect"
    # ... and the next report is still due two quarters after the decision (22 May), not a quarter after the late one
    assert app_clock.local_date(main_instance(case).next_due_at) == date(2027, 5, 22)
    # The report round is the units' own work: the subject's status page does not list its timer
    fired = [e.bpmn_id for e in queries_timeline(case) if e.type == EventType.TIMER_FIRED]
    assert "timer_report" not in fired
    assert "timer_report" in [e.bpmn_id for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id))]
    clock.shift(timedelta(days=76))  # the next report fell due (22 May) before the period ended (10 Jun)
    sweep_timers()
    assert listings_of(case.id)[0].status == "expired"
    reports = open_tasks(case.id, "periodic_report")
    assert len(reports) == 3 and db.session.get(Case, case.id).status == "in_effect"
    for t in reports:
        complete(WHO[next(n for n in WHO if unit_id(n) == t.unit_id)], t, {"outcome": "applied", "report": "已期满解除。"})
    complete("market_lead", only_task(case.id, "compile_periodic"), {"summary": "期满。"})
    assert db.session.get(Case, case.id).status == "closed"  # nothing in effect any more: no further reports
    assert open_tasks(case.id) == [t for t in open_tasks(case.id) if t.bpmn_id == "confirm_push"]


def test_overdue_work_is_escalated_once_and_the_office_may_notify(org, clock):
    case = file_case()  # pre-review due end of Mon 30 Nov
    clock.move_to("2026-12-01T02:00:00+00:00")
    sweep_deadlines()
    assert escalate_overdue() == 0  # breached, not yet beyond the escalation period (3 working days)
    clock.move_to("2026-12-04T17:00:00+00:00")  # Sat 5 Dec local: 4 working days late
    assert escalate_overdue() == 1
    assert escalate_overdue() == 0  # once
    notice = db.session.scalar(select(Notice).where(Notice.reason == "overdue_escalation"))
    assert notice.unit_id == unit_id("市市场监管局") and [c.id for c in notice.cases] == [case.id]
    from app.supervision import services as supervision

    office_notice = supervision.issue(user("office1"), unit_id("市市场监管局"), "summons", "请说明超期原因。", date(2026, 12, 7))
    db.session.commit()
    assert office_notice.issued_by_id == user("office1").id
    with pytest.raises(DomainError):  # a supervisor of the office does not acknowledge for the unit notified
        supervision.acknowledge(user("supervisor1"), office_notice.id)
    db.session.rollback()
    supervision.acknowledge(user("market_lead"), office_notice.id)
    db.session.commit()
    assert db.session.get(Notice, office_notice.id).acknowledged_by_id == user("market_lead").id


def test_revocation_while_implementing_does_not_touch_other_subjects(org, clock):
    case = file_case(subjects=(COMPANY, COMPANY2))
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"))
    codes = issue_codes(db.session.get(Case, case.id))
    a = _applicants(db.session.get(Case, case.id), codes)[COMPANY[2]]
    obj = objections.file_objection(a, case.id, "异议", [])
    db.session.commit()
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "upheld", "reasons": "成立"})
    implement_all(case.id)
    complete("market_lead", only_task(case.id, "compile_feedback"), {"summary": "汇总"})
    assert listing_for(case.id, COMPANY[2]).status == "revoked"
    assert listing_for(case.id, COMPANY2[2]).status == "in_effect"
    assert db.session.get(Case, case.id).status == "in_effect"  # B's listing still runs


def test_a_listing_is_serious_whichever_order_its_entries_were_ticked_in_and_carries_the_decision_number(org, clock):
    """Seed 003 8①: a subject punished under a serious-dishonesty entry is on the serious list, also when the case
    cites another entry first; the listing names the decision document's number (the public list's 文号, the API)."""
    case = file_case(username="tax_cw", subjects=(COMPANY2,), entries=("FIN-P-002", "SC-P-002"))  # not serious first
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    complete("office1", only_task(case.id, "decide_route"), {"outcome": "major", "reason": "跨领域"})
    determine("office1", only_task(case.id, "schedule_meeting"), days=100)
    case = db.session.get(Case, case.id)
    [listing] = listings_of(case.id)
    assert listing.serious and listing.catalog_version.entry.code == "SC-P-002"
    assert case.decision_no and listing.decision_no == case.decision_no
    # Seed 001 二(二)3: the implementation is compiled by the specialist groups (the office determined this case): each
    # group whose entries it cites compiles, and the case keeps each group's summary.
    from tests.helpers import implement_all

    implement_all(case.id)
    compiles = open_tasks(case.id, "compile_feedback")
    assert sorted((t.role, t.unit_id) for t in compiles) == sorted(
        [("group_lead", unit_id("市市场监管局")), ("group_lead", unit_id("人民银行市分行"))])
    complete("market_lead", next(t for t in compiles if t.unit_id == unit_id("市市场监管局")), {"summary": "市场监管组汇总。"})
    assert open_tasks(case.id, "compile_feedback")  # (the other group has yet to compile)
    complete("pbc_lead", next(t for t in compiles if t.unit_id == unit_id("人民银行市分行")), {"summary": "金融组汇总。"})
    summary = db.session.get(Case, case.id).feedback_summary
    assert "市市场监管局：市场监管组汇总。" in summary and "人民银行市分行：金融组汇总。" in summary
    assert open_tasks(case.id, "compile_feedback") == []


def test_each_group_of_a_case_the_office_determined_compiles_every_periodic_round(org, clock):
    from tests.helpers import implement_all

    case = file_case(username="tax_cw", subjects=(COMPANY2,), entries=("FIN-P-002", "SC-P-002"))
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    complete("office1", only_task(case.id, "decide_route"), {"outcome": "major", "reason": "跨领域"})
    determine("office1", only_task(case.id, "schedule_meeting"), days=300)
    implement_all(case.id)
    leads = {unit_id("市市场监管局"): "market_lead", unit_id("人民银行市分行"): "pbc_lead"}
    for t in open_tasks(case.id, "compile_feedback"):
        complete(leads[t.unit_id], t, {"summary": "汇总。"})
    groups = sorted(leads)
    for round_no in (1, 2):  # (each round asks the units and both groups again)
        clock.shift(timedelta(days=91))
        sweep_timers()
        reports = open_tasks(case.id, "periodic_report")
        assert reports, round_no
        for t in reports:
            complete(WHO[next(n for n in WHO if unit_id(n) == t.unit_id)], t, {"outcome": "applied", "report": "持续实施。"})
        compiles = open_tasks(case.id, "compile_periodic")
        assert sorted(t.unit_id for t in compiles) == groups and {t.role for t in compiles} == {"group_lead"}, round_no
        for t in compiles:
            complete(leads[t.unit_id], t, {"summary": f"第{round_no}季度汇总。"})
        assert open_tasks(case.id, "compile_periodic") == [] and db.session.get(Case, case.id).status == "in_effect"


def test_a_refusal_made_while_the_listing_was_in_effect_is_recorded_after_it_ended(org, clock):
    """The desk's measure is judged as it stood at the check: a unit that refused while the listing was in effect
    records it after the period ended; a measure lifted after the check does not unmake the refusal made before."""
    from app.credit import services as credit
    from app.listings.models import Listing
    from app.scheduler.jobs import sweep_timers

    case, codes = in_effect_case(days=1, subjects=(COMPANY, COMPANY2))
    desk = credit.Requester(unit_id=unit_id("市财政局"))
    before = {code: credit.check(desk, code, "licence", "XK-1") for code in (COMPANY[2], COMPANY2[2])}
    db.session.commit()
    assert all(a.verdict == "punished" and a.findings[0].my_measures for a in before.values())
    clock.shift(timedelta(minutes=5))
    _partly_upheld(case, codes)  # after the checks: the finance bureau's measure lifted for COMPANY
    db.session.commit()
    clock.shift(timedelta(days=4))
    sweep_timers()
    db.session.commit()
    ended = db.session.get(Listing, before[COMPANY2[2]].findings[0].listing_id)
    assert ended.status == "expired"
    for a in before.values():
        assert credit.record_application(desk, a.check_id, a.findings[0].listing_id, "refused")
        db.session.commit()


def test_each_periodic_report_is_where_the_unit_stands_on_the_listing(org, clock):
    """Seed 001 二(一)2 执行反馈, 二(二)3 定期…汇总: a unit's later report (it now applies the measure it could not, or can no
    longer apply it) is what the listing, the credit check and the exchange read, not its first answer for good."""
    from app.credit import services as credit
    from app.listings.models import ListingUnit
    from tests.helpers import determine, file_case, listings_of

    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"), days=365)
    complete("office1", only_task(case.id, "file_decision"), {})
    finance, market = unit_id("市财政局"), unit_id("市市场监管局")
    for t in open_tasks(case.id, "implement"):
        out = "cannot" if t.unit_id == finance else "applied"
        complete(WHO[next(n for n in WHO if unit_id(n) == t.unit_id)], t,
                 {"outcome": out, "report": "r", "reasons": "系统未改造" if out == "cannot" else ""})
    complete("market_lead", only_task(case.id, "compile_feedback"), {"summary": "ok"})
    listing = listings_of(case.id)[0]

    def states():
        return {lu.unit_id: lu.state for lu in db.session.scalars(select(ListingUnit).where(ListingUnit.listing_id == listing.id))}

    assert states()[finance] == "cannot" and states()[market] == "applied"
    clock.shift(timedelta(days=91))
    sweep_timers()
    for t in open_tasks(case.id, "periodic_report"):
        out = "cannot" if t.unit_id == market else "applied"
        complete(WHO[next(n for n in WHO if unit_id(n) == t.unit_id)], t,
                 {"outcome": out, "report": "本季度", "reasons": "" if out == "applied" else "无法实施"})
    db.session.expire_all()
    assert states()[finance] == "applied" and states()[market] == "cannot"
    answer = credit.check(credit.Requester(unit_id=finance, user_id=user("finance_cw").id), COMPANY[2], "procurement", "CG-1")
    assert answer.findings[0].my_state == "applied"


def test_no_joint_punishment_is_decided_under_an_entry_retired_since_the_filing(client, org, clock):
    """Seed 001 二(一)1: 不得对联合奖惩目录清单之外的失信行为实施联合惩戒. An entry retired while the case ran is no basis."""
    from app.catalog import admin as catalog
    from app.catalog.models import CatalogEntry
    from app.experts.services import confirmed_experts
    from tests.conftest import login
    from tests.helpers import determine, entry_id, file_case, listings_of

    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    catalog.retire(user("office1"), db.session.get(CatalogEntry, entry_id("SC-P-001")), "依国家基础清单清理")
    db.session.commit()
    with pytest.raises(DomainError, match="SC-P-001"):
        determine("market_lead", only_task(case.id, "schedule_meeting"), days=365)
    db.session.rollback()
    assert listings_of(case.id) == []
    login(client, "market_lead")
    page = client.get(f"/tasks/{only_task(case.id, 'determination').task_id}").get_data(as_text=True)
    assert "本案引用的目录事项已废止" in page and "事项 SC-P-001 已废止" in page
    complete("market_lead", only_task(case.id, "determination"), {  # no joint action: still decided
        "meeting_date": app_clock.today_local(), "attending_unit_ids": [unit_id("市市场监管局")], "minutes": "目录事项已废止",
        "attending_expert_ids": [inv.expert_id for inv in confirmed_experts(case.id)], "decision": "no_action", "measures": [],
        "period_days": 365, "reasons": "目录事项已废止"})
    assert listings_of(case.id) == []
