"""Working days under the national schedule, the app's own holiday table, and the fallback warning."""
from datetime import date, datetime, timezone

from app.extensions import db
from app.workdays.models import CalendarDay, CalendarYear
from app.workdays.services import add_working_days, deadline_from, working_days_between


def test_plain_week(ctx):
    assert add_working_days(date(2026, 11, 23), 5) == (date(2026, 11, 30), False)  # Mon -> next Mon


def test_national_day_with_working_weekends(ctx):
    # 2026 (State Council schedule as chinese-calendar knows it): Fri 25 Sep Mid-Autumn Festival off,
    # 1-7 Oct National Day off, Saturday 10 Oct is a working day (调休).
    assert add_working_days(date(2026, 9, 24), 1) == (date(2026, 9, 28), False)
    assert add_working_days(date(2026, 9, 30), 1) == (date(2026, 10, 8), False)
    assert add_working_days(date(2026, 10, 9), 1) == (date(2026, 10, 10), False)  # Saturday worked


def test_spring_festival_2026(ctx):
    # Filed Friday 13 Feb 2026, the Spring Festival holiday follows; 5 working days end after it.
    d, fallback = add_working_days(date(2026, 2, 13), 5)
    assert not fallback and d > date(2026, 2, 23)


def test_unknown_year_counts_weekends_only_and_says_so(ctx):
    d, fallback = add_working_days(date(2026, 12, 28), 5)  # reaches into 2027
    assert fallback and d == date(2027, 1, 4)


def test_admin_entered_year_replaces_the_fallback(ctx):
    db.session.add(CalendarYear(year=2027, source="国务院办公厅通知（测试）"))
    db.session.add(CalendarDay(day=date(2027, 1, 1), is_workday=False, name="元旦"))
    db.session.commit()
    d, fallback = add_working_days(date(2026, 12, 30), 2)  # Thu 31 Dec, (Fri 1 Jan holiday), Mon 4 Jan
    assert (d, fallback) == (date(2027, 1, 4), False)


def test_app_table_overrides_the_library(ctx):
    db.session.add(CalendarDay(day=date(2026, 11, 24), is_workday=False, name="地方调整（测试）"))
    db.session.commit()
    assert add_working_days(date(2026, 11, 23), 1) == (date(2026, 11, 25), False)


def test_deadline_ends_at_local_midnight_and_reminds_a_working_day_before(ctx):
    start = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)  # Friday 10:00 in Shanghai
    dl = deadline_from(start, 2)  # Mon, Tue -> due end of Tue 1 Dec
    assert dl.due_date == date(2026, 12, 1)
    assert dl.due_at.isoformat() == "2026-12-01T15:59:59.999999+00:00"
    assert dl.remind_at.isoformat() == "2026-11-29T16:00:00+00:00"  # start of Monday 30 Nov local


def test_a_deadline_counted_again_sees_an_entry_made_since(ctx):
    """Deadlines are remembered by their inputs, the administrators' entries among them: an entry made after a
    deadline was counted changes the same deadline counted again."""
    start = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Shanghai
    assert deadline_from(start, 1).due_date == date(2026, 11, 24)
    db.session.commit()
    db.session.add(CalendarDay(day=date(2026, 11, 24), is_workday=False, name="地方调整（测试）"))
    db.session.commit()
    dl = deadline_from(start, 1)
    assert dl.due_date == date(2026, 11, 25)
    assert dl.holidays == (("2026-11-24", "地方调整（测试）"),)


def test_working_days_between(ctx):
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 30)) == 5
    assert working_days_between(date(2026, 11, 30), date(2026, 11, 23)) == -5


def test_cli_enters_next_years_schedule_and_ends_the_fallback(ctx):
    from app.workdays.services import year_source, years_without_schedule

    assert year_source(2027) == "weekends-only" and years_without_schedule(date(2026, 11, 23)) == [2027]
    runner = ctx.test_cli_runner()
    result = runner.invoke(args=["calendar", "set-day", "2027-01-01", "--off", "--name", "元旦"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["calendar", "complete-year", "2027", "--source", "国办发明电（测试）"])
    assert result.exit_code == 0, result.output
    assert year_source(2027) == "entered" and years_without_schedule(date(2026, 11, 23)) == []
    assert add_working_days(date(2026, 12, 31), 1) == (date(2027, 1, 4), False)


def test_how_far_past_a_deadline_is_counted_in_working_days(ctx):
    from app.workdays.services import working_days_late

    # Due Monday 30 November 2026; on Monday 7 December a week has passed: 5 working days, not 7.
    assert working_days_late(date(2026, 11, 30), date(2026, 12, 7)) == 5
    # Due on the eve of National Day 2026: the holiday week (1–7 Oct) counts nothing; 8 and 9 Oct and the working
    # Saturday 10 Oct count.
    assert working_days_late(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert working_days_late(date(2026, 12, 7), date(2026, 12, 7)) == 0
    assert working_days_late(date(2026, 12, 8), date(2026, 12, 7)) == 0 and working_days_late(None, date(2026, 12, 7)) == 0


def test_a_deadline_missed_on_friday_reads_one_working_day_over_the_weekend(ctx):
    import time_machine

    from app import clock
    from app.workdays.services import working_days_overdue

    due = clock.end_of_local_day(date(2026, 12, 4))  # Friday
    with time_machine.travel(datetime(2026, 12, 5, 4, 0, tzinfo=timezone.utc), tick=False):  # Saturday
        assert working_days_overdue(due) == 1
    with time_machine.travel(datetime(2026, 12, 4, 4, 0, tzinfo=timezone.utc), tick=False):  # the day itself
        assert working_days_overdue(due) == 0
    with time_machine.travel(datetime(2026, 12, 8, 4, 0, tzinfo=timezone.utc), tick=False):  # Tuesday
        assert working_days_overdue(due) == 2
