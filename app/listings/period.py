"""The punishment period clock (seed 001 二(三)): a punishment lasts a fixed number of days; while an
objection or complaint is handled it is suspended, and after a rejection it resumes counting from the day
of rejection. Pure functions over local calendar dates, so they can be checked exhaustively.

A suspension is (first suspended day, day counting resumes) — the resumption day itself is punished again —
or (first suspended day, None) while it is still open."""
from datetime import date, timedelta


def _merged(suspensions) -> list[tuple[date, date | None]]:
    out: list[list] = []
    for a, b in sorted(suspensions, key=lambda s: s[0]):
        if b is not None and b <= a:
            continue  # empty interval
        if out and (out[-1][1] is None or a <= out[-1][1]):
            if out[-1][1] is not None:
                out[-1][1] = None if b is None else max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def period_end(start: date, days: int, suspensions=()) -> date | None:
    """The last punished day: the `days`-th day from `start` on that is not suspended. None while an open
    suspension began before that day was reached (the end is then unknown)."""
    if days < 1:
        raise ValueError("a period lasts at least one day")
    remaining = days
    cursor = start
    for a, b in _merged(suspensions):
        if b is not None and b <= cursor:
            continue
        if a > cursor:
            available = (a - cursor).days
            if remaining <= available:
                return cursor + timedelta(days=remaining - 1)
            remaining -= available
        if b is None:
            return None
        cursor = max(cursor, b)
    return cursor + timedelta(days=remaining - 1)


def punished_days(start: date, end: date, suspensions=()) -> int:
    """How many days in [start, end] are not suspended (the check the property tests make)."""
    merged = _merged(suspensions)
    count = 0
    d = start
    while d <= end:
        if not any(a <= d and (b is None or d < b) for a, b in merged):
            count += 1
        d += timedelta(days=1)
    return count


def is_suspended_on(day: date, suspensions=()) -> bool:
    return any(a <= day and (b is None or day < b) for a, b in _merged(suspensions))
