"""Data calls (报送 and 督办): the office publishes a call to units with a deadline in working days; each unit (its
liaison) answers with the table, checked against the columns; the office returns or accepts; the compiled table
spans the units; closing the call ends the units that never answered; late answers show as overdue."""
import io
from datetime import date, timedelta

import pytest
from flask import current_app
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.cases.attachments import Upload
from app.cases.models import Attachment, Case, OpenTask
from app.data_calls import services as calls
from app.data_calls.models import DataSubmission
from app.errors import DomainError
from app.extensions import db
from app.scheduler.jobs import sweep_deadlines
from tests.conftest import user
from tests.helpers import complete, event_types, only_task, open_tasks, unit_id

COLUMNS = "指标名称\n本月数值#\n说明"


def _publish(days=5, units=("市财政局", "市税务局")):
    case = calls.publish(user("office1"), "2026年11月城市信用监测指标", "请按模板填报本月数据。", COLUMNS,
                         [unit_id(u) for u in units], days)
    db.session.commit()
    return case


def _xlsx(*rows, header=("指标名称", "本月数值", "说明")) -> Upload:
    wb = Workbook()
    wb.active.append(list(header))
    for r in rows:
        wb.active.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return Upload("table.xlsx", buf.getvalue(), "file")


def test_units_answer_the_office_returns_and_accepts_and_closes(org, clock):
    with pytest.raises(DomainError) as err:
        calls.publish(user("office1"), "x", "", "", [unit_id("市财政局")], 5)
    assert err.value.errors[0][0] == "columns"
    with pytest.raises(DomainError):
        calls.publish(user("market_cw"), "x", "", COLUMNS, [unit_id("市财政局")], 5)
    db.session.rollback()
    case = _publish()
    assert case.number.startswith("BS-") and case.status == "data_call_open"
    finance = next(t for t in open_tasks(case.id, "submit_data") if t.unit_id == unit_id("市财政局"))
    assert finance.claimed_by_id == user("finance_cw").id  # to the unit's liaison
    assert finance.deadline_days == 5 and only_task(case.id, "close_call").due_at == finance.due_at
    # a table that does not fit the columns is refused, row by row
    with pytest.raises(DomainError) as err:
        complete("finance_cw", finance, {"pasted": ""}, files=[_xlsx(("失信主体数", "十二", ""), header=("指标", "数值"))])
    assert "第一行" in str(err.value.errors[0][1]) or "columns" in str(err.value.errors[0][1])
    db.session.rollback()
    with pytest.raises(DomainError) as err:
        complete("finance_cw", finance, {"pasted": ""}, files=[_xlsx(("失信主体数", "十二", ""), ("联合惩戒次数", "8", ""))])
    assert len(err.value.errors) == 2 and "第 2 行" in str(err.value.errors[1][1])
    db.session.rollback()
    complete("finance_cw", finance, {"pasted": ""}, files=[_xlsx(("失信主体数", 12, ""), ("联合惩戒次数", "8", "含暂停"))])
    review = next(t for t in open_tasks(case.id, "review_submission"))
    complete("office1", review, {"outcome": "return", "reasons": "请补充“信用修复数”一行。"})
    again = next(t for t in open_tasks(case.id, "submit_data") if t.unit_id == unit_id("市财政局"))
    # the returned table comes back as sent, under the office's reasons (it had to be typed again)
    from forms.data_calls import SubmitForm

    with current_app.test_request_context():
        form = SubmitForm(meta={"csrf": False})
        form.for_task(again)
    assert form.pasted.data == "失信主体数\t12\t\n联合惩戒次数\t8\t含暂停" and "信用修复数" in str(form.notice)
    # A corrected file sent beside the returned rows left as shown is the file (it was refused: "give the table once")
    complete("finance_cw", again, {"pasted": form.pasted.data},
             files=[_xlsx(("失信主体数", 12, ""), ("联合惩戒次数", "8", "含暂停"), ("信用修复数", 3, ""))])
    complete("office1", next(t for t in open_tasks(case.id, "review_submission")), {"outcome": "accept", "reasons": ""})
    sub = db.session.scalar(select(DataSubmission).where(DataSubmission.unit_id == unit_id("市财政局")))
    assert sub.status == "accepted" and sub.times_returned == 1 and len(sub.rows) == 3
    header, rows = calls.compiled(db.session.get(Case, case.id))
    assert header[:3] == ["单位", "状态", "指标名称"] and [r[2] for r in rows] == ["失信主体数", "联合惩戒次数", "信用修复数"]
    wb = load_workbook(io.BytesIO(calls.compiled_xlsx(db.session.get(Case, case.id))))
    assert wb.active.max_row == 4
    # the office closes the call: the tax bureau never answered
    complete("office1", only_task(case.id, "close_call"), {"note": "已汇总"})
    assert db.session.get(Case, case.id).status == "data_call_closed"
    tax = db.session.scalar(select(DataSubmission).where(DataSubmission.unit_id == unit_id("市税务局")))
    assert tax.status == "not_submitted" and open_tasks(case.id) == []


def test_an_answer_still_awaiting_review_when_the_call_closes_says_so(org, clock):
    case = _publish(units=("市财政局",))
    complete("finance_cw", only_task(case.id, "submit_data"), {"pasted": "失信主体数,12,"})  # comma-separated works too
    complete("office1", only_task(case.id, "close_call"), {"note": ""})
    sub = db.session.scalar(select(DataSubmission))
    assert sub.status == "unreviewed" and sub.rows == [["失信主体数", "12", ""]] and open_tasks(case.id) == []


def test_a_late_unit_is_reminded_and_shows_as_overdue(org, clock):
    case = _publish(days=2, units=("市税务局",))
    task = only_task(case.id, "submit_data")
    assert task.remind_at < task.due_at
    clock.shift(task.remind_at - task.created_at + timedelta(minutes=1))
    assert sweep_deadlines()[0] == 2  # reminded before the deadline (the unit; and the office, due to compile then)
    clock.shift(task.due_at - task.remind_at + timedelta(hours=1))
    assert sweep_deadlines()[1] == 2  # then overdue
    db.session.expire_all()
    task = db.session.get(OpenTask, task.id)
    assert task.reminded and task.breached
    assert "deadline_breached" in event_types(case.id)


def test_the_office_may_give_its_own_xlsx_template(org, clock):
    template = _xlsx(header=("县区", "公示数量#", "备注"))
    case = calls.publish(user("office1"), "双公示周调度", "", "", [unit_id("市财政局")], 3, template)
    db.session.commit()
    assert [c.name for c in calls.columns_of(case)] == ["县区", "公示数量", "备注"] and calls.columns_of(case)[1].numeric
    assert db.session.scalar(select(Attachment.purpose).where(Attachment.case_id == case.id)) == "data_call_template"
    with pytest.raises(DomainError) as err:
        calls.publish(user("office1"), "x", "", "", [unit_id("市财政局")], 3, Upload("t.pdf", b"%PDF", "template"))
    assert err.value.errors[0][0] == "template"
    db.session.rollback()


def test_a_call_set_to_repeat_each_quarter_is_published_again_at_each_quarters_end_until_stopped(org, clock):
    """Seed 004 (二十五) 在每季末向市信用办书面报送工作进展情况: published once (Monday 23 November 2026) and set to repeat
    each quarter, the call is published again on 1 March 2027 by the scheduler — its columns, template, units and
    deadline, the title naming the quarter — once although two scheduler passes run, and no more once stopped."""
    from app.data_calls import repeats
    from app.data_calls.models import DataCallRepeat
    from app.scheduler.jobs import issue_repeated_calls

    assert repeats.issue_day("quarter", date(2026, 11, 23)) == date(2026, 12, 1)
    assert repeats.issue_day("quarter", date(2026, 12, 1)) == date(2027, 3, 1)
    assert repeats.issue_day("month", date(2026, 12, 31)) == date(2027, 1, 1)
    # A monthly copy (on the 1st) names the month it reports on, the one just ended; a quarterly one its own quarter.
    assert repeats.period_label("month", date(2027, 1, 1)) == "2026年12月"
    assert repeats.period_label("month", date(2027, 3, 1)) == "2027年2月"
    assert repeats.period_label("quarter", date(2026, 12, 1)) == "2026年第4季度"
    template = _xlsx(header=("工作事项", "完成数量#", "进展情况"))
    source = calls.publish(user("office1"), "信用体系建设工作进展", "请于季末报送本季度工作进展。", "", [unit_id("市财政局"), unit_id("市税务局")],
                           10, template)
    with pytest.raises(DomainError):
        repeats.start(user("office1"), source, "weekly")
    rep = repeats.start(user("office1"), source, "quarter")
    db.session.commit()
    assert rep.next_on == date(2026, 12, 1) and "data_call_repeat_set" in event_types(source.id)
    assert issue_repeated_calls() == 0  # (not before its day)
    clock.move_to("2026-12-01T00:30:00+00:00")  # 08:30 in Shanghai
    assert issue_repeated_calls() == 1 and issue_repeated_calls() == 0  # (once, whatever the passes)
    copy = db.session.scalars(select(Case).where(Case.kind == "data_call", Case.id != source.id)).one()
    assert copy.title == "信用体系建设工作进展（2026年第4季度）" and copy.facts == "请于季末报送本季度工作进展。"
    assert [c.name for c in calls.columns_of(copy)] == ["工作事项", "完成数量", "进展情况"] and calls.columns_of(copy)[1].numeric
    assert sorted(s.unit_id for s in calls.submissions_of(copy.id)) == sorted([unit_id("市财政局"), unit_id("市税务局")])
    assert copy.determination["days"] == 10 and copy.created_by_id == user("office1").id
    assert db.session.scalar(select(Attachment.purpose).where(Attachment.case_id == copy.id)) == "data_call_template"
    assert len(open_tasks(copy.id, "submit_data")) == 2 and "data_call_repeated" in event_types(copy.id)
    assert db.session.get(DataCallRepeat, rep.id).next_on == date(2027, 3, 1)
    with pytest.raises(DomainError):
        repeats.stop(user("finance_cw"), rep.id)
    db.session.rollback()
    repeats.stop(user("office1"), rep.id)
    db.session.commit()
    clock.move_to("2027-03-01T00:30:00+00:00")
    assert issue_repeated_calls() == 0
    assert db.session.scalar(select(func.count()).select_from(Case).where(Case.kind == "data_call")) == 2


def test_a_repeated_call_whose_owner_left_the_office_stops_and_says_so(org, clock):
    from app.data_calls import repeats
    from app.data_calls.models import DataCallRepeat
    from app.scheduler.jobs import issue_repeated_calls

    source = _publish()
    rep = repeats.start(user("office1"), source, "month")
    user("office1").active = False
    db.session.commit()
    clock.move_to("2026-12-01T00:30:00+00:00")
    assert issue_repeated_calls() == 0
    assert not db.session.get(DataCallRepeat, rep.id).active and "data_call_repeat_stopped" in event_types(source.id)
    from flask import current_app

    from app.cases import queries as case_queries
    from app.cases import timeline

    with current_app.test_request_context():  # (the call's timeline says how often, from when, and why it stopped)
        said = {r["type"]: r["details"] for r in timeline.present(case_queries.timeline_rows(source.id), {})}
    assert said["data_call_repeat_set"] == "每月（每月1日发布） · 下次发布 2026年12月1日", said
    assert "设置该重复发布的办公室人员已不在办公室任职" in said["data_call_repeat_stopped"]


def test_number_columns_take_full_width_digits_and_refuse_other_scripts_and_lost_precision(ctx):
    """A Chinese input method types １２．５ (made 12.5); Arabic-Indic digits and numbers longer than a spreadsheet
    keeps exactly are refused with the row named."""
    columns = calls.parse_columns("指标\n数值#")
    assert calls.check_table(columns, [["失信主体数", "１２．５"], ["修复数", "－３"], ["比例", "１０％"]], False) == [
        ["失信主体数", "12.5"], ["修复数", "-3"], ["比例", "10%"]]
    assert calls.check_table(calls.parse_columns("名称\n电话\n金额＃"), [["名称", "电话", "金额#"], ["甲", 1234567.5, 1234567.5],
                                                                       ["乙", 0.00001234, 12.0]], True) == [
        ["甲", "1234567.5", "1234567.5"], ["乙", "0.00001234", "12"]]  # (an xlsx's floats exactly; the template's 金额# header)
    for bad in ("١٢", "1" * 16, "1." + "1" * 7, "①②", "¹²", "𝟏𝟐"):
        with pytest.raises(DomainError) as exc:
            calls.check_table(columns, [["失信主体数", bad]], False)
        assert "数值" in str(exc.value.errors[1][1])
