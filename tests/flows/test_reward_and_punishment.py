"""A rewarded subject found dishonest (seed 002 五(一): the joint reward's incentives are for the honest; seed 001
二(一)2 信息推送): the units granting its incentives are told to withhold them while a punishment stands and to grant
them again once none does; its typical case comes off the public page; no new reward is filed or decided for it; its
deciding body may withdraw the reward from a day on, which leaves the earlier days' red lists as they were."""
from datetime import date

import pytest
from sqlalchemy import select

from app import clock as app_clock
from app.cases.attachments import Upload
from app.errors import DomainError
from app.extensions import db
from app.listings import imports, queries, withdrawal
from app.listings.models import Listing, ListingUnit, Push
from app.rights import objections
from app.supervision import services as supervision
from tests.conftest import user
from tests.flows.test_department_lists import _xlsx
from tests.helpers import (
    PDF,
    applicant_for,
    complete,
    determine,
    event_types,
    file_case,
    in_effect_case,
    listings_of,
    only_task,
    open_tasks,
)

SIGNED = Upload("撤销决定.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def reward_in_effect():
    reward, _codes = in_effect_case(entries=("SC-R-001",), username="tax_cw", days=730)
    [red] = listings_of(reward.id)
    return reward, red


def pushes_of(listing_id: int) -> list[tuple[int, str, str]]:
    db.session.expire_all()
    return [(p.unit_id, p.action, p.reason) for p in
            db.session.scalars(select(Push).where(Push.listing_id == listing_id).order_by(Push.id))]


def confirm_all(case_id: int) -> None:
    for t in open_tasks(case_id, "confirm_push"):
        who = {u.unit_id: u.username for u in [user("market_cw"), user("finance_cw"), user("tax_cw")]}[t.unit_id]
        complete(who, t, {"done": True, "note": "已调整。"})


def test_units_granting_a_reward_withhold_it_while_a_punishment_stands_and_grant_it_again_after(org, clock):
    reward, red = reward_in_effect()
    units = {lu.unit_id for lu in red.units}
    assert units and pushes_of(red.id) == []

    punishment, codes = in_effect_case(days=30)
    told = pushes_of(red.id)
    assert {u for u, _a, _r in told} == units and {(a, r) for _u, a, r in told} == {("suspend", "subject_punished")}
    assert len(open_tasks(reward.id, "confirm_push")) == len(units)
    assert "push_sent" in event_types(reward.id)
    confirm_all(reward.id)
    db.session.expire_all()
    assert {lu.state for lu in db.session.scalars(select(ListingUnit).where(ListingUnit.listing_id == red.id))} == {"suspended"}

    # Suspended during the subject's objection: the determination stands, nobody is told anything new.
    objections.file_objection(applicant_for(punishment, codes), punishment.id, "不服。", [])
    db.session.commit()
    assert listings_of(punishment.id)[0].status == "suspended"
    assert len(pushes_of(red.id)) == len(units) and open_tasks(reward.id, "confirm_push") == []


def test_a_punishment_ending_tells_the_reward_units_to_grant_the_incentives_again(org, clock):
    reward, red = reward_in_effect()
    punishment, _codes = in_effect_case(days=30)
    confirm_all(reward.id)
    from app.scheduler.jobs import sweep_timers

    clock.move_to("2027-03-10T02:00:00+00:00")
    sweep_timers()
    db.session.commit()
    assert listings_of(punishment.id)[0].status == "expired"
    told = pushes_of(red.id)
    assert [(a, r) for _u, a, r in told if a == "resume"] == [("resume", "punishment_ended")] * len(red.units)
    confirm_all(reward.id)
    db.session.expire_all()
    assert {lu.state for lu in db.session.scalars(select(ListingUnit).where(ListingUnit.listing_id == red.id))} == {"applied"}
    assert [lst.id for lst in queries.public_list("reward", None, 1).items] == [red.id]


def test_a_told_unit_that_has_not_confirmed_is_not_told_again(org, clock):
    """The punishment changes again (suspended by the subject's objection) while the first push waits: no second push,
    the first one stands."""
    reward, red = reward_in_effect()
    punishment, codes = in_effect_case(days=30)
    first = pushes_of(red.id)
    waiting = {t.task_id for t in open_tasks(reward.id, "confirm_push")}
    objections.file_objection(applicant_for(punishment, codes), punishment.id, "不服。", [])
    db.session.commit()
    assert listings_of(punishment.id)[0].status == "suspended"
    assert pushes_of(red.id) == first and {t.task_id for t in open_tasks(reward.id, "confirm_push")} == waiting


def test_a_rewards_typical_case_comes_off_the_public_page_when_its_subject_is_punished(org, clock):
    reward, _red = reward_in_effect()
    t = supervision.register_typical(user("tax_cw"), reward.number, "该企业连续三年纳税信用A级，联合激励后办理审批提速明显。")
    supervision.publish_typical(user("office1"), t.id, "守信企业享受绿色通道", "该企业连续三年纳税信用A级，各部门联合激励，审批提速明显。")
    db.session.commit()
    assert [x.id for x in supervision.published_typical().items] == [t.id]
    in_effect_case()
    assert supervision.published_typical().items == []
    assert "typical_withdrawn" in event_types(reward.id)
    with pytest.raises(DomainError, match="联合惩戒"):  # nor published again while it stands
        supervision.publish_typical(user("office1"), t.id, "守信企业享受绿色通道", "该企业连续三年纳税信用A级，各部门联合激励，审批提速明显。")


def test_no_reward_is_filed_or_decided_for_a_subject_a_punishment_stands_against(org, clock):
    punishment, _codes = in_effect_case()
    with pytest.raises(DomainError, match=punishment.number) as refused:
        file_case(username="tax_cw", entries=("SC-R-001",))
    assert refused.value.errors[0][0] == "subjects-0-code"
    db.session.rollback()

    # Filed before the punishment was decided: the meeting may not decide the reward for it.
    reward = file_case(username="tax_cw", entries=("SC-R-001",), subjects=(("enterprise", "测试物流有限公司", "91510400MA6X000809"),))
    complete("market_lead", only_task(reward.id, "pre_review"), {"outcome": "accept"})
    in_effect_case(subjects=(("enterprise", "测试物流有限公司", "91510400MA6X000809"),))
    with pytest.raises(DomainError, match="测试物流有限公司"):
        determine("market_lead", only_task(reward.id, "schedule_meeting"), days=730)
    db.session.rollback()
    assert listings_of(reward.id) == []


def test_a_reward_withdrawn_from_today_stays_on_the_earlier_days_red_lists(org, clock):
    reward, red = reward_in_effect()
    decided = app_clock.today_local()
    clock.move_to("2027-03-01T02:00:00+00:00")
    assert withdrawal.ways(red) == ("revoked", "withdrawn")
    withdrawal.end(user("market_lead"), reward.id, red.id, "withdrawn", "该主体后被查实严重失信，自即日起撤销激励。", [SIGNED])
    db.session.commit()
    db.session.expire_all()
    red = db.session.get(Listing, red.id)
    assert (red.status, red.end_reason, red.ended_on) == ("revoked", "withdrawn", date(2027, 3, 1))
    today = app_clock.today_local()
    assert [lst.id for lst in queries.listed_on("reward", decided, today).items] == [red.id]
    assert queries.listed_on("reward", today, today).items == []
    assert queries.public_list("reward", None, 1).items == []


def test_a_reward_revoked_as_wrong_leaves_the_earlier_days_red_lists(org, clock):
    reward, red = reward_in_effect()
    decided = app_clock.today_local()
    clock.move_to("2027-03-01T02:00:00+00:00")
    withdrawal.end(user("market_lead"), reward.id, red.id, "revoked", "激励决定所依据的材料虚假，撤销决定。", [PDF])
    db.session.commit()
    assert queries.listed_on("reward", decided, app_clock.today_local()).items == []


# the punished subject of in_effect_case (tests.helpers.COMPANY), on a tax department's red list imported later
RED = ["红名单", "测试建材有限公司", "企业", "91510400MA6X000102", "2026-11-02", "纳税信用A级", "", "SC-R-001",
       "市税务局", "川税信〔2026〕8号", "2026-11-02", "2027-11-01"]


def test_a_department_red_list_entry_imported_for_a_punished_subject_tells_its_units_to_withhold(org, clock):
    punishment, _codes = in_effect_case(days=365)
    [record] = imports.import_list(user("tax_cw"), "red.xlsx", _xlsx(RED))
    db.session.commit()
    [red] = db.session.scalars(select(Listing).where(Listing.case_id == record.id)).all()
    pushes = [(p.action, p.reason) for p in db.session.scalars(select(Push).where(Push.listing_id == red.id).order_by(Push.id))]
    # The units granting the incentives are told only to apply them, never to withhold them while the punishment stands
    # (as they are told when the punishment comes after the reward).
    assert any(a == "suspend" for a, _r in pushes), pushes


def test_a_withdrawn_reward_is_not_told_as_revoked_on_the_subjects_record(org, clock):
    """The case page says 'Withdrawn' (it stays on the earlier days' red lists); the subject's record (office page and
    the subject's own portal page) tells the same listing as 'Revoked, removed', the label of a decision found wrong."""
    from app.dueprocess import record
    from app.labels import LISTING_STATUS_LABELS
    from app.listings import withdrawal
    
    reward, red = reward_in_effect()
    clock.move_to("2027-03-01T02:00:00+00:00")
    withdrawal.end(user("market_lead"), reward.id, red.id, "withdrawn", "该主体后被查实严重失信，自即日起撤销激励。", [SIGNED])
    db.session.commit()
    rec = record.subject_record(user("office1"), red.subject_id)
    revoked = str(LISTING_STATUS_LABELS["revoked"])
    assert [i.what for i in rec["items"] if i.what == revoked] == [], [(i.what, i.text) for i in rec["items"]]
