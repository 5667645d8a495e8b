"""逢批必查: the credit check as an approval desk and the services use it, on real cases decided through the BPMN."""
import io
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app import clock as app_clock
from app.cases.models import CaseEvent, CaseMeasure
from app.credit import batch, queries, services
from app.credit.models import CheckApplication, CreditCheck
from app.errors import DomainError, NotFound
from app.extensions import db
from app.rights import objections, repair
from tests.conftest import user
from tests.helpers import COMPANY, PDF, applicant_for, do, file_case, in_effect_case, listings_of, task_of, unit_id

CODE = COMPANY[2]


def desk(unit_name, username=None):
    return services.Requester(unit_id=unit_id(unit_name), user_id=user(username).id if username else None)


def _checks():
    return db.session.scalar(select(func.count()).select_from(CreditCheck))


def test_a_listed_subject_with_the_desks_own_measures(org, clock):
    case, _codes = in_effect_case()
    a = services.check(desk("市财政局", "finance_cw"), CODE, "procurement", "CG-2026-001")
    db.session.commit()
    assert a.verdict == "punished" and a.subject_name == COMPANY[1]
    [f] = a.findings
    assert f.kind == "punishment" and f.status == "in_effect" and f.behaviour == "被列入严重违法失信企业名单"
    assert f.case_number == case.number and f.deciding_unit == "市市场监管局" and f.entry_code == "SC-P-001"
    assert [m.text for m in f.my_measures] == ["限制参与政府采购活动"]  # only the finance bureau's measure
    assert f.legal_basis == "依据。" and "《企业信息公示暂行条例》第十八条" in f.entry_basis
    assert f.period_start == case.period_start and f.period_end == case.period_end
    row = db.session.get(CreditCheck, a.check_id)
    assert (row.unit_id, row.matter_type, row.matter_no, row.verdict) == (unit_id("市财政局"), "procurement", "CG-2026-001", "punished")
    # Another unit learns of the listing but no measure falls to it.
    other = services.check(desk("市税务局", "tax_cw"), CODE.lower(), "licence", "XK-1")
    assert other.verdict == "punished" and other.findings[0].my_measures == []


def test_one_check_reads_as_the_batch_does_with_several_listings_and_measures(org, clock):
    """A single check reads the subject, its listings and the desk's measures in one statement (a row per listing
    and measure); the batch path reads them separately. Both give the same findings, measures in order."""
    first, _codes = in_effect_case()
    second, _codes = in_effect_case(days=60)
    m = db.session.scalar(select(CaseMeasure).where(CaseMeasure.case_id == first.id, CaseMeasure.unit_id == unit_id("市财政局")))
    db.session.add(CaseMeasure(case_id=first.id, catalog_version_id=m.catalog_version_id, measure_code="X-2", text="第二项措施",
                               unit_id=m.unit_id))
    db.session.commit()
    requester = desk("市财政局", "finance_cw")
    one = services.check(requester, CODE, "procurement", "CG-1")
    [batched] = services.check_many(requester, [(CODE, "procurement", "CG-2")], "b1")
    assert sorted(f.case_number for f in one.findings) == sorted([first.number, second.number])
    assert one.findings == batched.findings and one.verdict == batched.verdict == "punished"
    mine = {f.case_number: [x.text for x in f.my_measures] for f in one.findings}
    assert mine[first.number] == ["限制参与政府采购活动", "第二项措施"] and mine[second.number] == ["限制参与政府采购活动"]
    assert one.subject_name == batched.subject_name == COMPANY[1] and one.subject_status == "active"


def test_unknown_clear_and_bad_input(org, clock):
    a = services.check(desk("市财政局"), "91510400MA6X000809", "licence", "XK-9")
    assert a.verdict == "clear" and a.findings == [] and a.subject_name is None
    before = _checks()
    for code, matter, no, field in (("91510400MA6X000103", "licence", "1", "code"), ("510402196207179144", "licence", "1", "code"),
                                    (CODE, "no-such", "1", "matter_type"), (CODE, "licence", "  ", "matter_no")):
        with pytest.raises(DomainError) as exc:
            services.check(desk("市财政局"), code, matter, no)
        assert exc.value.errors[0][0] == field
    assert _checks() == before  # refused checks are not logged


def test_a_subject_without_a_listing_is_not_named(org, clock):
    """A subject the system holds (a party to a case) but with no listing: clear, and its name is not given away by
    its identity number, neither by one check nor by a batch."""
    file_case()  # filed, not decided: the company is recorded, nothing is listed
    requester = desk("市财政局", "finance_cw")
    one = services.check(requester, CODE, "procurement", "CG-3")
    [batched] = services.check_many(requester, [(CODE, "procurement", "CG-4")], "b2")
    assert one.verdict == batched.verdict == "clear" and one.findings == batched.findings == []
    assert one.subject_name is None and batched.subject_name is None
    assert services.answer_of(requester, one.check_id).subject_name is None  # the staff page's answer (/check/<id>)


def test_suspended_and_repaired_listings_are_said_so(org, clock):
    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    objections.file_objection(applicant, case.id, "异议", [])
    db.session.commit()
    suspended = services.check(desk("市财政局"), CODE, "licence", "1")
    db.session.commit()
    assert suspended.verdict == "suspended"
    # While suspended a desk may not refuse or restrict on its ground (seed 001 二(三)2); approving is recorded.
    for action in ("refused", "restricted", "green_channel"):
        with pytest.raises(DomainError) as refused:
            services.record_application(desk("市财政局"), suspended.check_id, suspended.findings[0].listing_id, action)
        assert refused.value.errors[0][0] == "action", refused.value.errors
        db.session.rollback()
    services.record_application(desk("市财政局"), suspended.check_id, suspended.findings[0].listing_id, "approved")
    db.session.commit()
    from app.cases.models import Case

    objection = db.session.scalar(select(Case).where(Case.kind == "objection"))
    do(user("market_lead"), task_of(objection.id, "reply_objection"), {"outcome": "rejected", "reasons": "不成立"})
    do(applicant, task_of(objection.id, "applicant_next"), {"next_step": "accept", "grounds": ""})
    db.session.commit()
    assert services.check(desk("市财政局"), CODE, "licence", "2").verdict == "punished"
    clock.shift(timedelta(days=100))
    rep = repair.apply(applicant, case.id, "已整改", True, [PDF], [])
    db.session.commit()
    do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "approve", "reasons": "准予"})
    db.session.commit()
    a = services.check(desk("市财政局"), CODE, "licence", "3")
    db.session.commit()
    assert a.verdict == "repaired" and a.findings[0].status == "repaired" and a.findings[0].ended_on is not None
    with pytest.raises(DomainError):  # (seed 001 二(三)1: no measure after repair)
        services.record_application(desk("市财政局"), a.check_id, a.findings[0].listing_id, "refused")
    db.session.rollback()
    # Once the period it would have run to has ended, a repaired listing is told of no more than an expired one: the
    # subject is not named and the answer is clear (repairing early must not keep a subject reported longer).
    from app.listings.models import Listing

    listing = db.session.get(Listing, a.findings[0].listing_id)
    last_day = listing.period_start + timedelta(days=listing.period_days - 1)  # (as decided: 22 Nov 2027)
    assert last_day == date(2027, 11, 22) and listing.period_end < last_day  # (the repair ended it in March)
    clock.shift(timedelta(days=2))
    assert services.check(desk("市财政局"), CODE, "licence", "3b").verdict == "repaired"  # (days after the repair)
    clock.move_to(datetime.combine(last_day, time(12), tzinfo=app_clock.LOCAL_TZ))
    assert services.check(desk("市财政局"), CODE, "licence", "4").verdict == "repaired"  # (its last day)
    clock.shift(timedelta(days=1))
    later = services.check(desk("市财政局"), CODE, "licence", "5")
    assert (later.verdict, later.findings, later.subject_name) == ("clear", [], None)
    batch = services.check_many(desk("市财政局"), [(CODE, "licence", "6")], "B")
    assert (batch[0].verdict, batch[0].findings) == ("clear", [])
    db.session.rollback()


def test_a_refusal_decided_while_the_punishment_was_in_effect_is_recorded_after_it_was_suspended(org, clock):
    """The desk checked (punished) and refused; before it recorded that, the subject objected: what it did then is
    still what it records."""
    case, codes = in_effect_case()
    finance = desk("市财政局", "finance_cw")
    a = services.check(finance, CODE, "procurement", "CG-9")
    db.session.commit()
    objections.file_objection(applicant_for(case, codes), case.id, "异议", [])
    db.session.commit()
    assert listings_of(case.id)[0].status == "suspended"
    services.record_application(finance, a.check_id, a.findings[0].listing_id, "refused")
    db.session.commit()
    later = services.check(finance, CODE, "procurement", "CG-10")  # checked while suspended: approving only
    db.session.commit()
    with pytest.raises(DomainError):
        services.record_application(finance, later.check_id, later.findings[0].listing_id, "refused")
    db.session.rollback()


def test_the_units_application_goes_on_the_case_timeline_once(org, clock):
    case, _codes = in_effect_case()
    finance = desk("市财政局", "finance_cw")
    a = services.check(finance, CODE, "procurement", "CG-1")
    listing_id = a.findings[0].listing_id
    with pytest.raises(NotFound):
        services.record_application(desk("市税务局", "tax_cw"), a.check_id, listing_id, "refused")
    with pytest.raises(DomainError):
        services.record_application(finance, a.check_id, listing_id + 999, "refused")
    with pytest.raises(DomainError):
        services.record_application(finance, a.check_id, listing_id, "maybe")
    services.record_application(finance, a.check_id, listing_id, "refused", "不予受理政府采购投标")
    db.session.commit()
    ev = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.type == "credit_check_applied"))
    assert ev.details["action"] == "refused" and ev.details["matter_no"] == "CG-1" and ev.actor_id == user("finance_cw").id
    with pytest.raises(DomainError):
        services.record_application(finance, a.check_id, listing_id, "approved")
    assert queries.usage_by_unit() == [("市财政局", 1, 1)]


def test_batch_check_answers_every_row(org, clock):
    in_effect_case()
    wb = Workbook()
    ws = wb.active
    ws.append(["代码", "事项类型", "事项编号", "名称"])
    ws.append([CODE, "政府采购", "CG-1", "测试建材"])
    ws.append(["91510400MA6X000809", "licence", "XK-2", ""])
    ws.append(["91510400MA6X000103", "licence", "XK-3", "错码"])
    buf = io.BytesIO()
    wb.save(buf)
    sheet, n = batch.run(desk("市财政局", "finance_cw"), "subjects.xlsx", buf.getvalue())
    db.session.commit()
    assert n == 2
    rows = list(load_workbook(io.BytesIO(sheet)).active.iter_rows(values_only=True))
    assert rows[1][0] == CODE and rows[1][4] == "正在被联合惩戒" and rows[1][6] == "限制参与政府采购活动（已实施）"
    assert rows[2][4] == "未被联合惩戒或激励"
    assert rows[3][4] == "未核查" and "校验" in rows[3][5]
    batches = set(db.session.scalars(select(CreditCheck.batch)))
    assert len(batches) == 1 and None not in batches
    with pytest.raises(DomainError):
        batch.run(desk("市财政局"), "subjects.csv", "代码,事项类型,事项编号\n".encode())
    # A file without the header row is told so (its first subject would otherwise be taken for the header).
    with pytest.raises(DomainError) as refused:
        batch.run(desk("市财政局"), "subjects.csv", f"{CODE},licence,XK-1\n".encode())
    assert "表头" in str(refused.value.message)
    # An identity number typed into a number cell: Excel keeps 15 significant digits, so 510402198503122538 comes back
    # as 510402198503123008, a valid code of someone else. It is not checked, and the row says why; a
    # short whole number in a number cell (the matter's number) is read with its digits.
    lost = float("5.10402198503123E+17")  # (what Excel keeps of 510402198503122538: 15 significant digits)
    assert str(int(lost)) == "510402198503123008" and services.normalise(str(int(lost)))  # (valid: no error)
    wb = Workbook()
    wb.active.append(["代码", "事项类型", "事项编号", "名称"])
    wb.active.append([lost, "licence", 20260001.0, ""])
    wb.active.append([CODE, "licence", 20260002.0, ""])
    buf = io.BytesIO()
    wb.save(buf)
    before = db.session.scalar(select(func.count()).select_from(CreditCheck))
    sheet, n = batch.run(desk("市财政局"), "subjects.xlsx", buf.getvalue())
    rows = list(load_workbook(io.BytesIO(sheet)).active.iter_rows(values_only=True))
    assert n == 1 and db.session.scalar(select(func.count()).select_from(CreditCheck)) == before + 1
    assert rows[1][2] == "20260001" and rows[1][4] == "未核查" and "文本" in rows[1][5] and "3008" not in str(rows[1][0])
    assert rows[2][2] == "20260002" and rows[2][4] == "正在被联合惩戒"


def test_applications_count_per_unit_in_a_period(org, clock):
    from app.supervision.monitoring import Period

    in_effect_case()
    services.check(desk("市财政局"), CODE, "licence", "1")
    clock.shift(timedelta(days=40))
    services.check(desk("市税务局"), CODE, "licence", "2")
    db.session.commit()
    assert queries.usage_by_unit(Period.month("2026-11")) == [("市财政局", 1, 0)]
    assert db.session.scalar(select(func.count()).select_from(CheckApplication)) == 0


def test_a_subject_under_joint_punishment_gets_no_incentive_of_its_red_list_entry(org, clock, client):
    """Seed 002 五(一): the green channel is for the honest. While a punishment is in effect the red-list entry stands
    but is left off the public red list and the red list as of today, the desk is told its incentives are withheld and
    may not record a green channel, also while the punishment is suspended during an objection (its determination
    stands: the subject is neither punished nor rewarded meanwhile)."""
    reward, _c = in_effect_case(entries=("SC-R-001",), username="tax_cw", days=365)
    a = services.check(desk("市市场监管局", "market_cw"), CODE, "licence", "XK-1")
    db.session.commit()
    assert a.verdict == "rewarded" and not a.findings[0].incentives_withheld
    assert COMPANY[1] in client.get("/public/?list=reward").get_data(as_text=True)

    clean = a
    from tests.web.test_api import make_client

    _c, token, _s = make_client("市市场监管局", ["lists"])
    clock.shift(timedelta(minutes=5))
    synced = client.get("/api/v1/lists/red/changes?since=2000-01-01T00:00:00Z", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert [e["subject_name"] for e in synced["entries"]] == [COMPANY[1]]
    punishment, codes = in_effect_case()
    # A green channel granted while the subject was clean is recorded afterwards, as it stood when checked.
    services.record_application(desk("市市场监管局", "market_cw"), clean.check_id, clean.findings[0].listing_id, "green_channel")
    db.session.commit()
    a = services.check(desk("市市场监管局", "market_cw"), CODE, "licence", "XK-2")
    db.session.commit()
    red = next(f for f in a.findings if f.kind == "reward")
    assert a.verdict == "punished" and red.incentives_withheld and red.my_measures
    assert services.allowed_actions(red.kind, red.status, red.my_measures, red.incentives_withheld) == ("approved",)
    with pytest.raises(DomainError, match="联合惩戒"):
        services.record_application(desk("市市场监管局", "market_cw"), a.check_id, red.listing_id, "green_channel")
    db.session.rollback()
    assert COMPANY[1] not in client.get("/public/?list=reward").get_data(as_text=True)
    assert COMPANY[1] in client.get("/public/").get_data(as_text=True)
    red_list = client.get("/api/v1/lists/red", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert COMPANY[1] not in [e["subject_name"] for e in red_list["entries"]]
    clock.shift(timedelta(minutes=5))
    changes = client.get("/api/v1/lists/red/changes?since=2000-01-01T00:00:00Z",
                         headers={"Authorization": f"Bearer {token}"}).get_json()["entries"]
    assert [e["incentives_withheld"] for e in changes if e["subject_name"] == COMPANY[1]] == [True]
    # A platform that synced before the punishment began is told of it: the punishment's start moved the red entry.
    until = synced["until"].replace("+", "%2B")
    later = client.get(f"/api/v1/lists/red/changes?since={until}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert [e["incentives_withheld"] for e in later["entries"] if e["subject_name"] == COMPANY[1]] == [True]

    # The punishment suspended by an objection: its determination stands, the incentives stay withheld.
    applicant = applicant_for(punishment, codes)
    objections.file_objection(applicant, punishment.id, "处罚所依据的决定已被撤销。", [])
    db.session.commit()
    a = services.check(desk("市市场监管局", "market_cw"), CODE, "licence", "XK-3")
    red = next(f for f in a.findings if f.kind == "reward")
    assert a.verdict == "suspended" and red.incentives_withheld
    with pytest.raises(DomainError, match="联合惩戒"):
        services.record_application(desk("市市场监管局", "market_cw"), a.check_id, red.listing_id, "green_channel")
    db.session.rollback()
    assert COMPANY[1] not in client.get("/public/?list=reward").get_data(as_text=True)
    assert COMPANY[1] not in client.get("/public/").get_data(as_text=True)  # (nor on the black list meanwhile)
    red_list = client.get("/api/v1/lists/red", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert COMPANY[1] not in [e["subject_name"] for e in red_list["entries"]]
    assert reward.kind == "reward"
