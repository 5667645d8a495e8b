"""Property-based tests of the punishment period clock: over arbitrary sequences of suspensions and
resumptions, the punished time always equals the period."""
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.listings.period import is_suspended_on, period_end, punished_days

START = date(2026, 1, 1)


@st.composite
def suspensions(draw):
    out = []
    for _ in range(draw(st.integers(0, 6))):
        a = START + timedelta(days=draw(st.integers(-30, 900)))
        length = draw(st.one_of(st.none(), st.integers(0, 200)))
        out.append((a, None if length is None else a + timedelta(days=length)))
    return out


@settings(max_examples=400, deadline=None)
@given(days=st.integers(1, 800), susp=suspensions())
def test_punished_time_equals_the_period(days, susp):
    end = period_end(START, days, susp)
    if end is None:
        # Only an open suspension can leave the end unknown, and it began before the period was served.
        opens = [a for a, b in susp if b is None]
        assert opens and punished_days(START, min(opens) - timedelta(days=1), susp) < days
    else:
        assert punished_days(START, end, susp) == days
        assert not is_suspended_on(end, susp)  # the last day is a punished day


@settings(max_examples=200, deadline=None)
@given(days=st.integers(1, 400), a=st.integers(0, 399), length=st.integers(1, 100))
def test_one_rejected_objection_adds_exactly_its_suspended_days(days, a, length):
    s = START + timedelta(days=a)
    end = period_end(START, days, [(s, s + timedelta(days=length))])
    plain = period_end(START, days)
    assert end == (plain + timedelta(days=length) if s <= plain else plain)


def test_resumes_from_the_day_of_rejection():
    # 10-day period from 1 Jan; objection filed 3 Jan, rejected 8 Jan: 1-2 Jan and 8-15 Jan are punished.
    assert period_end(START, 10, [(date(2026, 1, 3), date(2026, 1, 8))]) == date(2026, 1, 15)
    assert period_end(START, 10, [(date(2026, 1, 3), None)]) is None
