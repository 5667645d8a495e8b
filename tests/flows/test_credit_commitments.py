"""信用承诺 (seed 002 五(二) 行政许可申请人信用承诺制度，并开展申请人信用审查; seed 000 四): a desk records the commitment an
applicant made for the matter it checked, its unit's register shows whether it was kept, and a broken one is told to
every desk that checks the subject afterwards, on the page and through the API."""
from datetime import date, timedelta

import pytest

from app.credit import commitments, services
from app.errors import DomainError, NotFound
from app.extensions import db
from tests.conftest import csrf_from, login, user
from tests.helpers import COMPANY2
from tests.web.test_api import call, make_client
from tests.web.test_api import spec as api_spec

CODE = COMPANY2[2]  # (a subject no list names: any applicant makes commitments)


def desk(username):
    return services.Requester.of_user(user(username))


def test_a_commitment_is_recorded_checked_and_a_broken_one_told_to_later_desks(org, clock):
    a = services.check(desk("market_cw"), CODE, "licence", "XK-2026-1")
    db.session.commit()
    with pytest.raises(DomainError) as refused:  # every error at once, nothing written
        commitments.record(desk("market_cw"), a.check_id, "nonsense", "短", date(2030, 1, 1))
    assert {f for f, _m in refused.value.errors} == {"kind", "content", "due_on"}
    db.session.rollback()
    with pytest.raises(NotFound):  # another unit's check
        commitments.record(desk("tax_cw"), a.check_id, "tolerance", "承诺十五日内补齐消防验收材料。", None)
    db.session.rollback()
    made = commitments.record(desk("market_cw"), a.check_id, "tolerance", "承诺十五日内补齐消防验收材料。",
                              a_day(a, 15))
    db.session.commit()
    with pytest.raises(DomainError, match="已经记录"):  # (the form sent twice)
        commitments.record(desk("market_cw"), a.check_id, "tolerance", "承诺十五日内补齐消防验收材料。", None)
    db.session.rollback()
    assert commitments.register(user("market_cw").unit_id, "open", 1).items == [made]
    assert commitments.overdue_count(user("market_cw").unit_id) == 0
    clock.shift(timedelta(days=20))
    assert commitments.overdue_count(user("market_cw").unit_id) == 1

    with pytest.raises(NotFound):  # closed only by its own unit
        commitments.close(user("tax_cw"), made.id, "broken", "未补齐材料。")
    db.session.rollback()
    with pytest.raises(DomainError):
        commitments.close(user("market_cw"), made.id, "broken", "")
    db.session.rollback()
    commitments.close(user("market_cw"), made.id, "broken", "逾期未补齐消防验收材料，已撤回受理。")
    db.session.commit()
    with pytest.raises(DomainError, match="已核实办结"):
        commitments.close(user("market_cw"), made.id, "kept", "补齐了。")
    db.session.rollback()

    later = services.check(desk("tax_cw"), CODE, "procurement", "CG-2027-3")  # another unit's desk, later
    db.session.commit()
    [b] = later.broken_commitments
    assert b.unit == "市市场监管局" and "逾期未补齐" in b.finding and later.verdict == "clear"


def a_day(answer, days: int) -> date:
    from app import clock
    from app.credit.models import CreditCheck

    return clock.local_date(db.session.get(CreditCheck, answer.check_id).at) + timedelta(days=days)


spec = api_spec  # (the fixture that checks answers against the API document)


def test_the_desk_records_and_the_register_closes_commitments_through_the_pages(client, org, clock, spec):
    login(client, "market_cw")
    page = client.get("/check/").get_data(as_text=True)
    resp = client.post("/check/", data={"csrf_token": csrf_from(page), "code": CODE, "matter_type": "licence", "matter_no": "XK-9"})
    answer_url = resp.headers["Location"]
    html = client.get(answer_url).get_data(as_text=True)
    assert "记录信用承诺" in html
    refused = client.post(f"{answer_url}/commitment", data={"csrf_token": csrf_from(html), "kind": "tolerance", "content": "短"})
    assert refused.status_code == 200 and "请按签署的承诺书填写承诺内容" in refused.get_data(as_text=True)
    done = client.post(f"{answer_url}/commitment", data={"csrf_token": csrf_from(html), "kind": "notification",
                                                         "content": "承诺本单位符合食品经营许可的全部条件。"}, follow_redirects=True)
    assert "信用承诺已记入本单位的信用承诺台账" in done.get_data(as_text=True)
    register = client.get("/check/commitments").get_data(as_text=True)
    assert "告知承诺：承诺符合审批条件" in register and "承诺本单位符合食品经营许可的全部条件" in register
    made = commitments.register(user("market_cw").unit_id, None, 1).items[0]
    closed = client.post(f"/check/commitments/{made.id}/close", data={"csrf_token": csrf_from(register), "outcome": "broken",
                                                                      "finding": "现场核查不符合条件。"}, follow_redirects=True)
    assert "已记录：承诺未履行" in closed.get_data(as_text=True)
    # Another unit's staff: not its register, not its commitment.
    client.post("/logout", data={"csrf_token": csrf_from(register)})
    login(client, "tax_cw")
    assert "现场核查不符合条件" not in client.get("/check/commitments").get_data(as_text=True)
    # A department system's check is told of it.
    _c, token, _s = make_client(unit="市税务局", scopes=["check"])
    body = call(client, spec, "POST", "/api/v1/checks", token, {"code": CODE, "matter_type": "licence", "matter_no": "T-1"}).get_json()
    assert [b["unit"] for b in body["broken_commitments"]] == ["市市场监管局"]


def test_closed_commitments_are_listed_newest_first(org, clock):
    desk = services.Requester.of_user(user("market_cw"))
    made = []
    for n in range(2):
        a = services.check(desk, CODE, "licence", f"XK-2026-{n}")
        row = commitments.record(desk, a.check_id, "tolerance", "承诺十五日内补齐消防验收材料。",
                                 date.today() + timedelta(days=10 + n))
        db.session.commit()
        made.append(row.id)
    for i in made:
        commitments.close(user("market_cw"), i, "kept", "已按期补齐材料。")
        db.session.commit()
    shown = [c.id for c in commitments.register(user("market_cw").unit_id, "kept", 1).items]
    assert shown == sorted(made, reverse=True), shown


def test_a_batch_check_tells_each_subject_s_broken_commitments_as_one_check_does(org, clock):
    """The batch file's answers carry the subject's broken commitments (any unit's), in the answer and on the sheet, as
    the single check's page and API do; a subject without any has the column empty."""
    import io

    from openpyxl import load_workbook

    from app.credit import batch
    from tests.helpers import COMPANY

    a = services.check(desk("market_cw"), CODE, "licence", "XK-2026-1")
    made = commitments.record(desk("market_cw"), a.check_id, "tolerance", "承诺十五日内补齐消防验收材料。", a_day(a, 15))
    commitments.close(user("market_cw"), made.id, "broken", "逾期未补齐消防验收材料，已撤回受理。")
    db.session.commit()

    answers = services.check_many(desk("tax_cw"), [(CODE, "procurement", "CG-1"), (COMPANY[2], "procurement", "CG-2")], "b1")
    assert [b.finding for b in answers[0].broken_commitments] == ["逾期未补齐消防验收材料，已撤回受理。"]
    assert answers[1].broken_commitments == []
    db.session.rollback()

    sheet, n = batch.run(desk("tax_cw"), "s.csv", f"代码,事项类型,事项编号\n{CODE},procurement,CG-1\n{COMPANY[2]},procurement,CG-2\n".encode())
    head, *rows = list(load_workbook(io.BytesIO(sheet)).active.iter_rows(values_only=True))
    assert n == 2 and head[-1] == "未履行的信用承诺"
    told = {r[0]: r[-1] for r in rows}
    assert told[CODE].startswith("市市场监管局 · ") and told[CODE].endswith(": 逾期未补齐消防验收材料，已撤回受理。"), told
    assert not told[COMPANY[2]]


def test_the_subject_s_record_lists_its_commitments_as_far_as_the_reader_may_know_them(org, clock):
    """The subject's record page: the subject itself (portal) and the office see every commitment it made and whether
    each was kept; a unit sees its own desk's and the broken ones of others (what its credit check tells it), not
    another unit's open ones."""
    from app.dueprocess import record
    from tests.helpers import applicant_for, in_effect_case

    case, codes = in_effect_case()
    applicant = applicant_for(case, codes)
    subject = case.subjects[0].subject
    a = services.check(desk("market_cw"), subject.code, "licence", "XK-2026-1")
    commitments.record(desk("market_cw"), a.check_id, "tolerance", "承诺十五日内补齐消防验收材料。", a_day(a, 15))
    b = services.check(desk("tax_cw"), subject.code, "subsidy", "BT-2026-2")
    broken = commitments.record(desk("tax_cw"), b.check_id, "notification", "承诺已依法纳税，无欠税。", None)
    commitments.close(user("tax_cw"), broken.id, "broken", "核实存在欠税。")
    services.check(desk("finance_cw"), subject.code, "procurement", "CG-2026-3")
    db.session.commit()

    def told(page):
        return sorted((i.what, i.text.split(" · ")[0]) for i in page["items"] if "信用承诺" in i.what)

    everything = [("作出信用承诺", "市市场监管局"), ("作出信用承诺", "市税务局"), ("信用承诺未履行", "市税务局")]
    assert told(record.own_record(applicant)) == everything
    assert told(record.subject_record(user("office1"), subject.id)) == everything
    assert told(record.subject_record(user("market_cw"), subject.id)) == everything  # (its own, and the broken one)
    assert told(record.subject_record(user("finance_cw"), subject.id)) == [("作出信用承诺", "市税务局"), ("信用承诺未履行", "市税务局")]
