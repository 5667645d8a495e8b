"""Scenario tests: the real bpmn/joint_punishment.bpmn through the services, the engine and the database."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.cases.models import Case, CaseEvent, CaseMeasure, OpenTask
from app.clock import LOCAL_TZ
from app.engine.models import ProcessInstance
from app.enums import EventType
from app.extensions import db
from app.scheduler.jobs import sweep_deadlines, sweep_timers
from tests.conftest import user
from tests.helpers import (
    COMPANY,
    COMPANY2,
    PDF,
    complete,
    determine,
    event_types,
    file_case,
    in_effect_case,
    listings_of,
    main_instance,
    only_task,
    open_tasks,
    unit_id,
)


def test_accept_path_runs_to_period_end(org, clock):
    case = file_case()
    assert case.status == "pre_review" and case.route == "group" and not case.multi_group
    ot = only_task(case.id, "pre_review")
    assert ot.role == "group_lead" and ot.unit_id == unit_id("市市场监管局")

    complete("market_lead", ot, {"outcome": "accept", "reasons": ""})
    assert db.session.get(Case, case.id).status == "determination"
    determine("market_lead", only_task(case.id, "schedule_meeting"), days=30)
    case = db.session.get(Case, case.id)
    assert case.status == "implementing" and case.decision == "act"
    # The listing and its period start on the day of issue, not after feedback (seed 001 二(二)2 印发).
    [listing] = listings_of(case.id)
    assert listing.status == "in_effect" and listing.period_start == date(2026, 11, 23)
    assert listing.period_end == date(2026, 12, 22)
    # Filing with the office runs beside implementation; it holds nothing back.
    assert only_task(case.id, "file_decision")
    impl = open_tasks(case.id, "implement")
    # One task per implementing unit, in parallel, each for its own unit.
    assert sorted(t.unit_id for t in impl) == sorted(
        {unit_id("市财政局"), unit_id("市住房城乡建设局"), unit_id("市市场监管局")}
    )
    assert all(t.role == "caseworker" for t in impl)
    by_unit = {t.unit_id: t for t in impl}
    complete("finance_cw", by_unit[unit_id("市财政局")], {"outcome": "applied", "report": "已限制。"})
    complete("housing_cw", by_unit[unit_id("市住房城乡建设局")], {"outcome": "cannot", "report": "无在办项目。", "reasons": "无可限制事项"})
    assert open_tasks(case.id, "compile_feedback") == []  # waits for every unit
    complete("market_cw", by_unit[unit_id("市市场监管局")], {"outcome": "applied", "report": "已列为重点监管。"})
    statuses = {m.unit_id: m.status for m in db.session.scalars(select(CaseMeasure).where(CaseMeasure.case_id == case.id))}
    assert statuses[unit_id("市住房城乡建设局")] == "cannot" and statuses[unit_id("市财政局")] == "applied"
    states = {lu.unit_id: lu.state for lu in listings_of(case.id)[0].units}
    assert states[unit_id("市住房城乡建设局")] == "cannot" and states[unit_id("市财政局")] == "applied"

    complete("market_lead", only_task(case.id, "compile_feedback"), {"summary": "汇总。"})
    complete("office1", only_task(case.id, "file_decision"), {"note": "备案"})
    case = db.session.get(Case, case.id)
    assert case.status == "in_effect" and open_tasks(case.id) == []

    # The day before the period ends nothing happens; after its last day the listing's timer ends it and the
    # units that apply a measure are told to lift it; the procedure then ends.
    clock.move_to("2026-12-22T15:00:00+00:00")  # 23:00 on 22 Dec in Shanghai: last day still running
    assert sweep_timers() == 0
    assert listings_of(case.id)[0].status == "in_effect"
    clock.move_to("2026-12-22T16:00:01+00:00")  # 00:00:01 on 23 Dec in Shanghai
    assert sweep_timers() == 1
    [listing] = listings_of(case.id)
    assert listing.status == "expired" and listing.ended_on == date(2026, 12, 23)
    case = db.session.get(Case, case.id)
    assert case.status == "closed" and case.closed_at is not None
    lifts = open_tasks(case.id, "confirm_push")
    assert sorted(t.unit_id for t in lifts) == sorted([unit_id("市财政局"), unit_id("市住房城乡建设局"), unit_id("市市场监管局")])
    types = event_types(case.id)
    assert EventType.LISTING_EXPIRED in types and types.count(EventType.PUSH_SENT) == 3
    assert sweep_timers() == 0  # idempotent: nothing fires twice


def test_return_and_resubmit_loop_is_on_the_timeline(org, clock):
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "return", "reasons": "请补充送达回证。"})
    assert db.session.get(Case, case.id).status == "returned"
    amend = only_task(case.id, "amend_trigger")
    assert amend.role == "caseworker" and amend.unit_id == unit_id("市市场监管局")
    complete("market_cw", amend, {"facts": "补充后的事实。", "legal_basis": "依据。", "comment": "已补充"})
    case = db.session.get(Case, case.id)
    assert case.status == "pre_review" and case.facts == "补充后的事实。"
    assert only_task(case.id, "pre_review")
    types = event_types(case.id)
    assert types.index(EventType.PRE_REVIEW_RETURNED) < types.index(EventType.TRIGGER_RESUBMITTED)
    assert types.count(EventType.TASK_CREATED) == 3  # pre-review, amendment, pre-review again


def test_return_without_reasons_is_refused_and_changes_nothing(org, clock):
    from app.cases import tasks
    from app.errors import DomainError

    case = file_case()
    ot = only_task(case.id, "pre_review")
    before = event_types(case.id)
    with pytest.raises(DomainError) as exc:
        tasks.complete(user("market_lead"), ot.task_id, {"outcome": "return", "reasons": "  "})
    db.session.rollback()
    assert exc.value.errors[0][0] == "reasons"
    assert event_types(case.id) == before
    assert only_task(case.id, "pre_review").id == ot.id


def test_decision_no_action_closes_at_once_and_is_filed_with_the_office(org, clock):
    """Seed 001 二(二)2: the meeting's decision is filed with the office, a decision not to act too."""
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"), decision="no_action", measures=[])
    case = db.session.get(Case, case.id)
    assert case.status == "closed_no_action" and case.measures == [] and listings_of(case.id) == []
    [filing] = open_tasks(case.id)
    assert filing.bpmn_id == "file_no_action" and filing.role == "office" and filing.due_at is not None
    complete("office1", filing, {"note": "已备案"})
    case = db.session.get(Case, case.id)
    assert case.status == "closed_no_action" and case.closed_at is not None and open_tasks(case.id) == []
    assert EventType.DECISION_FILED in event_types(case.id)


def test_reward_path(org, clock):
    case = file_case(username="tax_cw", entries=("SC-R-001",))
    assert case.kind == "reward"
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"), days=730)
    complete("office1", only_task(case.id, "file_decision"), {})
    impl = open_tasks(case.id, "implement")
    assert {t.case_kind for t in impl} == {"reward"}
    for t in impl:
        who = "market_cw" if t.unit_id == unit_id("市市场监管局") else "finance_cw"
        complete(who, t, {"outcome": "applied", "report": "已给予激励。"})
    complete("market_lead", only_task(case.id, "compile_feedback"), {"summary": "激励措施已落实。"})
    assert db.session.get(Case, case.id).status == "in_effect"


def test_deadline_reminder_and_breach_follow_the_clock(org, clock):
    # Filed Monday 2026-11-23; pre-review has 5 working days: due end of Monday 2026-11-30.
    case = file_case()
    ot = only_task(case.id, "pre_review")
    assert ot.deadline_days == 5 and not ot.calendar_fallback
    assert ot.due_at.isoformat() == "2026-11-30T15:59:59.999999+00:00"
    assert sweep_deadlines() == (0, 0)

    clock.move_to("2026-11-26T15:59:00+00:00")  # Thursday 23:59 local: before the reminder
    assert sweep_deadlines() == (0, 0)
    clock.move_to("2026-11-26T16:00:01+00:00")  # Friday 00:00 local: the working day before the deadline
    assert sweep_deadlines() == (1, 0)
    assert sweep_deadlines() == (0, 0)  # recorded once
    clock.move_to("2026-11-30T15:59:00+00:00")
    assert sweep_deadlines() == (0, 0)
    clock.move_to("2026-11-30T16:00:00+00:00")
    assert sweep_deadlines() == (0, 1)
    types = event_types(case.id)
    assert types.count(EventType.DEADLINE_REMINDER) == 1 and types.count(EventType.DEADLINE_BREACHED) == 1
    assert only_task(case.id, "pre_review").breached


def test_deadlines_count_holidays_and_working_weekends(org, clock):
    # Filed Thursday 2026-09-24: Friday 25 Sept (Mid-Autumn) and 1-7 Oct (National Day) are off, Saturday
    # 10 Oct is worked (调休). Pre-review (5): 28, 29, 30 Sept, 8, 9 Oct. Amendment (10, opened the same
    # day): ... 9, 10 (Sat), 12, 13, 14, 15 Oct.
    clock.move_to("2026-09-24T02:00:00+00:00")
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "return", "reasons": "补充"})
    ot = only_task(case.id, "amend_trigger")  # 10 working days
    assert ot.deadline_days == 10
    assert ot.due_at.astimezone(LOCAL_TZ).date() == date(2026, 10, 15)
    opened = db.session.scalar(
        select(CaseEvent).where(
            CaseEvent.case_id == case.id, CaseEvent.bpmn_id == "pre_review", CaseEvent.type == EventType.TASK_CREATED
        )
    )
    assert opened.details["due_at"] == "2026-10-09T15:59:59.999999+00:00"  # end of Fri 9 Oct in Shanghai


def test_timer_sweep_loads_only_due_instances(org, clock):
    case, _codes = in_effect_case(days=10)
    inst = db.session.get(ProcessInstance, listings_of(case.id)[0].instance_id)
    # The engine's own due time is what the index holds: end of the period's last day (2 Dec) in Shanghai.
    assert inst.next_due_at.isoformat() == "2026-12-02T15:59:59.999999+00:00"
    from app.engine.timers import claim_due_instance

    assert claim_due_instance() is None
    clock.shift(timedelta(days=10))
    assert claim_due_instance() == inst.id


def test_sweep_at_the_exact_due_instant_neither_fires_nor_spins(org, clock):
    case, _codes = in_effect_case(days=10)
    inst = db.session.get(ProcessInstance, listings_of(case.id)[0].instance_id)
    clock.move_to(inst.next_due_at)
    assert sweep_timers() == 0
    clock.shift(timedelta(microseconds=1))
    assert sweep_timers() == 1 and listings_of(case.id)[0].status == "expired"
    assert db.session.get(Case, case.id).status == "closed"


def test_timers_fire_in_batches_and_a_failing_one_is_rolled_back_alone(org, clock, monkeypatch, caplog):
    """A batch of due instances commits together; one that fails is rolled back (no expiry, no push, no event),
    postponed, and fires later; the others in its batch are fired again one by one and not held up."""
    from flask import current_app

    import app.listings.services as listing_services
    from app.listings.models import Push
    from app.scheduler.jobs import RETRY_AFTER

    monkeypatch.setitem(current_app.config, "TIMER_BATCH", 2)
    cases = [in_effect_case(days=10, subjects=(s,))[0] for s in (COMPANY, COMPANY2)]
    broken = listings_of(cases[0].id)[0].id
    real_end = listing_services._end

    def end(listing, reason, **kw):
        real_end(listing, reason, **kw)
        if listing.id == broken:
            raise RuntimeError("disk full")

    monkeypatch.setattr(listing_services, "_end", end)
    events_before = len(event_types(cases[0].id))
    clock.shift(timedelta(days=10))
    assert sweep_timers() == 1
    db.session.expire_all()
    assert [x.status for x in listings_of(cases[1].id)] == ["expired"]
    assert db.session.get(Case, cases[1].id).status == "closed"
    assert [x.status for x in listings_of(cases[0].id)] == ["in_effect"]
    assert len(event_types(cases[0].id)) == events_before  # nothing of the failed firing was kept
    assert db.session.scalar(select(Push.id).where(Push.listing_id == broken, Push.action == "lift")) is None
    assert "retrying" in caplog.text
    inst = db.session.get(ProcessInstance, listings_of(cases[0].id)[0].instance_id)
    assert clock_utc(inst.next_due_at) > clock_utc(cases[1].closed_at)  # postponed, not retried every sweep
    assert sweep_timers() == 0
    monkeypatch.setattr(listing_services, "_end", real_end)
    clock.shift(RETRY_AFTER + timedelta(seconds=1))
    assert sweep_timers() == 1
    assert [x.status for x in listings_of(cases[0].id)] == ["expired"]


def clock_utc(dt):
    from app import clock as app_clock

    return app_clock.as_utc(dt)


def test_repeated_choices_count_once(org, clock):
    from app.cases import tasks
    from app.joint import services
    from tests.helpers import entry_id, experts_confirm, schedule

    case = services.file_trigger(
        user("market_cw"), subjects=[services.SubjectIn(*COMPANY)], entry_ids=[entry_id("SC-P-001")] * 2,
        title="t", facts="f", legal_basis="l", files=[PDF],
    )
    db.session.commit()
    assert len(case.entries) == 1
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    schedule("market_lead", only_task(case.id, "schedule_meeting"))
    attended = experts_confirm(case.id)
    ot = only_task(case.id, "determination")
    values = {"meeting_date": date(2026, 11, 23), "attending_unit_ids": [unit_id("市市场监管局")] * 2, "minutes": "m",
              "decision": "act", "attending_expert_ids": attended + attended,
              "measures": [f"{case.entries[0].catalog_version_id}:M1"] * 2, "period_days": 30, "period_reason": "纪要所定"}
    case = tasks.complete(user("market_lead"), ot.task_id, values)
    db.session.commit()
    assert len(db.session.get(Case, case.id).measures) == 1
    assert case.determination["attending_unit_ids"] == [unit_id("市市场监管局")]
    assert len(case.determination["attending_experts"]) == len(attended)

def test_person_born_before_their_region_code_existed_can_be_filed(org, clock):
    # Issue 10 blocker: 510402 (攀枝花市东区) dates from 1983; a number issued there in 1962 is valid.
    old = ("person", "李某", "510402196207179143")
    case = file_case(subjects=(old,))
    assert [cs.subject.code for cs in case.subjects] == ["510402196207179143"]
    filed = db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.type == EventType.TRIGGER_FILED)
    )
    assert len(filed.details["code_warnings"]) == 1 and "510402" in filed.details["code_warnings"][0]


def test_a_failing_reminder_is_postponed_not_retried_every_sweep(org, clock, monkeypatch, caplog):
    import app.cases.deadlines as deadlines_mod

    first, second = file_case(), file_case()
    broken = only_task(first.id, "pre_review").id
    real_record, calls = deadlines_mod.record, []

    def record(ot, kind):
        calls.append(ot.id)
        if ot.id == broken:
            raise RuntimeError("mail gateway down")
        real_record(ot, kind)

    monkeypatch.setattr(deadlines_mod, "record", record)
    clock.move_to("2026-11-26T16:00:01+00:00")  # the reminders of both are due
    assert sweep_deadlines() == (1, 0)  # the other task is not held up
    assert calls.count(broken) == 1
    assert "postponed" in caplog.text
    for later in ("16:00:31", "16:01:01", "16:04:51"):  # the sweeps of the next minutes leave it alone
        clock.move_to(f"2026-11-26T{later}+00:00")
        assert sweep_deadlines() == (0, 0)
    assert calls.count(broken) == 1
    monkeypatch.setattr(deadlines_mod, "record", real_record)
    clock.move_to("2026-11-26T16:06:00+00:00")  # after the retry delay: tried again, and recorded once
    assert sweep_deadlines() == (1, 0)
    assert sweep_deadlines() == (0, 0)
    assert db.session.get(OpenTask, broken).reminded
    assert only_task(second.id, "pre_review").reminded


def test_only_the_end_of_the_procedure_is_recorded_as_its_closing(org, clock):
    from tests.helpers import in_effect_case

    case, _codes = in_effect_case(days=5)  # the filing and implementation branches have ended
    assert event_types(case.id).count("case_closed") == 0
    clock.move_to("2026-11-28T02:00:00+00:00")
    sweep_timers()
    assert db.session.get(Case, case.id).status == "closed"
    assert event_types(case.id).count("case_closed") == 1


def test_an_implementation_report_is_seen_by_measures_and_listings_already_loaded(org, clock):
    """The report updates the unit's measures and listing rows by plain statements; objects of them loaded earlier in
    the same transaction read the new values (not what they held before), other units' stay as they were."""
    from app.cases import tasks as task_service
    from app.listings.models import ListingUnit
    from tests.helpers import WHO

    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"), days=30)
    complete("office1", only_task(case.id, "file_decision"), {})
    task = open_tasks(case.id, "implement")[0]
    measures = db.session.query(CaseMeasure).filter_by(case_id=case.id).all()
    units = db.session.query(ListingUnit).all()
    assert {m.status for m in measures} == {"pending"} and {lu.state for lu in units} == {"pending"}
    name = next(n for n in WHO if unit_id(n) == task.unit_id)
    task_service.complete(user(WHO[name]), task.task_id, {"outcome": "applied", "report": "已执行。", "reasons": ""})
    mine = [m for m in measures if m.unit_id == task.unit_id]
    assert mine and {(m.status, m.report) for m in mine} == {("applied", "已执行。")}
    assert {m.status for m in measures if m.unit_id != task.unit_id} == {"pending"}
    assert {lu.state for lu in units if lu.unit_id == task.unit_id} == {"applied"}
    assert {lu.state for lu in units if lu.unit_id != task.unit_id} == {"pending"}
    db.session.commit()


def test_the_case_closes_when_the_last_of_its_subjects_listings_ends(org, clock):
    """Each subject's listing ends on its own; the procedure closes only when none is left in effect (the ending
    listing's new status is judged from memory, the others' from the database)."""
    from app.listings import services as listing_services
    from tests.helpers import in_effect_case

    case, _codes = in_effect_case(days=30, subjects=(COMPANY, COMPANY2))
    first, second = listings_of(case.id)
    listing_services.revoke({"listing_id": first.id}, case, user("office1"))
    db.session.commit()
    db.session.expire_all()
    assert [x.status for x in listings_of(case.id)] == ["revoked", "in_effect"]
    assert db.session.get(Case, case.id).status != "closed" and "case_closed" not in event_types(case.id)
    listing_services.revoke({"listing_id": second.id}, case, user("office1"))
    db.session.commit()
    db.session.expire_all()
    assert [x.status for x in listings_of(case.id)] == ["revoked", "revoked"]
    assert db.session.get(Case, case.id).status == "closed" and event_types(case.id).count("case_closed") == 1


def test_two_subjects_listings_ending_in_one_sweep_close_the_case_once(org, clock):
    from tests.helpers import in_effect_case

    case, _codes = in_effect_case(days=5, subjects=(COMPANY, COMPANY2))
    clock.move_to("2026-11-28T02:00:00+00:00")
    assert sweep_timers() == 2
    db.session.expire_all()
    assert [x.status for x in listings_of(case.id)] == ["expired", "expired"]
    assert db.session.get(Case, case.id).status == "closed" and event_types(case.id).count("case_closed") == 1


def test_listings_active_sees_other_listings_changed_in_memory_and_the_ending_one_from_memory(org, clock):
    from app.listings import services as listing_services
    from tests.helpers import in_effect_case

    case, _codes = in_effect_case(days=30, subjects=(COMPANY, COMPANY2))
    first, second = listings_of(case.id)
    with db.session.no_autoflush:  # (as inside a save: nothing is written before the question)
        first.status = "expired"
        assert listing_services.listings_active(case.id, besides=first)  # the second is in effect
        second.status = "revoked"  # pending, not yet written: written before the count
        assert not listing_services.listings_active(case.id, besides=first)
        first.status = "suspended"  # the ending one judged from memory: still active
        assert listing_services.listings_active(case.id, besides=first)
    db.session.rollback()


def test_a_filing_takes_as_many_subjects_as_the_form_offers_and_refuses_one_more(org, clock):
    """The form offers 20 subject rows; the service takes them all and refuses a 21st without writing anything."""
    from stdnum.cn import uscc

    from app.errors import DomainError
    from app.joint import services
    from tests.helpers import entry_id

    def companies(n):
        bases = [f"91510400MA7Y{i:05d}" for i in range(n)]
        return [services.SubjectIn("enterprise", f"第{i}号测试有限公司", b + uscc.calc_check_digit(b + "0"))
                for i, b in enumerate(bases)]

    def file(n):
        return services.file_trigger(user("market_cw"), subjects=companies(n), entry_ids=[entry_id("SC-P-001")],
                                     title="t", facts="f", legal_basis="l", files=[PDF])

    cases_before = db.session.query(Case).count()
    with pytest.raises(DomainError) as refused:
        file(services.MAX_SUBJECTS + 1)
    db.session.rollback()
    assert refused.value.errors[0][0] == "subjects" and db.session.query(Case).count() == cases_before
    case = file(services.MAX_SUBJECTS)
    db.session.commit()
    assert services.MAX_SUBJECTS == 20 and len(case.subjects) == 20


def test_a_message_no_process_waits_for_is_dropped_unread(org, clock):
    """Each instance's row names the messages it waits for. One it does not wait for is dropped without reading or
    saving its state (at midnight many listings end and tell their case's procedure, mostly before it waits for
    that); a row saved before the names were kept (NULL) is loaded and told as before."""
    from sqlalchemy import event

    from app.cases import runtime
    from app.engine.models import ProcessInstance

    statements = []

    def seen(_conn, _cur, statement, *_a):
        statements.append(statement)

    case = file_case()
    inst = main_instance(case)
    assert inst.waits_for == ""  # at the pre-review it waits for no message
    version, state = inst.version, inst.state
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert runtime.deliver(case, "case_listings_ended") is False
        assert statements and not any("process_instance.state" in s for s in statements)  # the state was not read
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    db.session.expire_all()
    inst = main_instance(case)
    assert (inst.version, inst.state) == (version, state)  # nor saved

    case, _codes = in_effect_case(days=30)
    inst = main_instance(case)
    assert inst.waits_for == " case_listings_ended "
    [listing] = listings_of(case.id)
    listing_inst = db.session.get(ProcessInstance, listing.instance_id)
    assert listing_inst.waits_for == " listing_changed listing_repaired listing_revoke listing_suspend "

    # A row from before the names were kept: read and told as before. A message it does not wait for changes nothing.
    db.session.execute(ProcessInstance.__table__.update().where(ProcessInstance.id == inst.id).values(waits_for=None))
    db.session.expire_all()
    version = main_instance(case).version
    assert runtime.deliver(db.session.get(Case, case.id), "meeting_closed") is False
    db.session.expire_all()
    assert main_instance(case).version == version
    # Its listing's period ends: the procedure, waiting for that, is told and closes the case.
    clock.move_to("2026-12-23T16:00:01+00:00")
    assert sweep_timers() == 1
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert listings_of(case.id)[0].status == "expired" and case.status == "closed"
    assert main_instance(case).waits_for == "" and main_instance(case).status == "completed"


def test_a_meeting_on_a_day_off_is_held_there_only_knowingly(org, clock):
    """The experts and the convened units are told the meeting's date: a Sunday or a public holiday is refused unless
    the scheduler ticks that the meeting is held on a day off."""
    from app.errors import DomainError
    from tests.helpers import NOT_CONVENED, schedule

    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    ot = only_task(case.id, "schedule_meeting")
    sunday = date(2026, 11, 29)
    with pytest.raises(DomainError) as err:
        schedule("market_lead", ot, meeting_date=sunday)
    assert err.value.errors[0][0] == "meeting_date" and "2026年11月29日是休息日" in str(err.value.errors[0][1])
    db.session.rollback()
    assert open_tasks(case.id, "schedule_meeting") and db.session.get(Case, case.id).determination is None  # nothing written
    # A date months ahead (2099) is not one the drawn experts and convened units can be held to.
    with pytest.raises(DomainError) as err:
        schedule("market_lead", ot, meeting_date=date(2099, 12, 31))
    assert err.value.errors[0][0] == "meeting_date" and "90 日内" in str(err.value.errors[0][1])
    db.session.rollback()
    complete("market_lead", only_task(case.id, "schedule_meeting"),
             {"meeting_date": sunday, "day_off": True, "legal_count": 1, "industry_count": 2, "reserves": 1,
              "excluded_expert_ids": [], "exclusion_reason": "", "convening_reason": NOT_CONVENED})
    assert db.session.get(Case, case.id).determination["scheduled_meeting_date"] == "2026-11-29"


def test_a_period_other_than_the_catalogs_needs_the_meetings_reason(client, org, clock):
    """Seed 001 二(三)1 (the catalog sets each behaviour's period), 二(二)3 (implemented by the catalog and the minutes):
    the catalog's period is recorded as it is; another needs its reason, kept with the determination."""
    from app import clock as app_clock
    from app.errors import DomainError
    from app.joint.tasks import default_period_days, measure_choices
    from tests.helpers import experts_confirm, schedule

    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    ot = only_task(case.id, "schedule_meeting")
    schedule("market_lead", ot)
    ot = only_task(case.id, "determination")
    attended = experts_confirm(case.id)
    catalog_days = default_period_days(db.session.get(Case, case.id))
    values = {"meeting_date": app_clock.today_local(), "attending_unit_ids": [user("market_lead").unit_id],
              "attending_expert_ids": attended, "minutes": "会议纪要。", "decision": "act",
              "measures": [k for k, _m, _v in measure_choices(db.session.get(Case, case.id))], "period_days": catalog_days + 10}
    with pytest.raises(DomainError) as err:
        complete("market_lead", ot, values)
    assert err.value.errors[0][0] == "period_reason"
    db.session.rollback()
    assert only_task(case.id, "determination").id == ot.id and db.session.get(Case, case.id).period_days is None
    complete("market_lead", ot, {**values, "period_reason": "情节较重，会议决定延长。"})
    done = db.session.get(Case, case.id)
    assert done.period_days == catalog_days + 10
    assert done.determination["period_reason"] == "情节较重，会议决定延长。" and done.determination["catalog_period_days"] == catalog_days
    from tests.conftest import login

    login(client, "market_lead")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"目录规定为{catalog_days}天；会议确定本期限的理由" in page and page.count("情节较重，会议决定延长。") == 2  # and on the timeline


def test_a_failed_firing_does_not_postpone_an_instance_another_scheduler_fired_meanwhile(org, clock):
    """Fault campaign: the scheduler whose firing failed postponed the instance after the other scheduler had fired it,
    overwriting the schedule that firing set. It postpones only an instance still running and due."""
    from datetime import timedelta as td

    from app import clock as app_clock
    from app.engine import timers

    case, _codes = in_effect_case(days=10)
    inst = db.session.get(ProcessInstance, listings_of(case.id)[0].instance_id)
    due = clock_utc(inst.next_due_at)
    now = app_clock.now()
    timers.postpone(inst.id, now + td(minutes=5), now)  # (not due yet at `now`: left as it is)
    db.session.expire_all()
    assert clock_utc(db.session.get(ProcessInstance, inst.id).next_due_at) == due
    timers.postpone(inst.id, due + td(minutes=5), due)  # (due: postponed)
    db.session.expire_all()
    assert clock_utc(db.session.get(ProcessInstance, inst.id).next_due_at) == due + td(minutes=5)
