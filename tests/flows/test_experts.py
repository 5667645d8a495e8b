"""Expert draws and meetings through the real BPMN (joint punishment + expert invitation), the services
and the database, with the clock moved by the tests."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from app.auth.models import User
from app.cases import tasks
from app.cases.models import Case, OpenTask
from app.enums import EventType
from app.errors import Conflict, DomainError
from app.experts.models import Draw, Expert, ExpertUnavailability, Invitation, Opinion
from app.experts.services import verify
from app.extensions import db
from app.joint.tasks import measure_choices
from app.scheduler.jobs import sweep_timers
from tests.conftest import user
from tests.helpers import NOT_CONVENED, complete, event_types, file_case, only_task, open_tasks, schedule, unit_id


def at_scheduling(**kw):
    case = file_case(**kw)
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    return case


def invitations(case_id):
    return list(db.session.scalars(select(Invitation).where(Invitation.case_id == case_id).order_by(Invitation.id)))


def expert_user(inv) -> User:
    return db.session.scalar(select(User).where(User.expert_id == inv.expert_id))


def respond(inv, answer="confirm", reason=""):
    ot = db.session.scalar(
        select(OpenTask).where(
            OpenTask.instance_id == inv.instance_id
        )
    )
    tasks.complete(expert_user(inv), ot.task_id, {"answer": answer, "reason": reason})
    db.session.commit()
    return ot


def test_draw_invites_members_with_automatic_exclusions_and_verifies(org, clock):
    case = at_scheduling()
    schedule("market_lead", only_task(case.id, "schedule_meeting"), meeting_date=date(2026, 11, 30))
    d = db.session.scalar(select(Draw).where(Draw.case_id == case.id))
    members = [p for p in d.picks if p["role"] == "member"]
    assert sorted(p["field"] for p in members) == ["legal", "market", "market"]
    # The legal expert affiliated with the initiating unit (市市场监管局) is excluded, with the reason on record.
    wang = db.session.scalar(select(Expert).where(Expert.name == "王律师"))
    assert {"expert_id": wang.id, "reason": "initiating_unit", "detail": ""} in d.exclusions
    assert wang.id not in {p["expert_id"] for p in d.picks}
    assert verify(d)[0]
    invs = invitations(case.id)
    assert len(invs) == 3 and all(i.status == "invited" for i in invs)
    # Each invited expert has a task of their own, for them alone.
    for inv in invs:
        [ot] = [t for t in open_tasks(case.id, "respond_invitation") if t.instance_id == inv.instance_id]
        assert ot.assignee_id == expert_user(inv).id and ot.role == "expert" and ot.unit_id is None
    assert EventType.EXPERT_DRAW in event_types(case.id)


def test_unavailable_and_earlier_case_exclusions(org, clock):
    first = at_scheduling()
    schedule("market_lead", only_task(first.id, "schedule_meeting"))
    confirmed = invitations(first.id)[0]
    respond(confirmed, "confirm")
    # A second case about the same subject: the expert who sat on the first is excluded.
    second = at_scheduling()
    away = db.session.scalar(select(Expert).where(Expert.name == "郑教授"))
    db.session.add(ExpertUnavailability(expert_id=away.id, start=date(2026, 11, 28), end=date(2026, 12, 5), reason="出差"))
    db.session.commit()
    schedule("market_lead", only_task(second.id, "schedule_meeting"), meeting_date=date(2026, 12, 1))
    d = db.session.scalar(select(Draw).where(Draw.case_id == second.id))
    reasons = {(e["expert_id"], e["reason"]) for e in d.exclusions}
    assert (confirmed.expert_id, "earlier_case") in reasons and (away.id, "unavailable") in reasons
    assert not {confirmed.expert_id, away.id} & {p["expert_id"] for p in d.picks}


def test_shortfall_names_the_field_and_its_exclusions_and_records_nothing(org, clock):
    case = at_scheduling()
    ot = only_task(case.id, "schedule_meeting")
    with pytest.raises(DomainError) as exc:
        tasks.complete(user("market_lead"), ot.task_id, {
            "meeting_date": date(2026, 11, 30), "legal_count": 4, "industry_count": 2, "reserves": 0,
            "excluded_expert_ids": [], "exclusion_reason": "", "convening_reason": NOT_CONVENED})
    db.session.rollback()
    messages = " ".join(str(m) for _f, m in exc.value.errors)
    assert "法律领域：需 4 名，符合条件 3 名" in messages
    assert "已回避：" in messages and "none" not in messages  # the exclusions that caused it are named
    assert db.session.scalar(select(func.count(Draw.id))) == 0
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    assert only_task(case.id, "schedule_meeting").task_id == ot.task_id


def test_manual_exclusion_needs_a_reason(org, clock):
    case = at_scheduling()
    some = db.session.scalar(select(Expert.id).where(Expert.name == "周律师"))
    with pytest.raises(DomainError) as exc:
        schedule("market_lead", only_task(case.id, "schedule_meeting"), excluded=[some], reason=" ")
    db.session.rollback()
    assert exc.value.errors[0][0] == "exclusion_reason"
    # Everything wrong is said at once (browser trial: a Saturday, then the reason, one submission each).
    with pytest.raises(DomainError) as exc:
        schedule("market_lead", only_task(case.id, "schedule_meeting"), meeting_date=date(2026, 11, 28), legal=0,
                 excluded=[some], reason=" ")
    db.session.rollback()
    assert [f for f, _m in exc.value.errors] == ["meeting_date", "legal_count", "exclusion_reason"]
    assert "休息日" in str(exc.value.errors[0][1]) or "day off" in str(exc.value.errors[0][1])
    schedule("market_lead", only_task(case.id, "schedule_meeting"), excluded=[some], reason="与当事人存在利害关系")
    d = db.session.scalar(select(Draw).where(Draw.case_id == case.id))
    assert {"expert_id": some, "reason": "manual", "detail": "与当事人存在利害关系"} in d.exclusions


def test_decline_invites_the_next_reserve_and_answering_twice_is_refused(org, clock):
    case = at_scheduling()
    schedule("market_lead", only_task(case.id, "schedule_meeting"))
    d = db.session.scalar(select(Draw).where(Draw.case_id == case.id))
    legal = next(i for i in invitations(case.id) if i.field == "legal")
    ot = respond(legal, "decline", "同期另有庭审")
    assert db.session.get(Invitation, legal.id).status == "declined"
    reserve = next(p for p in d.picks if p["field"] == "legal" and p["role"] == "reserve")
    new = [i for i in invitations(case.id) if i.expert_id == reserve["expert_id"]]
    assert len(new) == 1 and new[0].status == "invited"
    with pytest.raises(Conflict):  # the same invitation task cannot be answered again
        tasks.complete(expert_user(legal), ot.task_id, {"answer": "confirm", "reason": ""})
    db.session.rollback()
    types = event_types(case.id)
    assert EventType.EXPERT_DECLINED in types and EventType.EXPERT_REPLACED in types


def test_silence_until_the_deadline_invites_the_next_reserve_then_a_top_up_draw(org, clock):
    case = at_scheduling()
    schedule("market_lead", only_task(case.id, "schedule_meeting"), reserves=0)
    legal = next(i for i in invitations(case.id) if i.field == "legal")
    # Answer deadline: 2 working days (Mon 23 Nov -> end of Wed 25 Nov, Shanghai).
    assert legal.respond_by.isoformat() == "2026-11-25T15:59:59.999999+00:00"
    clock.move_to("2026-11-25T15:59:00+00:00")
    assert sweep_timers() == 0
    clock.move_to("2026-11-25T16:00:00+00:00")
    fired = sweep_timers()
    assert fired == 3  # every invitation was silent
    assert db.session.get(Invitation, legal.id).status == "expired"
    # No reserves were drawn: top-up draws with the same method replaced all three.
    draws = db.session.scalars(select(Draw).where(Draw.case_id == case.id).order_by(Draw.id)).all()
    assert len(draws) == 4 and all(d.parent_draw_id == draws[0].id for d in draws[1:])
    assert all(verify(d)[0] for d in draws)
    old = {i.expert_id for i in invitations(case.id)[:3]}
    new = [i for i in invitations(case.id)[3:]]
    assert len(new) == 3 and not old & {i.expert_id for i in new}  # already drawn experts are excluded
    assert EventType.EXPERT_NO_ANSWER in event_types(case.id)


def test_opinions_reach_the_decision_and_the_vote_is_recorded(org, clock):
    case = at_scheduling()
    schedule("market_lead", only_task(case.id, "schedule_meeting"))
    invs = invitations(case.id)
    for inv in invs:
        respond(inv, "confirm")
    votes = ["support", "support", "oppose"]
    for inv, vote in zip(invs, votes):
        ot = next(t for t in open_tasks(case.id, "submit_opinion") if t.instance_id == inv.instance_id)
        tasks.complete(expert_user(inv), ot.task_id, {"vote": vote, "reasons": f"意见：{vote}"})
        db.session.commit()
    assert db.session.scalar(select(func.count(Opinion.id))) == 3
    from tests.helpers import determine

    determine("market_lead", only_task(case.id, "determination"))
    case = db.session.get(Case, case.id)
    assert case.determination["votes"] == {"support": 2, "oppose": 1, "abstain": 0}


def test_meeting_close_ends_open_invitations_and_stops_replacements(org, clock, app, monkeypatch):
    monkeypatch.setitem(app.config, "EXPERT_QUORUM", 0.3)  # one of the three seats suffices here
    case = at_scheduling()
    schedule("market_lead", only_task(case.id, "schedule_meeting"))
    invs = invitations(case.id)
    respond(invs[0], "confirm")  # confirmed, no opinion yet; the others have not answered
    keys = [k for k, _m, _v in measure_choices(db.session.get(Case, case.id))]
    complete("market_lead", only_task(case.id, "determination"), {
        "meeting_date": date(2026, 11, 23), "attending_unit_ids": [unit_id("市市场监管局")],
        "attending_expert_ids": [invs[0].expert_id], "minutes": "纪要", "decision": "act", "measures": keys,
        "period_days": 30, "period_reason": "纪要所定"})
    assert open_tasks(case.id, "respond_invitation") == [] and open_tasks(case.id, "submit_opinion") == []
    statuses = sorted(db.session.get(Invitation, i.id).status for i in invs)
    assert statuses == ["closed", "closed_unanswered", "closed_unanswered"]
    clock.shift(timedelta(days=10))
    assert sweep_timers() == 0  # nothing left waiting: no replacement after the meeting
    assert len(invitations(case.id)) == 3


def test_office_special_meeting_draws_experts_the_same_way(org, clock):
    from tests.helpers import PERSON

    case = file_case(subjects=(PERSON,), entries=("SC-P-002", "FIN-P-002"), username="tax_cw")
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    complete("office1", only_task(case.id, "decide_route"), {"outcome": "major", "reason": "跨领域重大失信"})
    ot = only_task(case.id, "schedule_meeting")
    assert ot.role == "office"
    schedule("office1", ot)
    d = db.session.scalar(select(Draw).where(Draw.case_id == case.id))
    assert d.request["fields"] == {"legal": 1, "finance": 2, "market": 2}
    assert len(invitations(case.id)) == 5 and verify(d)[0]


def test_rewriting_a_stored_draw_fails_verification(org, clock):
    case = at_scheduling()
    schedule("market_lead", only_task(case.id, "schedule_meeting"))
    d = db.session.scalar(select(Draw).where(Draw.case_id == case.id))
    # Rewrite the pool and its digest on the row: the digest on the hash-chained timeline still differs.
    pool = [c for c in d.pool if c["id"] not in {p["expert_id"] for p in d.picks}][:1] + d.pool
    from app.experts.draw import inputs_digest

    db.session.execute(update(Draw).where(Draw.id == d.id).values(
        pool=pool, inputs_digest=inputs_digest(pool, d.exclusions, d.request, d.seed, d.algorithm)))
    db.session.commit()
    db.session.expire_all()
    assert verify(db.session.get(Draw, d.id))[0] is False


def test_an_expert_of_the_determining_body_is_excluded(org, clock):
    """The tax office reports a tax case (SC-P-002) to the market group, whose lead unit is 市市场监管局: an expert of that
    unit is neither of the initiating nor of an implementing unit, yet advises the body that determines; excluded."""
    case = file_case(username="tax_cw", entries=("SC-P-002",))
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    schedule("market_lead", only_task(case.id, "schedule_meeting"), meeting_date=date(2026, 11, 30))
    d = db.session.scalar(select(Draw).where(Draw.case_id == case.id))
    wang = db.session.scalar(select(Expert).where(Expert.name == "王律师"))
    reasons = {e["reason"] for e in d.exclusions if e["expert_id"] == wang.id}
    assert reasons == {"deciding_unit"} and wang.id not in {p["expert_id"] for p in d.picks}
    assert verify(d)[0]


def test_the_meeting_hears_at_least_one_legal_expert_and_one_of_each_industry(org, clock):
    """Seed 001 二(二)2: experts of law and of the industries concerned are drawn at random onto the meeting."""
    case = at_scheduling()
    ot = only_task(case.id, "schedule_meeting")
    for legal, industry, field in ((0, 2, "legal_count"), (1, 0, "industry_count")):
        with pytest.raises(DomainError) as err:
            schedule("market_lead", ot, legal=legal, industry=industry, notice=False)
        assert err.value.errors[0][0] == field
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Draw).where(Draw.case_id == case.id)) == 0
        assert only_task(case.id, "schedule_meeting").id == ot.id
    schedule("market_lead", ot, legal=1, industry=1)
    assert sorted(i.field for i in invitations(case.id)) == sorted(["legal", *experts_case_fields(case)])


def experts_case_fields(case):
    from app.experts.services import case_fields

    return case_fields(db.session.get(Case, case.id))
